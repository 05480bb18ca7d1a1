"""The registry as the API shows it. A change names who made it only to programme staff;
an organisation sees that programme staff made it."""

from __future__ import annotations

from supplychain.models import Node
from supplychain.registry.models import (
    NodeRegistryLink,
    RecruiterProfile,
    RegistryChange,
    RegistryProposal,
    RegistrySuggestion,
)
from supplychain.registry.schemas import (
    ChangeRead,
    LinkRead,
    ProfileRead,
    ProposalRead,
    SuggestionRead,
)

PROGRAMME_STAFF = "programme staff"


def profile_read(profile: RecruiterProfile) -> ProfileRead:
    return ProfileRead.model_validate(profile, from_attributes=True)


def change_read(change: RegistryChange, *, emails: dict[int, str] | None) -> ChangeRead:
    """``emails`` for programme staff; None for an organisation's users."""
    who = emails.get(change.user_id or 0) if emails is not None else PROGRAMME_STAFF
    return ChangeRead(
        id=change.id or 0,
        at=change.at,
        action=change.action,
        reason=change.reason,
        user=who,
        proposal_id=change.proposal_id,
        changes=change.changes,
    )


def proposal_read(proposal: RegistryProposal) -> ProposalRead:
    return ProposalRead.model_validate(proposal, from_attributes=True)


def link_read(link: NodeRegistryLink, node: Node, profile: RecruiterProfile) -> LinkRead:
    return LinkRead(
        node_id=node.id or 0,
        node_external_id=node.external_id,
        node_name=node.name,
        profile=profile_read(profile),
        kind=link.kind.value,
        linked_at=link.linked_at,
    )


def suggestion_read(
    suggestion: RegistrySuggestion, node: Node, profile: RecruiterProfile
) -> SuggestionRead:
    return SuggestionRead(
        id=suggestion.id or 0,
        node_id=node.id or 0,
        node_external_id=node.external_id,
        node_name=node.name,
        profile=profile_read(profile),
        similarity=suggestion.similarity,
        state=suggestion.state.value,
    )
