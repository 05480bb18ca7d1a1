"""The recruiter registry: profiles curated by programme staff, proposals from organisations,
the history of every change, and the links from networks' recruiter nodes.

A node links to a profile by itself only on the same licence in the same country; a name
alone is offered as a suggestion that an analyst of the node's organisation accepts or
rejects. Nothing is ever merged silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from supplychain.models import Network, Node
from supplychain.registry.matching import SUGGEST_AT, licence_key, name_key, similarity
from supplychain.registry.models import (
    LinkKind,
    NodeRegistryLink,
    ProposalState,
    RecruiterProfile,
    RegistryChange,
    RegistryProposal,
    RegistrySuggestion,
    SuggestionState,
)
from supplychain.registry.schemas import ProfileCreate, ProfileFields, ProposalCreate
from supplychain.vocabulary import NodeKind

CHANGE_FIELDS = tuple(ProfileFields.model_fields)


def _plain(value: Any) -> Any:
    """A value as the history keeps it (JSON): dates as ISO text, enums as their value."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return getattr(value, "value", value)


def _apply(profile: RecruiterProfile, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the given fields; what changed, as {field: [before, after]}."""
    changes: dict[str, list[Any]] = {}
    for name in CHANGE_FIELDS:
        if name not in fields:
            continue
        new = _plain(fields[name])
        old = _plain(getattr(profile, name))
        if new == old:
            continue
        changes[name] = [old, new]
        setattr(profile, name, fields[name] if not isinstance(new, list) else new)
    profile.licence_key = licence_key(profile.licence_number)
    profile.name_key = name_key(profile.legal_name)
    return changes


def _check_unique(session: Session, profile: RecruiterProfile) -> None:
    if profile.licence_key is None:
        return
    other = session.exec(
        select(RecruiterProfile).where(
            RecruiterProfile.country == profile.country,
            RecruiterProfile.licence_key == profile.licence_key,
            col(RecruiterProfile.id) != profile.id,
        )
    ).first()
    if other is not None:
        raise Conflict(
            f"Licence {profile.licence_number} in {profile.country} is already entry "
            f"{other.id} ({other.legal_name}); correct that entry instead",
            errors=[{"field": "licence_number", "message": f"already entry {other.id}"}],
        )


def _fields(data: ProfileFields) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True, exclude={"reason"})
    if values.get("trading_names") is None:
        values.pop("trading_names", None)
    for name in ("commitments", "sanctions"):
        if name in values and values[name] is None:
            values[name] = []
    return values


def _record(
    session: Session,
    profile: RecruiterProfile,
    *,
    action: str,
    reason: str,
    changes: dict[str, list[Any]],
    user_id: int | None,
    proposal_id: int | None = None,
) -> None:
    session.add(
        RegistryChange(
            profile_id=profile.id or 0,
            user_id=user_id,
            action=action,
            reason=reason,
            proposal_id=proposal_id,
            changes=changes,
        )
    )


def create_profile(
    session: Session,
    data: ProfileCreate,
    *,
    user_id: int | None,
    proposal_id: int | None = None,
    reason: str | None = None,
) -> RecruiterProfile:
    profile = RecruiterProfile(legal_name="", country="", name_key="")
    changes = _apply(profile, _fields(data))
    _check_unique(session, profile)
    session.add(profile)
    session.flush()
    _record(
        session,
        profile,
        action="proposal_accepted" if proposal_id else "created",
        reason=reason or data.reason,
        changes=changes,
        user_id=user_id,
        proposal_id=proposal_id,
    )
    link_licence_everywhere(session, profile)
    session.flush()
    return profile


def update_profile(
    session: Session,
    profile: RecruiterProfile,
    fields: dict[str, Any],
    *,
    reason: str,
    user_id: int | None,
    proposal_id: int | None = None,
) -> RecruiterProfile:
    before = profile.licence_key
    changes = _apply(profile, fields)
    if not changes:
        raise InvalidInput(
            "Nothing would change: every field given already has that value",
            errors=[{"field": "body", "message": "no change"}],
        )
    _check_unique(session, profile)
    profile.version += 1
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    _record(
        session,
        profile,
        action="proposal_accepted" if proposal_id else "updated",
        reason=reason,
        changes=changes,
        user_id=user_id,
        proposal_id=proposal_id,
    )
    if profile.licence_key != before:
        link_licence_everywhere(session, profile)
    session.flush()
    return profile


def get_profile(session: Session, profile_id: int) -> RecruiterProfile:
    profile = session.get(RecruiterProfile, profile_id)
    if profile is None:
        raise NotFound(f"Registry entry {profile_id} was not found")
    return profile


def list_profiles(
    session: Session,
    *,
    q: str | None,
    country: str | None,
    licence: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[RecruiterProfile], int]:
    statement = select(RecruiterProfile)
    if country:
        statement = statement.where(RecruiterProfile.country == country.upper())
    if licence:
        statement = statement.where(RecruiterProfile.licence_key == licence_key(licence))
    if q:
        statement = statement.where(col(RecruiterProfile.name_key).contains(name_key(q)))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(RecruiterProfile.legal_name), col(RecruiterProfile.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def history(session: Session, profile: RecruiterProfile) -> Sequence[RegistryChange]:
    return session.exec(
        select(RegistryChange)
        .where(RegistryChange.profile_id == profile.id)
        .order_by(col(RegistryChange.id))
    ).all()


# Proposals -------------------------------------------------------------------------------------


def propose(
    session: Session, data: ProposalCreate, *, organisation_id: int, user_id: int | None
) -> RegistryProposal:
    fields = data.fields.model_dump(mode="json", exclude_unset=True)
    if not fields:
        raise InvalidInput(
            "A proposal needs at least one field", errors=[{"field": "fields", "message": "empty"}]
        )
    if data.profile_id is None:  # a whole new entry: what programme staff would need
        try:
            ProfileCreate.model_validate({**fields, "reason": data.reason})
        except ValidationError as error:
            raise InvalidInput(
                "A proposed new entry needs at least its legal name and country",
                errors=[
                    {
                        "field": "fields." + ".".join(str(p) for p in e["loc"]),
                        "message": str(e["msg"]).removeprefix("Value error, "),
                    }
                    for e in error.errors()
                ],
            ) from error
    else:
        get_profile(session, data.profile_id)
    proposal = RegistryProposal(
        organisation_id=organisation_id,
        profile_id=data.profile_id,
        fields=fields,
        reason=data.reason,
        proposed_by=user_id,
    )
    session.add(proposal)
    session.flush()
    return proposal


def list_proposals(
    session: Session, *, organisation_id: int | None, state: str | None
) -> Sequence[RegistryProposal]:
    """``organisation_id`` None: every organisation's (programme staff)."""
    statement = select(RegistryProposal)
    if organisation_id is not None:
        statement = statement.where(RegistryProposal.organisation_id == organisation_id)
    if state:
        statement = statement.where(RegistryProposal.state == state)
    return session.exec(statement.order_by(col(RegistryProposal.id).desc())).all()


def get_proposal(session: Session, proposal_id: int) -> RegistryProposal:
    proposal = session.get(RegistryProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"Proposal {proposal_id} was not found")
    return proposal


def decide_proposal(
    session: Session,
    proposal: RegistryProposal,
    *,
    accept: bool,
    note: str,
    user_id: int | None,
) -> RegistryProposal:
    if proposal.state != ProposalState.open:
        raise Conflict(f"Proposal {proposal.id} was already {proposal.state.value}")
    reason = f"{proposal.reason}" + (f" (decision: {note})" if note else "")
    if accept:
        if proposal.profile_id is None:
            data = ProfileCreate.model_validate({**proposal.fields, "reason": proposal.reason})
            profile = create_profile(
                session, data, user_id=user_id, proposal_id=proposal.id, reason=reason
            )
            proposal.profile_id = profile.id
        else:
            fields = _fields(ProfileFields.model_validate(proposal.fields))
            update_profile(
                session,
                get_profile(session, proposal.profile_id),
                fields,
                reason=reason,
                user_id=user_id,
                proposal_id=proposal.id,
            )
    proposal.state = ProposalState.accepted if accept else ProposalState.rejected
    proposal.decided_by, proposal.decided_at, proposal.decision_note = user_id, utcnow(), note
    session.add(proposal)
    session.flush()
    return proposal


# Links and suggestions -------------------------------------------------------------------------


def _licence_country(node: Node) -> str:
    return node.licence_country or node.country


def link_licence_everywhere(session: Session, profile: RecruiterProfile) -> int:
    """Link every unlinked recruiter node, in any network, holding this profile's licence."""
    if profile.licence_key is None:
        return 0
    linked = set(session.exec(select(NodeRegistryLink.node_id)).all())
    candidates = session.exec(
        select(Node).where(
            Node.kind == NodeKind.recruiter,
            col(Node.licence).is_not(None),
            or_(
                col(Node.licence_country) == profile.country,
                (col(Node.licence_country).is_(None)) & (col(Node.country) == profile.country),
            ),
        )
    ).all()
    count = 0
    for node in candidates:
        if node.id not in linked and licence_key(node.licence) == profile.licence_key:
            session.add(
                NodeRegistryLink(
                    node_id=node.id or 0, profile_id=profile.id or 0, kind=LinkKind.licence
                )
            )
            count += 1
    return count


@dataclass(frozen=True)
class MatchResult:
    recruiters: int
    linked: int
    newly_linked: int
    suggestions_open: int

    @property
    def unmatched(self) -> int:
        return self.recruiters - self.linked


def _profiles_by_country(
    session: Session, countries: Iterable[str]
) -> dict[str, list[RecruiterProfile]]:
    found: dict[str, list[RecruiterProfile]] = defaultdict(list)
    for profile in session.exec(
        select(RecruiterProfile).where(col(RecruiterProfile.country).in_(set(countries)))
    ).all():
        found[profile.country].append(profile)
    return found


def has_entries(session: Session) -> bool:
    return session.exec(select(RecruiterProfile.id).limit(1)).first() is not None


def _name_keys(profile: RecruiterProfile) -> list[str]:
    return [profile.name_key, *(name_key(n) for n in profile.trading_names)]


WordIndex = dict[tuple[str, str], list[RecruiterProfile]]


def _word_index(profiles: dict[str, list[RecruiterProfile]]) -> WordIndex:
    """Profiles by (country, word of a name key): a node is compared only with the profiles
    sharing a word of its name, so matching a network of thousands of recruiters against a
    registry of thousands of entries stays a few comparisons per node."""
    index: WordIndex = defaultdict(list)
    for country, group in profiles.items():
        for profile in group:
            for word in {w for k in _name_keys(profile) for w in k.split()}:
                index[(country, word)].append(profile)
    return index


def _sharing_a_word(index: WordIndex, country: str, key: str) -> list[RecruiterProfile]:
    found: dict[int, RecruiterProfile] = {}
    for word in key.split():
        for profile in index.get((country, word), ()):
            found[profile.id or 0] = profile
    return list(found.values())


def match_network(session: Session, network: Network) -> MatchResult:
    """Link the network's recruiters by licence, and offer name matches as suggestions (one
    per node and profile, and never again once rejected)."""
    nodes = session.exec(
        select(Node).where(Node.network_id == network.id, Node.kind == NodeKind.recruiter)
    ).all()
    ids = [n.id for n in nodes]
    linked = set(
        session.exec(
            select(NodeRegistryLink.node_id).where(col(NodeRegistryLink.node_id).in_(ids))
        ).all()
    )
    known = {
        (s.node_id, s.profile_id)
        for s in session.exec(
            select(RegistrySuggestion).where(col(RegistrySuggestion.node_id).in_(ids))
        ).all()
    }
    profiles = _profiles_by_country(
        session, {_licence_country(n) for n in nodes} | {n.country for n in nodes}
    )
    by_licence: dict[tuple[str, str | None], RecruiterProfile] = {
        (p.country, p.licence_key): p for group in profiles.values() for p in group if p.licence_key
    }
    index = _word_index(profiles)
    newly = 0
    for node in nodes:
        if node.id in linked:
            continue
        profile = by_licence.get((_licence_country(node), licence_key(node.licence)))
        if profile is not None:
            session.add(
                NodeRegistryLink(
                    node_id=node.id or 0, profile_id=profile.id or 0, kind=LinkKind.licence
                )
            )
            linked.add(node.id or 0)
            newly += 1
            continue
        key = name_key(node.name)
        for candidate in _sharing_a_word(index, node.country, key):
            score = max(similarity(key, k) for k in _name_keys(candidate))
            if score >= SUGGEST_AT and (node.id, candidate.id) not in known:
                session.add(
                    RegistrySuggestion(
                        node_id=node.id or 0, profile_id=candidate.id or 0, similarity=score
                    )
                )
                known.add((node.id or 0, candidate.id or 0))
    session.flush()
    open_count = session.exec(
        select(func.count())
        .select_from(RegistrySuggestion)
        .where(
            col(RegistrySuggestion.node_id).in_(ids),
            RegistrySuggestion.state == SuggestionState.open,
        )
    ).one()
    return MatchResult(len(nodes), len(linked), newly, open_count)


def links(
    session: Session, network: Network
) -> list[tuple[NodeRegistryLink, Node, RecruiterProfile]]:
    rows = session.exec(
        select(NodeRegistryLink, Node, RecruiterProfile)
        .join(Node, col(Node.id) == col(NodeRegistryLink.node_id))
        .join(RecruiterProfile, col(RecruiterProfile.id) == col(NodeRegistryLink.profile_id))
        .where(Node.network_id == network.id)
        .order_by(col(Node.external_id))
    ).all()
    return [(link, node, profile) for link, node, profile in rows]


def suggestions(
    session: Session, network: Network, *, state: str | None = SuggestionState.open
) -> list[tuple[RegistrySuggestion, Node, RecruiterProfile]]:
    statement = (
        select(RegistrySuggestion, Node, RecruiterProfile)
        .join(Node, col(Node.id) == col(RegistrySuggestion.node_id))
        .join(RecruiterProfile, col(RecruiterProfile.id) == col(RegistrySuggestion.profile_id))
        .where(Node.network_id == network.id)
    )
    if state:
        statement = statement.where(RegistrySuggestion.state == state)
    rows = session.exec(
        statement.order_by(col(Node.external_id), col(RegistrySuggestion.similarity).desc())
    ).all()
    return [(s, node, profile) for s, node, profile in rows]


def decide_suggestion(
    session: Session, network: Network, suggestion_id: int, *, accept: bool, user_id: int | None
) -> RegistrySuggestion:
    suggestion = session.get(RegistrySuggestion, suggestion_id)
    node = session.get(Node, suggestion.node_id) if suggestion else None
    if suggestion is None or node is None or node.network_id != network.id:
        raise NotFound(f"Suggestion {suggestion_id} was not found in network {network.id}")
    if suggestion.state != SuggestionState.open:
        raise Conflict(f"Suggestion {suggestion_id} was already {suggestion.state.value}")
    if accept:
        existing = session.exec(
            select(NodeRegistryLink).where(NodeRegistryLink.node_id == node.id)
        ).first()
        if existing is not None:
            raise Conflict(
                f"{node.external_id} is already linked to registry entry {existing.profile_id}"
            )
        session.add(
            NodeRegistryLink(
                node_id=node.id or 0,
                profile_id=suggestion.profile_id,
                kind=LinkKind.accepted,
                linked_by=user_id,
            )
        )
    suggestion.state = SuggestionState.accepted if accept else SuggestionState.rejected
    suggestion.decided_by, suggestion.decided_at = user_id, utcnow()
    session.add(suggestion)
    session.flush()
    return suggestion
