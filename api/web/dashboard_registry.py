"""The dashboard's recruiter registry pages: the shared registry (searched by name or licence,
filtered by country), one entry with its history, and a network's "Registry" tab with its
recruiters' links and the name suggestions an analyst accepts or rejects.

The pages read through the registry's own service and presenters, as the API does, so they say
what the API says and a GET writes nothing: matching a network is a button (a POST), never a
side effect of looking. A change's author is named to programme staff only; everyone else sees
"programme staff" (``presenters.change_read``). Deciding a suggestion or running a match is
refused to viewers (403), and deciding a proposal to everyone but programme staff, as the API
refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.accounts.models import Role, User
from api.deps import Principal, SessionDep, SettingsDep
from api.web.dashboard_session import (
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    writer,
)
from api.web.form_errors import validation_errors
from api.web.pagination import pager, read_paging
from core.errors import FairpathError
from supplychain.registry import licence_lists
from supplychain.registry import presenters as views
from supplychain.registry import service as registry
from supplychain.registry.models import IrisStatus, LicenceStatus, RegistryChange
from supplychain.registry.schemas import (
    ChangeRead,
    LicenceListRead,
    ProposalCreate,
    ProposalRead,
)

router = APIRouter(include_in_schema=False)
REGISTRY = "/dashboard/registry"
ENTRY = REGISTRY + "/{profile_id}"
NETWORK = "/dashboard/networks/{network_id}/registry"
READ_ONLY = "Viewers cannot match recruiters or decide suggestions; ask an analyst or an admin."
STAFF_ONLY = "Only programme staff decide proposals to the registry."
DECISIONS = ("accept", "reject")
# Query parameters that say what a post did: kept off the page links.
DROPPED = ("decided", "proposal")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
MAX_LICENCE = 100
# Field names of the history as people read them.
FIELD_WORDS = {
    "legal_name": "legal name",
    "trading_names": "trading names",
    "country": "country",
    "address": "address",
    "licence_number": "licence number",
    "licensing_authority": "licensing authority",
    "licence_valid_from": "licence valid from",
    "licence_valid_until": "licence valid until",
    "licence_status": "licence status",
    "iris_status": "IRIS status",
    "iris_body": "IRIS certifying body",
    "iris_date": "IRIS date",
    "commitments": "commitments",
    "sanctions": "sanctions",
}
ACTION_WORDS = {
    "created": "created",
    "updated": "corrected",
    "proposal_accepted": "proposal accepted",
}


def shown(value: Any) -> str:
    """A value of the history (JSON) as text: lists joined, objects as "key value"."""
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, list):
        return "; ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{str(k).replace('_', ' ')} {shown(v)}"
            for k, v in value.items()
            if v not in (None, "")
        )
    return str(value)


def _country(raw: str | None) -> str:
    text = (raw or "").strip()
    if text and not COUNTRY.match(text):
        raise PageError(
            400, f"The country parameter must be a two-letter code such as NP, not {raw!r}."
        )
    return text.upper()


def _licence(raw: str | None) -> str:
    text = (raw or "").strip()
    if len(text) > MAX_LICENCE:
        raise PageError(400, f"The licence parameter is longer than {MAX_LICENCE} characters.")
    return text


def _is_staff(principal: Principal) -> bool:
    return principal.role == Role.admin


def _emails(session: Session, changes: Sequence[RegistryChange]) -> dict[int, str]:
    ids = {c.user_id for c in changes if c.user_id}
    if not ids:
        return {}
    return {
        u.id or 0: u.email for u in session.exec(select(User).where(col(User.id).in_(ids))).all()
    }


@router.get(REGISTRY, response_class=HTMLResponse)
@guarded
def registry_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    country: str | None = None,
    licence: str | None = None,
    decided: str | None = None,
    proposal: int | None = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    paging = read_paging(request)
    chosen = _country(country)
    number = _licence(licence)
    rows, total = registry.list_profiles(
        session,
        q=paging.q or None,
        country=chosen or None,
        licence=number or None,
        limit=paging.limit,
        offset=paging.offset,
    )
    staff = _is_staff(principal)
    proposals: list[ProposalRead] = []
    lists: list[LicenceListRead] = []
    if staff:
        proposals = [
            views.proposal_read(p)
            for p in registry.list_proposals(session, organisation_id=None, state="open")
        ]
        lists = [
            LicenceListRead.model_validate(r, from_attributes=True)
            for r in licence_lists.all_lists(session)
        ]
    return page(
        "registry.html",
        **base_context(
            principal,
            csrf,
            entries=[views.profile_read(p) for p in rows],
            pager=pager(request, paging, total=total, shown=len(rows), drop=DROPPED),
            q=paging.q,
            country=chosen,
            licence=number,
            filtered=bool(paging.q or chosen or number),
            staff=staff,
            proposals=proposals,
            lists=lists,
            field_words=FIELD_WORDS,
            shown=shown,
            decided=decided if decided in ("accepted", "rejected") else "",
            decided_id=proposal,
        ),
    )


@router.post(REGISTRY + "/proposals/{proposal_id}/{decision}", response_class=HTMLResponse)
@guarded
def decide_proposal(
    proposal_id: int,
    decision: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Programme staff accept (the entry is created or corrected, the proposal's reason in its
    history) or reject an organisation's proposal, as ``POST .../decision`` does."""
    if decision not in DECISIONS:
        raise PageError(404, "Not found.")
    principal = writer(request, session, settings, csrf, STAFF_ONLY)
    if not _is_staff(principal):
        raise PageError(403, STAFF_ONLY)
    found = registry.get_proposal(session, proposal_id)
    done = registry.decide_proposal(
        session, found, accept=decision == "accept", note=note.strip(), user_id=principal.user.id
    )
    return RedirectResponse(
        f"{REGISTRY}?decided={done.state.value}&proposal={done.id}#proposals", status_code=303
    )


