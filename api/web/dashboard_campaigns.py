"""The dashboard's campaign pages: a network's campaigns with what is due this month, and one
campaign's settings and targets, each with its status, its last email and (for analysts and
admins) the invitation link to copy.

Statuses are computed at read time by ``audit.campaigns`` (the presenters the API uses), so the
pages say what the API says and a GET writes nothing. The create form goes through the API's
own model and service (``CampaignCreate``, ``create_campaign``), so it refuses what the API
refuses, naming the field, and writes nothing when it does; closing goes through
``close_campaign``. Both are refused to viewers (403) like the API refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import Principal, SessionDep, SettingsDep
from api.jobs.campaigns import links_of
from api.jobs.handlers import CAMPAIGN_CREATE, CAMPAIGN_SEND
from api.jobs.submit import queue_of, submit
from api.settings import Settings
from api.web.dashboard_session import (
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    utc_now,
    writer,
)
from api.web.form_errors import validation_errors
from api.web.pagination import pager, read_paging, searched
from audit.campaigns import presenters as views
from audit.campaigns import service as campaigns
from audit.campaigns.schedule import TargetStatus
from audit.campaigns.schemas import (
    Band,
    CampaignCreate,
    CampaignRead,
    DueItem,
    SendRead,
    StatusCounts,
    TargetRead,
)
from core.errors import FairpathError, InvalidInput
from core.numbers import plural_word
from questionnaires import service as questionnaires
from supplychain.models import Network
from supplychain.vocabulary import NodeKind, RecruiterRole

router = APIRouter(include_in_schema=False)
LIST = "/dashboard/networks/{network_id}/campaigns"
ONE = LIST + "/{campaign_id}"
READ_ONLY = "Viewers cannot close campaigns; ask an analyst or an admin."
# Rows of the "Due this month" table; the API's /campaigns/due pages them all.
DUE_ROWS = 100
# Query parameters that say what a post did: kept off the page links.
DROPPED = ("closed", "created")
STATUS_WORDS = {
    TargetStatus.not_sent: "not sent",
    TargetStatus.sent: "sent",
    TargetStatus.opened: "opened",
    TargetStatus.in_progress: "in progress",
    TargetStatus.submitted: "submitted",
    TargetStatus.overdue: "overdue",
    TargetStatus.accepted: "accepted",
}


def offsets_in_words(offsets: list[int]) -> str:
    """``[-7, -3, -1, 2]`` as "7, 3 and 1 days before the due date; 2 days after it"."""

    def listed(days: list[int]) -> str:
        words = [str(d) for d in days]
        joined = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        return f"{joined} {'day' if days == [1] else 'days'}"

    before = sorted((-o for o in offsets if o < 0), reverse=True)
    after = sorted(o for o in offsets if o > 0)
    parts = []
    if before:
        parts.append(f"{listed(before)} before the due date")
    if 0 in offsets:
        parts.append("on the due date")
    if after:
        parts.append(
            f"{listed(after)} after it" if parts else f"{listed(after)} after the due date"
        )
    return "; ".join(parts) if parts else "none"


def counts_in_words(counts: StatusCounts) -> list[str]:
    """The statuses that some target has, in the order a respondent moves through them."""
    found = counts.model_dump()
    return [
        f"{found[status.value]} {words}"
        for status, words in STATUS_WORDS.items()
        if found[status.value]
    ]


@dataclass(frozen=True)
class LastEmail:
    """A target's latest email as the table prints it."""

    what: str
    state: str
    at: datetime | None
    error: str | None
    attempts: int


def last_email(sends: list[SendRead]) -> LastEmail | None:
    if not sends:
        return None
    send = sends[-1]
    if send.kind == "invitation":
        what = "invitation"
    elif send.offset_days == 0:
        what = "reminder on the due date"
    else:
        days = abs(send.offset_days)
        side = "before" if send.offset_days < 0 else "after"
        what = f"reminder {days} {'day' if days == 1 else 'days'} {side}"
    tried = [entry.get("at") for entry in send.history if entry.get("at")]
    at = send.sent_at or (datetime.fromisoformat(str(tried[-1])) if tried else None)
    return LastEmail(what, send.state, at, send.last_error, send.attempts)


