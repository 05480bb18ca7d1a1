"""Campaigns as the API and the dashboard show them: statuses computed at read time from the
assessments, invitations and sends, so a status is never stale and a read never writes."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session

from audit.campaigns import service
from audit.campaigns.models import Campaign
from audit.campaigns.schemas import (
    CampaignRead,
    DueItem,
    SendRead,
    StatusCounts,
    TargetRead,
)
from questionnaires.models import QuestionnaireRecord

API = "/api/v1"


def campaign_read(
    session: Session, campaign: Campaign, *, today: date, email_on: bool
) -> CampaignRead:
    views = service.target_views(session, campaign, today=today)
    counts = Counter(view.status(today).value for view in views)
    record = session.get(QuestionnaireRecord, campaign.questionnaire_id)
    base = f"{API}/networks/{campaign.network_id}/campaigns/{campaign.id}"
    return CampaignRead(
        id=campaign.id or 0,
        network_id=campaign.network_id,
        name=campaign.name,
        questionnaire_id=campaign.questionnaire_id,
        questionnaire=f"{record.title} (v{record.version})" if record else "",
        state=campaign.state.value,
        due_date=service.first_due_date(session, campaign),
        reminder_offsets=list(campaign.reminder_offsets),
        repeat_months=campaign.repeat_months,
        response_days=campaign.response_days,
        contact_name=campaign.contact_name,
        contact_email=campaign.contact_email,
        selection=dict(campaign.selection),
        email="on" if email_on else "off",
        targets=len(views),
        statuses=StatusCounts(**counts),
        failed_sends=service.failed_sends(session, campaign),
        created_at=campaign.created_at,
        links={"self": base, "targets": f"{base}/targets", "send": f"{base}/send"},
    )


def target_read(
    view: service.TargetView, *, today: date, links: service.Links, show_link: bool
) -> TargetRead:
    """``show_link`` for analysts and admins: the link opens the respondent's form."""
    target = view.target
    return TargetRead(
        id=target.id or 0,
        node_id=target.node_id,
        node_external_id=view.node.external_id,
        node_name=view.node.name,
        round=target.round,
        assessment_id=target.assessment_id,
        due_date=target.due_date,
        status=view.status(today),
        contact_name=target.contact_name,
        contact_email=target.contact_email,
        language=target.language,
        reminders_stopped=target.reminders_stopped_at is not None,
        invitation_url=links.form(target) if show_link else None,
        sends=[SendRead.model_validate(send, from_attributes=True) for send in view.sends],
    )


def due_item(entry: service.DueEntry, today: date) -> DueItem:
    view = entry.view
    return DueItem(
        campaign_id=entry.campaign.id or 0,
        campaign=entry.campaign.name,
        network_id=entry.campaign.network_id,
        target_id=view.target.id or 0,
        node_id=view.node.id or 0,
        node_name=view.node.name,
        round=view.target.round,
        due_date=entry.day,
        status=view.status(today),
        kind=entry.kind,  # type: ignore[arg-type]
    )
