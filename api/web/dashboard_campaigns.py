"""The dashboard's campaign pages: a network's campaigns with what is due this month, and one
campaign's settings and targets, each with its status, its last email and (for analysts and
admins) the invitation link to copy.

Statuses are computed at read time by ``audit.campaigns`` (the presenters the API uses), so the
pages say what the API says and a GET writes nothing. Campaigns are created through the API or
``fairpath campaigns create``; the one change made here is closing a campaign, through
``audit.campaigns.service.close_campaign``, refused to viewers (403) like the API refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.jobs.campaigns import links_of
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
from api.web.pagination import pager, read_paging, searched
from audit.campaigns import presenters as views
from audit.campaigns import service as campaigns
from audit.campaigns.schedule import TargetStatus
from audit.campaigns.schemas import CampaignRead, DueItem, SendRead, StatusCounts, TargetRead

router = APIRouter(include_in_schema=False)
LIST = "/dashboard/networks/{network_id}/campaigns"
ONE = LIST + "/{campaign_id}"
READ_ONLY = "Viewers cannot close campaigns; ask an analyst or an admin."
# Rows of the "Due this month" table; the API's /campaigns/due pages them all.
DUE_ROWS = 100
# Query parameters that say what a post did: kept off the page links.
DROPPED = ("closed",)
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


@router.get(LIST, response_class=HTMLResponse)
@guarded
def campaigns_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
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
        ),
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