def _status(raw: str | None) -> TargetStatus | None:
    if not raw:
        return None
    try:
        return TargetStatus(raw)
    except ValueError as exc:
        known = ", ".join(s.value for s in TargetStatus)
        raise PageError(422, f"{raw!r} is not a campaign status (one of {known}).") from exc


@dataclass
class CampaignForm:
    """What the create form was sent, to show it again with its errors beside it."""

    name: str = ""
    questionnaire_id: str = ""
    kinds: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    countries: str = ""
    corridors: str = ""
    bands: list[str] = field(default_factory=list)
    nodes: str = ""
    due_date: str = ""
    reminder_offsets: str = "-7, -3, -1, 2"
    repeat_months: str = ""
    response_days: str = "30"
    contact_name: str = ""
    contact_email: str = ""
    language: str = "en"
    contacts: str = ""


def _words(raw: str) -> list[str]:
    """Items typed into one field, separated by commas, spaces or lines."""
    return [w for w in re.split(r"[\s,;]+", raw.strip()) if w]


def _number(raw: str) -> int | str | None:
    """A number typed in a form arrives as text: as a number when it is one, else as typed,
    for the model to refuse naming the field; empty is None."""
    text = raw.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _offsets(raw: str) -> list[int | str]:
    return [n for n in (_number(w) for w in _words(raw)) if n is not None]


