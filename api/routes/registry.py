"""The recruiter registry shared across organisations: programme staff curate it, every
signed-in user reads it, organisations propose entries and corrections, and each network's
recruiter nodes link to it (by licence) or are offered name matches to accept or reject."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from sqlmodel import col, select

from api.accounts.models import User
from api.deps import (
    AdminDep,
    NetworkDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    WritableNetworkDep,
    WriterDep,
)
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.pagination import Page, PageDep
from core import changes
from core.errors import InvalidInput, PayloadTooLarge
from core.schemas import IdParam, QueryText
from supplychain.models import Node
from supplychain.registry import licence_lists
from supplychain.registry import presenters as views
from supplychain.registry import service as registry
from supplychain.registry.models import ProposalState, SuggestionState
from supplychain.registry.schemas import (
    ChangeRead,
    LicenceListRead,
    LinkRead,
    MatchRead,
    ProfileCreate,
    ProfileRead,
    ProfileUpdate,
    ProposalCreate,
    ProposalDecision,
    ProposalRead,
    SuggestionRead,
)

router = APIRouter(responses={**AUTH_RESPONSES, **NOT_FOUND}, tags=["registry"])
ENTRIES = "/registry/recruiters"
NETWORK = "/networks/{network_id}/registry"


@router.get(ENTRIES, response_model=Page[ProfileRead], operation_id="registry-list")
def list_profiles(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    q: Annotated[QueryText | None, Query(max_length=200, description="part of a name")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    licence: Annotated[QueryText | None, Query(max_length=100)] = None,
) -> Page[ProfileRead]:
    """Registry entries by name; filtered by country and licence number (written any way)."""
    rows, total = registry.list_profiles(
        session, q=q, country=country, licence=licence, limit=page.limit, offset=page.offset
    )
    return Page[ProfileRead](
        items=[views.profile_read(p) for p in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    ENTRIES,
    response_model=ProfileRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="registry-create",
    responses={**CONFLICT, **INVALID},
)
def create_profile(data: ProfileCreate, session: SessionDep, principal: AdminDep) -> ProfileRead:
    """Programme staff add an entry, saying why (its source); every network's recruiter
    holding the same licence in the same country is linked to it at once."""
    return views.profile_read(registry.create_profile(session, data, user_id=principal.user.id))


@router.get(f"{ENTRIES}/{{profile_id}}", response_model=ProfileRead, operation_id="registry-get")
def get_profile(profile_id: IdParam, session: SessionDep, principal: PrincipalDep) -> ProfileRead:
    return views.profile_read(registry.get_profile(session, profile_id))


@router.patch(
    f"{ENTRIES}/{{profile_id}}",
    response_model=ProfileRead,
    operation_id="registry-update",
    responses={**CONFLICT, **INVALID},
)
def update_profile(
    profile_id: IdParam, data: ProfileUpdate, session: SessionDep, principal: AdminDep
) -> ProfileRead:
    """Programme staff correct an entry, saying why; the history keeps each field's old value."""
    profile = registry.get_profile(session, profile_id)
    fields = data.model_dump(exclude_unset=True, exclude={"reason"})
    return views.profile_read(
        registry.update_profile(
            session, profile, fields, reason=data.reason, user_id=principal.user.id
        )
    )


@router.get(
    f"{ENTRIES}/{{profile_id}}/history",
    response_model=list[ChangeRead],
    operation_id="registry-history",
)
def profile_history(
    profile_id: IdParam, session: SessionDep, principal: PrincipalDep
) -> list[ChangeRead]:
    """Every change, oldest first: what changed, why, and (for programme staff) who."""
    changes = registry.history(session, registry.get_profile(session, profile_id))
    emails = None
    if principal.scope.all_organisations:
        ids = {c.user_id for c in changes if c.user_id}
        emails = {
            u.id or 0: u.email
            for u in session.exec(select(User).where(col(User.id).in_(ids))).all()
        }
    return [views.change_read(c, emails=emails) for c in changes]


@router.post(
    "/registry/proposals",
    response_model=ProposalRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="registry-propose",
    responses={**INVALID},
)
def propose(data: ProposalCreate, session: SessionDep, principal: WriterDep) -> ProposalRead:
    """An organisation proposes a new entry (no `profile_id`) or a correction; programme
    staff decide. Nothing changes in the registry until they accept."""
    return views.proposal_read(
        registry.propose(
            session,
            data,
            organisation_id=principal.user.organisation_id,
            user_id=principal.user.id,
        )
    )


@router.get(
    "/registry/proposals", response_model=list[ProposalRead], operation_id="registry-proposals"
)
def list_proposals(
    session: SessionDep, principal: PrincipalDep, state: ProposalState | None = None
) -> list[ProposalRead]:
    """Programme staff see every organisation's proposals; others their organisation's own."""
    organisation = None if principal.scope.all_organisations else principal.user.organisation_id
    rows = registry.list_proposals(
        session, organisation_id=organisation, state=state.value if state else None
    )
    return [views.proposal_read(p) for p in rows]