@router.get(ENTRY, response_class=HTMLResponse)
@guarded
def entry_page(
    profile_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    proposed: int | None = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    return _entry(request, session, principal, csrf, profile_id, proposed=proposed)


def _entry(
    request: Request,
    session: Session,
    principal: Principal,
    csrf: str,
    profile_id: int,
    *,
    status: int = 200,
    proposed: int | None = None,
    form: dict[str, str] | None = None,
    form_message: str = "",
    form_errors: Sequence[Any] = (),
) -> Response:
    profile = registry.get_profile(session, profile_id)
    changes = registry.history(session, profile)
    # As the API: programme staff (every organisation in scope) see who; others "programme staff".
    emails = _emails(session, changes) if principal.scope.all_organisations else None
    history: list[ChangeRead] = [views.change_read(c, emails=emails) for c in changes]
    return page(
        "registry_entry.html",
        status,
        **base_context(
            principal,
            csrf,
            proposed=proposed,
            form=form or {},
            form_message=form_message,
            form_errors=list(form_errors),
            proposable=PROPOSABLE,
            licence_statuses=[s.value for s in LicenceStatus],
            iris_statuses=[s.value for s in IrisStatus],
            entry=views.profile_read(profile),
            history=list(reversed(history)),  # newest first
            field_words=FIELD_WORDS,
            action_words=ACTION_WORDS,
            shown=shown,
        ),
    )


# What an organisation may propose from the entry page; empty fields are left as they are.
PROPOSABLE = (
    "legal_name",
    "address",
    "licence_number",
    "licensing_authority",
    "licence_valid_until",
    "licence_status",
    "iris_status",
)


@router.post(ENTRY + "/proposals", response_class=HTMLResponse)
@guarded
def propose_correction(
    profile_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    legal_name: Annotated[str, Form(max_length=300)] = "",
    address: Annotated[str, Form(max_length=500)] = "",
    licence_number: Annotated[str, Form(max_length=100)] = "",
    licensing_authority: Annotated[str, Form(max_length=200)] = "",
    licence_valid_until: Annotated[str, Form(max_length=20)] = "",
    licence_status: Annotated[str, Form(max_length=20)] = "",
    iris_status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """An organisation proposes a correction through the API's own model and service;
    programme staff decide it on the registry page. Refused fields are named, nothing is
    written when one is."""
    principal = writer(request, session, settings, csrf, "Viewers cannot propose corrections.")
    typed = {
        "legal_name": legal_name,
        "address": address,
        "licence_number": licence_number,
        "licensing_authority": licensing_authority,
        "licence_valid_until": licence_valid_until,
        "licence_status": licence_status,
        "iris_status": iris_status,
    }
    fields = {k: v.strip() for k, v in typed.items() if v.strip()}
    try:
        data = ProposalCreate.model_validate(
            {"profile_id": profile_id, "fields": fields, "reason": reason}
        )
        proposal = registry.propose(
            session, data, organisation_id=principal.user.organisation_id, user_id=principal.user.id
        )
    except (ValidationError, FairpathError) as refused:
        session.rollback()
        errors = (
            validation_errors(refused) if isinstance(refused, ValidationError) else refused.errors
        )
        message = (
            "Check the fields below." if isinstance(refused, ValidationError) else refused.detail
        )
        return _entry(
            request,
            session,
            principal,
            csrf,
            profile_id,
            status=422 if isinstance(refused, ValidationError) else refused.status,
            form={**typed, "reason": reason},
            form_message=message,
            form_errors=errors or [],
        )
    return RedirectResponse(
        f"{ENTRY.format(profile_id=profile_id)}?proposed={proposal.id}#propose", status_code=303
    )


@router.get(NETWORK, response_class=HTMLResponse)
@guarded
def network_registry_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    matched: int | None = None,
    offered: int | None = None,
    accepted: int | None = None,
    rejected: int | None = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    return page(
        "network_registry.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="registry",
            links=[views.link_read(*row) for row in registry.links(session, network)],
            suggestions=[
                views.suggestion_read(*row) for row in registry.suggestions(session, network)
            ],
            matched=matched,
            offered=offered,
            accepted=accepted,
            rejected=rejected,
        ),
    )


@router.post(NETWORK + "/match", response_class=HTMLResponse)
@guarded
def match_network(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Link the network's recruiters by licence and offer name matches, as the API's match."""
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    result = registry.match_network(session, network)
    return RedirectResponse(
        NETWORK.format(network_id=network_id)
        + f"?matched={result.newly_linked}&offered={result.suggestions_open}",
        status_code=303,
    )


@router.post(NETWORK + "/suggestions/{suggestion_id}/{decision}", response_class=HTMLResponse)
@guarded
def decide_suggestion(
    network_id: int,
    suggestion_id: int,
    decision: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Accept (link the node to the entry) or reject (never offered again) a name match."""
    if decision not in DECISIONS:
        raise PageError(404, "Not found.")
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    registry.decide_suggestion(
        session, network, suggestion_id, accept=decision == "accept", user_id=principal.user.id
    )
    word = "accepted" if decision == "accept" else "rejected"
    return RedirectResponse(
        NETWORK.format(network_id=network_id) + f"?{word}={suggestion_id}", status_code=303
    )