def _contacts(raw: str) -> list[dict[str, str | None]]:
    """One contact per line: ``node, name, email, language`` (name and language optional)."""
    found: list[dict[str, str | None]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        parts = [p.strip() for p in line.split(",")]
        if not any(parts):
            continue
        if len(parts) < 3 or len(parts) > 4:
            raise InvalidInput(
                f"Contacts line {number} needs node, name, email and optionally language",
                errors=[{"field": "contacts", "row": number, "message": "needs 3 or 4 values"}],
            )
        node, name, email = parts[:3]
        language = parts[3] if len(parts) == 4 and parts[3] else None
        found.append({"node": node, "name": name, "email": email or None, "language": language})
    return found


def _body(form: CampaignForm) -> dict[str, Any]:
    selection: dict[str, Any] = {
        "kinds": form.kinds,
        "roles": form.roles,
        "countries": [w.upper() for w in _words(form.countries)],
        "corridors": [w.upper() for w in _words(form.corridors)],
        "bands": form.bands,
        "nodes": _words(form.nodes),
    }
    return {
        "name": form.name,
        "questionnaire_id": _number(form.questionnaire_id),
        "selection": {k: v for k, v in selection.items() if v},
        "due_date": form.due_date or None,
        "reminder_offsets": _offsets(form.reminder_offsets),
        "repeat_months": _number(form.repeat_months),
        "response_days": _number(form.response_days) or 30,
        "contact_name": form.contact_name,
        "contact_email": form.contact_email,
        "language": form.language.strip().lower() or "en",
        "contacts": _contacts(form.contacts),
    }


# Each field of the create form: its input's id and its label, so that a refused field is
# named as the page names it, linked to, and marked invalid.
FORM_FIELDS = {
    "name": ("c-name", "Name"),
    "questionnaire_id": ("c-questionnaire", "Questionnaire"),
    "selection": ("c-selection", "Which nodes"),
    "selection.countries": ("c-countries", "Countries"),
    "selection.corridors": ("c-corridors", "Corridors"),
    "selection.nodes": ("c-nodes", "These nodes"),
    "due_date": ("c-due", "Due date"),
    "reminder_offsets": ("c-offsets", "Reminders"),
    "repeat_months": ("c-repeat", "Repeat"),
    "response_days": ("c-days", "Days to answer a repeat round"),
    "contact_name": ("c-contact", "Contact for questions: name"),
    "contact_email": ("c-contact-email", "Contact for questions: email"),
    "language": ("c-language", "Language"),
    "contacts": ("c-contacts", "Respondents' contacts"),
}


def refused_fields(
    errors: Sequence[Mapping[str, Any]],
) -> list[tuple[Mapping[str, Any], str, str]]:
    """Each problem with the id of the input it concerns and that input's label ("contacts.1.
    email" is "Respondents' contacts, line 2"); an unknown field keeps the API's name only."""
    found = []
    for problem in errors:
        parts = str(problem.get("field") or "").split(".")
        key = ".".join(parts[:2]) if ".".join(parts[:2]) in FORM_FIELDS else parts[0]
        where = FORM_FIELDS.get(key)
        if where is None:
            found.append((problem, "", ""))
            continue
        label = where[1]
        if parts[0] == "contacts" and len(parts) > 1 and parts[1].isdigit():
            label = f"{label}, line {int(parts[1]) + 1}"
        found.append((problem, where[0], label))
    return found


def _render_list(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    csrf: str,
    network: Network,
    *,
    status: int = 200,
    form: CampaignForm | None = None,
    form_message: str = "",
    form_errors: Sequence[Mapping[str, Any]] = (),
) -> Response:
    today = utc_now().date()
    paging = read_paging(request)
    rows, total = campaigns.list_campaigns(
        session, network=network, limit=paging.limit, offset=paging.offset
    )
    email_on = settings.smtp() is not None
    listed: list[CampaignRead] = [
        views.campaign_read(session, c, today=today, email_on=email_on) for c in rows
    ]
    due: list[DueItem] = [
        views.due_item(entry, today)
        for entry in campaigns.due_this_month(
            session, scope=principal.scope, today=today, network_id=network.id
        )
    ]
    return page(
        "campaigns.html",
        status,
        **base_context(
            principal,
            csrf,
            network=network,
            tab="campaigns",
            today=today,
            email_on=email_on,
            campaigns=listed,
            counts={c.id: counts_in_words(c.statuses) for c in listed},
            pager=pager(request, paging, total=total, shown=len(rows)),
            due=due[:DUE_ROWS],
            due_total=len(due),
            status_words=STATUS_WORDS,
            questionnaires=questionnaires.list_questionnaires(
                session, scope=principal.scope, latest_only=True
            ),
            kinds=[k.value for k in NodeKind if k != NodeKind.company],
            roles=[r.value for r in RecruiterRole],
            bands=list(Band.__args__),  # type: ignore[attr-defined]
            form=form or CampaignForm(due_date=(today + timedelta(days=30)).isoformat()),
            form_message=form_message,
            form_errors=list(form_errors),
            refused=refused_fields(form_errors),
            refused_ids={field_id for _p, field_id, _l in refused_fields(form_errors) if field_id},
        ),
    )


@router.get(LIST, response_class=HTMLResponse)
@guarded
def campaigns_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    return _render_list(request, session, settings, principal, csrf, network)


@router.post(LIST, response_class=HTMLResponse)
@guarded
def create_campaign(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    questionnaire_id: Annotated[str, Form(max_length=20)] = "",
    kinds: Annotated[list[str] | None, Form()] = None,
    roles: Annotated[list[str] | None, Form()] = None,
    countries: Annotated[str, Form(max_length=2000)] = "",
    corridors: Annotated[str, Form(max_length=2000)] = "",
    bands: Annotated[list[str] | None, Form()] = None,
    nodes: Annotated[str, Form(max_length=200_000)] = "",
    due_date: Annotated[str, Form(max_length=20)] = "",
    reminder_offsets: Annotated[str, Form(max_length=200)] = "",
    repeat_months: Annotated[str, Form(max_length=20)] = "",
    response_days: Annotated[str, Form(max_length=20)] = "",
    contact_name: Annotated[str, Form(max_length=400)] = "",
    contact_email: Annotated[str, Form(max_length=400)] = "",
    language: Annotated[str, Form(max_length=20)] = "",
    contacts: Annotated[str, Form(max_length=500_000)] = "",
) -> Response:
    """The API's create, from a form: the same model checks each field and the same service
    writes the campaign, so the page refuses what the API refuses, naming the field."""
    principal = writer(request, session, settings, csrf, "Viewers cannot create campaigns.")
    network = network_for(session, principal, network_id)
    form = CampaignForm(
        name=name,
        questionnaire_id=questionnaire_id,
        kinds=list(kinds or []),
        roles=list(roles or []),
        countries=countries,
        corridors=corridors,
        bands=list(bands or []),
        nodes=nodes,
        due_date=due_date,
        reminder_offsets=reminder_offsets,
        repeat_months=repeat_months,
        response_days=response_days,
        contact_name=contact_name,
        contact_email=contact_email,
        language=language,
        contacts=contacts,
    )
    try:
        data = CampaignCreate.model_validate(_body(form))
        today = utc_now().date()
        prepared = campaigns.prepare_campaign(
            session, scope=principal.scope, network=network, data=data, today=today
        )
        if len(prepared.nodes) > settings.inline_campaign_targets:
            job = submit(
                session,
                queue_of(request),
                organisation_id=network.organisation_id,
                kind=CAMPAIGN_CREATE,
                params={
                    "campaign": data.model_dump(mode="json"),
                    "user_id": principal.user.id,
                    "role": principal.role.value,
                },
                network_id=network.id,
                created_by=principal.user.id,
            )
            return RedirectResponse(f"/dashboard/jobs#job-{job.id}", status_code=303)
        campaign = campaigns.create_campaign(
            session,
            scope=principal.scope,
            network=network,
            data=data,
            actor=questionnaires.Actor.user(principal.user.id, principal.role.value),
            links=links_of(settings),
            today=today,
            invitation_days=settings.invitation_days,
            prepared=prepared,
        )
        session.commit()
    except (ValidationError, FairpathError) as refused:
        session.rollback()
        errors = (
            validation_errors(refused)
            if isinstance(refused, ValidationError)
            else refused.errors or []
        )
        message = (
            f"{len(errors)} {plural_word(len(errors), 'field is', 'fields are')} invalid."
            if isinstance(refused, ValidationError)
            else refused.detail
        )
        return _render_list(
            request,
            session,
            settings,
            principal,
            csrf,
            network,
            status=422 if isinstance(refused, ValidationError) else refused.status,
            form=form,
            form_message=message,
            form_errors=errors,
        )
    if settings.smtp() is not None:
        submit(
            session,
            queue_of(request),
            organisation_id=network.organisation_id,
            kind=CAMPAIGN_SEND,
            params={"campaign_id": campaign.id},
            network_id=network.id,
            created_by=principal.user.id,
        )
    return RedirectResponse(
        ONE.format(network_id=network_id, campaign_id=campaign.id) + "?created=1",
        status_code=303,
    )


@router.get(ONE, response_class=HTMLResponse)
@guarded
def campaign_page(
    network_id: int,
    campaign_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    status: str | None = None,
    closed: int = 0,
    created: int = 0,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    chosen = _status(status)
    paging = read_paging(request)
    today = utc_now().date()
    email_on = settings.smtp() is not None
    summary = views.campaign_read(session, campaign, today=today, email_on=email_on)
    found = searched(
        campaigns.target_views(session, campaign, today=today, status=chosen),
        paging.q,
        lambda v: " ".join(
            [v.node.name, v.node.external_id, v.target.contact_name, v.target.contact_email or ""]
        ),
    )
    shown = found[paging.offset : paging.offset + paging.limit]
    links = links_of(settings)
    targets: list[TargetRead] = [
        views.target_read(v, today=today, links=links, show_link=principal.can_write) for v in shown
    ]
    return page(
        "campaign.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="campaigns",
            today=today,
            email_on=email_on,
            c=summary,
            active=summary.state == "active",
            counts=counts_in_words(summary.statuses),
            reminders=offsets_in_words(summary.reminder_offsets),
            targets=targets,
            emails={t.id: last_email(t.sends) for t in targets},
            pager=pager(request, paging, total=len(found), shown=len(shown), drop=DROPPED),
            q=paging.q,
            status_filter=chosen.value if chosen else "",
            status_words=STATUS_WORDS,
            closed=bool(closed),
            created=bool(created),
        ),
    )


@router.post(ONE + "/close", response_class=HTMLResponse)
@guarded
def close_campaign(
    network_id: int,
    campaign_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    campaigns.close_campaign(session, campaign=campaign)
    return RedirectResponse(
        ONE.format(network_id=network_id, campaign_id=campaign_id) + "?closed=1",
        status_code=303,
    )