@router.post(
    "/registry/proposals/{proposal_id}/decision",
    response_model=ProposalRead,
    operation_id="registry-decide",
    responses={**CONFLICT, **INVALID},
)
def decide(
    proposal_id: IdParam, data: ProposalDecision, session: SessionDep, principal: AdminDep
) -> ProposalRead:
    """Programme staff accept a proposal (the entry is created or corrected, with the
    proposal's reason in its history) or reject it."""
    proposal = registry.get_proposal(session, proposal_id)
    return views.proposal_read(
        registry.decide_proposal(
            session,
            proposal,
            accept=data.decision == "accept",
            note=data.note,
            user_id=principal.user.id,
        )
    )


@router.post(
    "/registry/licence-lists",
    response_model=LicenceListRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="registry-import-licence-list",
    responses={**INVALID, 415: {"description": "Unsupported file type"}},
)
def import_licence_list(
    session: SessionDep,
    principal: AdminDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The authority's list, CSV or XLSX")],
    authority: Annotated[str, Form(min_length=2, max_length=200)],
    country: Annotated[str, Form(min_length=2, max_length=60)],
    published_on: Annotated[dt.date, Form(description="the date the authority published it")],
    source: Annotated[str, Form(min_length=3, max_length=500, description="where it was read")],
    illustrative: Annotated[bool, Form(description="sample data, never real")] = False,
    mapping: Annotated[
        str | None,
        Form(
            max_length=2000,
            description='JSON: our column -> the file\'s header, e.g. {"licence_number": '
            '"Licence No.", "name": "Agency", "status": "Status", "valid_until": "Expiry"}',
        ),
    ] = None,
) -> LicenceListRead:
    """Programme staff import an authority's list of licensed recruiters; all or nothing, each
    problem named by row and column. Every recruiter licensed in that country is then checked
    against it: a licence missing, not on the list, expired, suspended or revoked is a finding
    naming the list and its date."""
    limit = settings.max_evidence_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The licence list is larger than {limit:,} bytes")
    try:
        columns = json.loads(mapping) if mapping else None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The mapping is not JSON: {error}",
            errors=[{"field": "mapping", "message": "not JSON"}],
        ) from error
    if columns is not None and not (
        isinstance(columns, dict) and all(isinstance(v, str) for v in columns.values())
    ):
        raise InvalidInput(
            "The mapping is an object of column names",
            errors=[{"field": "mapping", "message": "an object of strings"}],
        )
    imported = licence_lists.import_licence_list(
        session,
        authority=authority.strip(),
        country=country,
        published_on=published_on,
        source=source.strip(),
        illustrative=illustrative,
        filename=file.filename or "",
        data=data,
        mapping=columns,
        user_id=principal.user.id,
    )
    for network_id in licence_lists.networks_checked_against(session, imported.country):
        changes.network_changed(session, network_id)
    return LicenceListRead.model_validate(imported, from_attributes=True)


@router.get(
    "/registry/licence-lists",
    response_model=list[LicenceListRead],
    operation_id="registry-licence-lists",
)
def list_licence_lists(session: SessionDep, principal: PrincipalDep) -> list[LicenceListRead]:
    """The authority lists imported, newest publication first."""
    return [
        LicenceListRead.model_validate(r, from_attributes=True)
        for r in licence_lists.all_lists(session)
    ]


@router.post(f"{NETWORK}/match", response_model=MatchRead, operation_id="registry-match")
def match(session: SessionDep, network: WritableNetworkDep) -> MatchRead:
    """Link the network's recruiters to the registry by licence and country, and offer name
    matches as suggestions to accept or reject."""
    result = registry.match_network(session, network)
    return MatchRead(
        recruiters=result.recruiters,
        linked=result.linked,
        newly_linked=result.newly_linked,
        suggestions_open=result.suggestions_open,
        unmatched=result.unmatched,
    )


@router.get(f"{NETWORK}/links", response_model=list[LinkRead], operation_id="registry-links")
def list_links(session: SessionDep, network: NetworkDep) -> list[LinkRead]:
    return [views.link_read(*row) for row in registry.links(session, network)]


@router.get(
    f"{NETWORK}/suggestions",
    response_model=list[SuggestionRead],
    operation_id="registry-suggestions",
)
def list_suggestions(
    session: SessionDep, network: NetworkDep, state: SuggestionState | None = SuggestionState.open
) -> list[SuggestionRead]:
    rows = registry.suggestions(session, network, state=state.value if state else None)
    return [views.suggestion_read(*row) for row in rows]


@router.post(
    f"{NETWORK}/suggestions/{{suggestion_id}}/{{decision}}",
    response_model=SuggestionRead,
    operation_id="registry-decide-suggestion",
    responses={**CONFLICT},
)
def decide_suggestion(
    suggestion_id: IdParam,
    decision: Literal["accept", "reject"],
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> SuggestionRead:
    """Accept (link the node to the entry) or reject (never offered again) a name match."""
    suggestion = registry.decide_suggestion(
        session, network, suggestion_id, accept=decision == "accept", user_id=principal.user.id
    )
    node = session.get(Node, suggestion.node_id)
    profile = registry.get_profile(session, suggestion.profile_id)
    assert node is not None  # decide_suggestion found it in this network
    return views.suggestion_read(suggestion, node, profile)
