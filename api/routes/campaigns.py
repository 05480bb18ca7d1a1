"""Assessment campaigns of a network: ask a chosen set of nodes one questionnaire with a due
date, follow each node's status, and send (or copy) the invitations and reminders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from api.deps import (
    ClockDep,
    NetworkDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    WritableNetworkDep,
)
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.jobs.campaigns import links_of
from api.jobs.handlers import CAMPAIGN_CREATE, CAMPAIGN_SEND
from api.jobs.submit import start_network_job
from api.pagination import Page, PageDep
from audit.campaigns import presenters as views
from audit.campaigns import service as campaigns
from audit.campaigns.schedule import TargetStatus
from audit.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    ContactUpdate,
    DueRead,
    TargetRead,
)
from core.errors import InvalidInput
from core.jobs.schemas import JobRead
from core.schemas import IdParam
from questionnaires.service import Actor

router = APIRouter(responses={**AUTH_RESPONSES, **NOT_FOUND}, tags=["campaigns"])
CAMPAIGNS = "/networks/{network_id}/campaigns"
ONE = CAMPAIGNS + "/{campaign_id}"
MonthQuery = Annotated[
    str | None,
    Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM; default this month"),
]


@router.post(
    CAMPAIGNS,
    response_model=CampaignRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="campaigns-create",
    responses={
        **INVALID,
        202: {
            "model": JobRead,
            "description": "More nodes than FAIRPATH_INLINE_CAMPAIGN_TARGETS (500): the "
            "campaign is written by a job; follow `Location`",
        },
    },
)
def create_campaign(
    data: CampaignCreate,
    request: Request,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    now: ClockDep,
) -> CampaignRead | JSONResponse:
    """Create the assessments and invitation links of every selected node at once. With
    email on, the invitations go out through the job queue straight after; with email off
    (no SMTP server configured) copy each target's `invitation_url` instead. Every check is
    made in the request (a refused campaign is a 422 naming the field); a campaign of more
    than 500 nodes is then written by a job (202)."""
    prepared = campaigns.prepare_campaign(
        session, scope=principal.scope, network=network, data=data, today=now.date()
    )
    if len(prepared.nodes) > settings.inline_campaign_targets:
        return start_network_job(
            request,
            session,
            network=network,
            user_id=principal.user.id,
            kind=CAMPAIGN_CREATE,
            params={
                "campaign": data.model_dump(mode="json"),
                "user_id": principal.user.id,
                "role": principal.role.value,
            },
        )
    campaign = campaigns.create_campaign(
        session,
        scope=principal.scope,
        network=network,
        data=data,
        actor=Actor.user(principal.user.id, principal.role.value),
        links=links_of(settings),
        today=now.date(),
        invitation_days=settings.invitation_days,
        prepared=prepared,
    )
    session.commit()
    if settings.smtp() is not None:
        start_network_job(
            request,
            session,
            network=network,
            user_id=principal.user.id,
            kind=CAMPAIGN_SEND,
            params={"campaign_id": campaign.id},
        )
    return views.campaign_read(
        session, campaign, today=now.date(), email_on=settings.smtp() is not None
    )


@router.get(CAMPAIGNS, response_model=Page[CampaignRead], operation_id="campaigns-list")
def list_campaigns(
    session: SessionDep, network: NetworkDep, page: PageDep, settings: SettingsDep, now: ClockDep
) -> Page[CampaignRead]:
    """The network's campaigns, newest first, each with its statuses counted."""
    rows, total = campaigns.list_campaigns(
        session, network=network, limit=page.limit, offset=page.offset
    )
    email_on = settings.smtp() is not None
    return Page[CampaignRead](
        items=[views.campaign_read(session, c, today=now.date(), email_on=email_on) for c in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(ONE, response_model=CampaignRead, operation_id="campaigns-get")
def get_campaign(
    campaign_id: IdParam,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    now: ClockDep,
) -> CampaignRead:
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    return views.campaign_read(
        session, campaign, today=now.date(), email_on=settings.smtp() is not None
    )


@router.get(f"{ONE}/targets", response_model=Page[TargetRead], operation_id="campaigns-targets")
def list_targets(
    campaign_id: IdParam,
    session: SessionDep,
    network: NetworkDep,
    principal: PrincipalDep,
    page: PageDep,
    settings: SettingsDep,
    now: ClockDep,
    status_: Annotated[TargetStatus | None, Query(alias="status")] = None,
) -> Page[TargetRead]:
    """Each node's current round: its status, contact, every email sent and its result, and
    (for analysts and admins) the invitation link to copy."""
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    found = campaigns.target_views(session, campaign, today=now.date(), status=status_)
    links = links_of(settings)
    shown = found[page.offset : page.offset + page.limit]
    return Page[TargetRead](
        items=[
            views.target_read(v, today=now.date(), links=links, show_link=principal.can_write)
            for v in shown
        ],
        total=len(found),
        limit=page.limit,
        offset=page.offset,
    )


@router.patch(
    f"{ONE}/targets/{{target_id}}",
    response_model=TargetRead,
    operation_id="campaigns-update-target",
    responses={**INVALID},
)
def update_target(
    campaign_id: IdParam,
    target_id: IdParam,
    data: ContactUpdate,
    session: SessionDep,
    network: WritableNetworkDep,
    settings: SettingsDep,
    now: ClockDep,
) -> TargetRead:
    """Change a node's contact: name, email address, language. Emails not yet sent use it."""
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    view = campaigns.update_contact(session, campaign=campaign, target_id=target_id, data=data)
    session.commit()
    return views.target_read(view, today=now.date(), links=links_of(settings), show_link=True)


@router.post(
    f"{ONE}/send",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="campaigns-send",
    responses={**CONFLICT, 202: {"description": "The job sending the emails owed now"}},
)
def send_now(
    campaign_id: IdParam,
    request: Request,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Send the emails this campaign owes now instead of at the next periodic run (every
    minute on each worker). Refused when email is off."""
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    if settings.smtp() is None:
        raise InvalidInput(
            "Email is off: no SMTP server is configured (FAIRPATH_SMTP_HOST). Copy the "
            "invitation links from the campaign's targets instead.",
            errors=[{"field": "smtp_host", "message": "not configured"}],
        )
    return start_network_job(
        request,
        session,
        network=network,
        user_id=principal.user.id,
        kind=CAMPAIGN_SEND,
        params={"campaign_id": campaign.id},
    )


@router.post(
    f"{ONE}/close", response_model=CampaignRead, operation_id="campaigns-close", responses=CONFLICT
)
def close_campaign(
    campaign_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    settings: SettingsDep,
    now: ClockDep,
) -> CampaignRead:
    """No more emails or rounds; the assessments and their links stay as they are."""
    campaign = campaigns.get_campaign(session, network=network, campaign_id=campaign_id)
    campaigns.close_campaign(session, campaign=campaign)
    session.commit()
    return views.campaign_read(
        session, campaign, today=now.date(), email_on=settings.smtp() is not None
    )


@router.get("/campaigns/due", response_model=DueRead, operation_id="campaigns-due")
def due(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    now: ClockDep,
    month: MonthQuery = None,
    network_id: Annotated[int | None, Query(ge=1, lt=2**31)] = None,
) -> DueRead:
    """What falls in a month across your campaigns: answers due and not yet submitted, and
    repeats that start by themselves."""
    day = (
        now.date()
        if month is None
        else now.date().replace(year=int(month[:4]), month=int(month[5:]), day=1)
    )
    entries = campaigns.due_this_month(
        session, scope=principal.scope, today=day, network_id=network_id
    )
    return DueRead(
        month=day.strftime("%Y-%m"),
        items=[
            views.due_item(e, now.date()) for e in entries[page.offset : page.offset + page.limit]
        ],
        total=len(entries),
        limit=page.limit,
        offset=page.offset,
    )
