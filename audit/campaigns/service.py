"""Campaigns: asking a chosen set of nodes one questionnaire with a due date, emailing the
invitation and the reminders, and starting the next round by itself when a campaign repeats.

Creating a campaign writes its assessments and invitations at once, so every link exists from
the start (and can be copied when email is off). Emails are owed, not sent, in the request:
``plan`` records which are due (in the job queue's periodic run, or ``fairpath campaigns
run``), ``claim`` takes a due email for one worker, and ``record_result`` keeps each try.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from audit.campaigns.models import (
    Campaign,
    CampaignSend,
    CampaignState,
    CampaignTarget,
    SendKind,
    SendState,
)
from audit.campaigns.schedule import (
    TargetFacts,
    TargetStatus,
    month_bounds,
    next_round_start,
    reminders_due,
    retry_at,
    target_status,
)
from audit.campaigns.schemas import MAX_TARGETS, CampaignCreate, ContactUpdate, Selection
from audit.scores.service import scoring_context
from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.organisations.models import Organisation
from core.progress import Progress, no_progress
from core.tenancy import Scope
from core.tokens import derived_token, new_nonce
from questionnaires import service as questionnaires
from questionnaires.models import Assessment, AssessmentStatus, Invitation, QuestionnaireRecord
from questionnaires.presenters import localised
from supplychain.models import Edge, Network, Node

FINISHED = (AssessmentStatus.submitted, AssessmentStatus.accepted)
# A claimed email whose worker went quiet this long is owed again (the worker died mid-send):
# at worst a respondent gets one email twice, never none.
STALE_CLAIM = timedelta(minutes=15)
# Emails one claim takes; a run claims batch after batch until nothing owed now is left.
CLAIM_BATCH = 100
# An invitation outlives the due date by the last reminder and this margin, so a late
# respondent's link still opens.
LINK_MARGIN_DAYS = 30


@dataclass(frozen=True)
class Links:
    """How the service writes a respondent's links: the public address and the server's key."""

    base_url: str
    signing_key: str

    def token(self, target: CampaignTarget) -> str:
        return self.token_of(target.link_nonce)

    def token_of(self, nonce: str) -> str:
        return derived_token(questionnaires.INVITATION_PREFIX, self.signing_key, nonce)

    def form(self, target: CampaignTarget) -> str:
        return f"{self.base_url.rstrip('/')}/respond/{self.token(target)}"

    def stop(self, target: CampaignTarget) -> str:
        return f"{self.base_url.rstrip('/')}/respond/{self.token(target)}/reminders"


# Creating --------------------------------------------------------------------------------------


def _problem(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[{"field": field_name, "message": message}])


def _no_translation(field_name: str, language: str, languages: list[str]) -> InvalidInput:
    return _problem(
        field_name,
        f"The questionnaire has no {language!r} translation; one of {', '.join(languages)}",
    )


def _corridor_nodes(session: Session, network: Network, corridors: list[str]) -> set[int]:
    """Nodes on a corridor: their own origin and destination, or an edge of theirs that has it."""
    pairs = [tuple(c.split("-")) for c in corridors]
    own = or_(*[(col(Node.origin) == o) & (col(Node.destination) == d) for o, d in pairs])
    found = set(session.exec(select(Node.id).where(Node.network_id == network.id, own)).all())
    on_edge = or_(*[(col(Edge.origin) == o) & (col(Edge.destination) == d) for o, d in pairs])
    for source, target in session.exec(
        select(Edge.source_id, Edge.target_id).where(Edge.network_id == network.id, on_edge)
    ).all():
        found.update((source, target))
    return {n for n in found if n is not None}


def select_nodes(session: Session, network: Network, selection: Selection) -> list[Node]:
    """The nodes a selection names, in external-id order. Unknown external ids are refused by
    name; filters that match nothing give an empty list (the caller says so)."""
    statement = select(Node).where(Node.network_id == network.id)
    if selection.nodes:
        wanted = set(selection.nodes)
        statement = statement.where(col(Node.external_id).in_(wanted))
    if selection.kinds:
        statement = statement.where(col(Node.kind).in_(selection.kinds))
    if selection.roles:
        statement = statement.where(col(Node.role).in_(selection.roles))
    if selection.countries:
        statement = statement.where(col(Node.country).in_(selection.countries))
    nodes = list(session.exec(statement.order_by(col(Node.external_id))).all())
    if selection.nodes:
        missing = sorted(set(selection.nodes) - {n.external_id for n in nodes})
        if missing and not (selection.kinds or selection.roles or selection.countries):
            raise _problem(
                "selection.nodes", f"No node with the id {', '.join(missing[:10])} in this network"
            )
    if selection.corridors:
        on_corridor = _corridor_nodes(session, network, selection.corridors)
        nodes = [n for n in nodes if n.id in on_corridor]
    if selection.bands:
        scores = scoring_context(session, network).scores
        wanted_bands = set(selection.bands)
        nodes = [
            n for n in nodes if n.id in scores.nodes and scores.nodes[n.id].band in wanted_bands
        ]
    return nodes


def _questionnaire(
    session: Session, scope: Scope, data: CampaignCreate, nodes: list[Node]
) -> QuestionnaireRecord:
    if data.questionnaire_id is not None:
        return questionnaires.get_questionnaire(
            session, scope=scope, questionnaire_id=data.questionnaire_id
        )
    chosen = {
        questionnaires.default_questionnaire(session, scope=scope, node=n).id: n for n in nodes[:50]
    }
    if len(chosen) > 1:
        raise _problem(
            "questionnaire_id",
            "The selected nodes need different questionnaires (e.g. suppliers and recruiters); "
            "choose one with questionnaire_id, or narrow the selection by kind",
        )
    return questionnaires.default_questionnaire(session, scope=scope, node=nodes[0])


@dataclass(frozen=True)
class Prepared:
    """A campaign checked and its nodes chosen, not yet written: the API writes a small one in
    the request and hands a large one to the job queue."""

    data: CampaignCreate
    record: QuestionnaireRecord
    nodes: list[Node]
    contacts: dict[str, tuple[str, str | None, str]]


def prepare_campaign(
    session: Session, *, scope: Scope, network: Network, data: CampaignCreate, today: date
) -> Prepared:
    """Every check of a new campaign, naming the field; nothing is written."""
    if data.due_date < today:
        raise _problem("due_date", f"The due date {data.due_date} is in the past")
    nodes = select_nodes(session, network, data.selection)
    if not nodes:
        raise _problem("selection", "The selection matches no node of this network")
    record = _questionnaire(session, scope, data, nodes)
    document = questionnaires.parsed(record)
    applicable = [
        n for n in nodes if document.applies_to_node(n.kind, n.role.value if n.role else None)
    ]
    if data.selection.nodes:
        refused = [n.external_id for n in nodes if n not in applicable]
        if refused:
            raise _problem(
                "selection.nodes",
                f"{record.title} does not apply to {', '.join(refused[:10])}",
            )
    if not applicable:
        raise _problem("selection", f"{record.title} applies to none of the selected nodes")
    if len(applicable) > MAX_TARGETS:
        raise _problem(
            "selection",
            f"The selection has {len(applicable)} nodes; a campaign asks at most {MAX_TARGETS}",
        )
    contacts = _contacts(data, applicable, questionnaires.languages(record))
    return Prepared(data, record, applicable, contacts)


def create_campaign(
    session: Session,
    *,
    scope: Scope,
    network: Network,
    data: CampaignCreate,
    actor: questionnaires.Actor,
    links: Links,
    today: date,
    invitation_days: int,
    prepared: Prepared | None = None,
    progress: Progress = no_progress,
) -> Campaign:
    """The campaign, every node's assessment and invitation link, in a few statements."""
    ready = prepared or prepare_campaign(
        session, scope=scope, network=network, data=data, today=today
    )
    record, applicable, contacts = ready.record, ready.nodes, ready.contacts
    progress("writing the assessments", 0, len(applicable))
    campaign = Campaign(
        network_id=network.id or 0,
        name=data.name,
        questionnaire_id=record.id or 0,
        reminder_offsets=list(data.reminder_offsets),
        response_days=data.response_days,
        repeat_months=data.repeat_months,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        selection=data.selection.model_dump(mode="json", exclude_defaults=True),
        created_by=actor.user_id,
    )
    session.add(campaign)
    session.flush()
    rows: list[dict[str, Any]] = []
    items: list[questionnaires.NewAssessment] = []
    for node in applicable:
        name, email, language = contacts.get(node.external_id, ("", None, data.language))
        nonce = new_nonce()
        rows.append(
            {
                "campaign_id": campaign.id or 0,
                "node_id": node.id or 0,
                "round": 1,
                "due_date": data.due_date,
                "contact_name": name,
                "contact_email": email,
                "language": language,
                "link_nonce": nonce,
            }
        )
        items.append(questionnaires.NewAssessment(node, language, links.token_of(nonce)))
    assessment_ids = questionnaires.assign_many(
        session,
        network=network,
        record=record,
        items=items,
        due_date=data.due_date,
        actor=actor,
        invitation_days=_link_days(campaign, data.due_date, today, invitation_days),
    )
    now = utcnow()
    questionnaires.insert_all(
        session,
        CampaignTarget,
        [
            {**row, "assessment_id": assessment_id, "created_at": now}
            for row, assessment_id in zip(rows, assessment_ids, strict=True)
        ],
    )
    progress("writing the assessments", len(applicable), len(applicable))
    return campaign


def _contacts(
    data: CampaignCreate, nodes: list[Node], languages: list[str]
) -> dict[str, tuple[str, str | None, str]]:
    known = {n.external_id for n in nodes}
    found: dict[str, tuple[str, str | None, str]] = {}
    if data.language not in languages:
        raise _no_translation("language", data.language, languages)
    for index, contact in enumerate(data.contacts):
        where = f"contacts.{index}"  # as the model names its own fields: contacts.0.email
        if contact.node not in known:
            raise _problem(f"{where}.node", f"{contact.node} is not among the selected nodes")
        if contact.node in found:
            raise _problem(f"{where}.node", f"{contact.node} has two contacts; give one")
        language = contact.language or data.language
        if language not in languages:
            raise _no_translation(f"{where}.language", language, languages)
        found[contact.node] = (contact.name, contact.email, language)
    return found


def _link_days(campaign: Campaign, due_date: date, today: date, invitation_days: int) -> int:
    """Days the invitation link lasts: past the due date by the last reminder and a margin."""
    last_reminder = max([0, *campaign.reminder_offsets])
    return max(invitation_days, (due_date - today).days + last_reminder + LINK_MARGIN_DAYS)


def _start_round(
    session: Session,
    *,
    campaign: Campaign,
    record: QuestionnaireRecord,
    network: Network,
    node: Node,
    round_number: int,
    due_date: date,
    contact: tuple[str, str | None, str],
    actor: questionnaires.Actor,
    links: Links,
    today: date,
    invitation_days: int,
    prefill_from: Assessment | None = None,
) -> CampaignTarget:
    name, email, language = contact
    target = CampaignTarget(
        campaign_id=campaign.id or 0,
        node_id=node.id or 0,
        round=round_number,
        assessment_id=0,
        due_date=due_date,
        contact_name=name,
        contact_email=email,
        language=language,
        link_nonce=new_nonce(),
    )
    days = _link_days(campaign, due_date, today, invitation_days)
    assessment, _invitation, _secret = questionnaires.assign(
        session,
        scope=Scope.everything(),
        network=network,
        node=node,
        questionnaire=record,
        due_date=due_date,
        language=language,
        actor=actor,
        invitation_days=days,
        secret=links.token(target),
        prefill_from=prefill_from,
    )
    target.assessment_id = assessment.id or 0
    session.add(target)
    session.flush()
    return target


# Reading ---------------------------------------------------------------------------------------


def get_campaign(session: Session, *, network: Network, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.network_id != network.id:
        raise NotFound(f"Campaign {campaign_id} was not found in network {network.id}")
    return campaign


def list_campaigns(
    session: Session, *, network: Network, limit: int, offset: int
) -> tuple[Sequence[Campaign], int]:
    where = col(Campaign.network_id) == network.id
    total = session.exec(select(func.count()).select_from(Campaign).where(where)).one()
    rows = session.exec(
        select(Campaign).where(where).order_by(col(Campaign.id).desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


@dataclass
class TargetView:
    """A target with what its status is computed from."""

    target: CampaignTarget
    node: Node
    assessment: Assessment
    opened: bool
    sends: list[CampaignSend] = field(default_factory=list)

    def status(self, today: date) -> TargetStatus:
        invitation = next((s for s in self.sends if s.kind == SendKind.invitation), None)
        return target_status(
            TargetFacts(
                assessment_status=self.assessment.status.value,
                due_date=self.target.due_date,
                invitation_sent=invitation is not None and invitation.state == SendState.sent,
                link_opened=self.opened,
            ),
            today,
        )


def _views(session: Session, targets: Sequence[CampaignTarget]) -> list[TargetView]:
    if not targets:
        return []
    assessment_ids = [t.assessment_id for t in targets]
    nodes = {
        n.id: n
        for n in session.exec(
            select(Node).where(col(Node.id).in_({t.node_id for t in targets}))
        ).all()
    }
    # Statuses need no answers: a large campaign's page would otherwise read every document
    # (a repeat round loads the previous answers when it starts).
    assessments = {
        a.id: a
        for a in session.exec(
            select(Assessment)
            .options(defer(Assessment.answers), defer(Assessment.question_comments))  # type: ignore[arg-type]
            .where(col(Assessment.id).in_(assessment_ids))
        ).all()
    }
    opened = set(
        session.exec(
            select(Invitation.assessment_id).where(
                col(Invitation.assessment_id).in_(assessment_ids),
                col(Invitation.last_used_at).is_not(None),
            )
        ).all()
    )
    sends: dict[int, list[CampaignSend]] = {}
    for send in session.exec(
        select(CampaignSend)
        .where(col(CampaignSend.target_id).in_([t.id for t in targets]))
        .order_by(col(CampaignSend.id))
    ).all():
        sends.setdefault(send.target_id, []).append(send)
    return [
        TargetView(
            target=t,
            node=nodes[t.node_id],
            assessment=assessments[t.assessment_id],
            opened=t.assessment_id in opened,
            sends=sends.get(t.id or 0, []),
        )
        for t in targets
    ]


def latest_targets(session: Session, campaign: Campaign) -> list[CampaignTarget]:
    """The current round of each node of the campaign."""
    latest = (
        select(CampaignTarget.node_id, func.max(CampaignTarget.round).label("round"))
        .where(CampaignTarget.campaign_id == campaign.id)
        .group_by(col(CampaignTarget.node_id))
        .subquery()
    )
    return list(
        session.exec(
            select(CampaignTarget)
            .join(
                latest,
                (col(CampaignTarget.node_id) == latest.c.node_id)
                & (col(CampaignTarget.round) == latest.c.round),
            )
            .where(CampaignTarget.campaign_id == campaign.id)
            .order_by(col(CampaignTarget.id))
        ).all()
    )


def target_views(
    session: Session, campaign: Campaign, *, today: date, status: TargetStatus | None = None
) -> list[TargetView]:
    views = _views(session, latest_targets(session, campaign))
    if status is not None:
        views = [v for v in views if v.status(today) == status]
    return views


def get_target(session: Session, campaign: Campaign, target_id: int) -> TargetView:
    target = session.get(CampaignTarget, target_id)
    if target is None or target.campaign_id != campaign.id:
        raise NotFound(f"Target {target_id} was not found in campaign {campaign.id}")
    return _views(session, [target])[0]


def first_due_date(session: Session, campaign: Campaign) -> date | None:
    return session.exec(
        select(func.min(CampaignTarget.due_date)).where(
            CampaignTarget.campaign_id == campaign.id, CampaignTarget.round == 1
        )
    ).one()


def failed_sends(session: Session, campaign: Campaign) -> int:
    return session.exec(
        select(func.count())
        .select_from(CampaignSend)
        .join(CampaignTarget, col(CampaignTarget.id) == col(CampaignSend.target_id))
        .where(CampaignTarget.campaign_id == campaign.id, CampaignSend.state == SendState.failed)
    ).one()


@dataclass(frozen=True)
class DueEntry:
    campaign: Campaign
    view: TargetView
    kind: str  # "due" or "next_round"
    day: date


def due_this_month(
    session: Session, *, scope: Scope, today: date, network_id: int | None = None
) -> list[DueEntry]:
    """What falls in ``today``'s month across the caller's campaigns: answers due and not yet
    submitted, and repeats that start by themselves."""
    first, last = month_bounds(today)
    statement = (
        select(Campaign)
        .join(Network, col(Network.id) == col(Campaign.network_id))
        .where(Campaign.state == CampaignState.active)
    )
    if network_id is not None:
        statement = statement.where(Campaign.network_id == network_id)
    entries: list[DueEntry] = []
    for campaign in session.exec(scope.filter(statement, Network.organisation_id)).all():
        for view in target_views(session, campaign, today=today):
            if first <= view.target.due_date <= last and view.assessment.status not in FINISHED:
                entries.append(DueEntry(campaign, view, "due", view.target.due_date))
            start = _next_start(campaign, view.assessment)
            if start is not None and first <= start <= last:
                entries.append(DueEntry(campaign, view, "next_round", start))
    return sorted(entries, key=lambda e: (e.day, e.campaign.id or 0, e.view.node.external_id))


def _next_start(campaign: Campaign, assessment: Assessment) -> date | None:
    if campaign.repeat_months is None or assessment.status != AssessmentStatus.accepted:
        return None
    if assessment.reviewed_at is None:
        return None
    return next_round_start(assessment.reviewed_at, campaign.repeat_months)


# Changing --------------------------------------------------------------------------------------


def renewed_secret(session: Session, assessment: Assessment, links: Links) -> str | None:
    """The token of a new link for a campaign's assessment (a fresh nonce, so the campaign's
    later reminders carry the new link, not the revoked one); None outside a campaign, where
    the link is random as always."""
    target = session.exec(
        select(CampaignTarget).where(CampaignTarget.assessment_id == assessment.id)
    ).first()
    if target is None:
        return None
    target.link_nonce = new_nonce()
    session.add(target)
    return links.token(target)


def update_contact(
    session: Session, *, campaign: Campaign, target_id: int, data: ContactUpdate
) -> TargetView:
    view = get_target(session, campaign, target_id)
    target = view.target
    changes = data.model_dump(exclude_unset=True)
    if "language" in changes and changes["language"] is not None:
        record = session.get(QuestionnaireRecord, campaign.questionnaire_id)
        languages = questionnaires.languages(record) if record else ["en"]
        if changes["language"] not in languages:
            raise _no_translation("language", changes["language"], languages)
        target.language = changes["language"]
        view.assessment.language = changes["language"]
        session.add(view.assessment)
    if "name" in changes:
        target.contact_name = changes["name"] or ""
    if "email" in changes:
        target.contact_email = changes["email"]
    session.add(target)
    session.flush()
    return view


def close_campaign(session: Session, *, campaign: Campaign) -> Campaign:
    """No more emails or rounds; the assessments stay as they are."""
    if campaign.state == CampaignState.closed:
        raise Conflict(f"Campaign {campaign.id} is already closed")
    campaign.state = CampaignState.closed
    campaign.updated_at = utcnow()
    session.add(campaign)
    targets = select(CampaignTarget.id).where(CampaignTarget.campaign_id == campaign.id)
    session.execute(
        update(CampaignSend)
        .where(
            col(CampaignSend.target_id).in_(targets), col(CampaignSend.state) == SendState.pending
        )
        .values(state=SendState.skipped, last_error="campaign closed")
    )
    session.flush()
    return campaign


def reminders_stopped(session: Session, assessment: Assessment) -> bool:
    return (
        session.exec(
            select(CampaignTarget.id).where(
                CampaignTarget.assessment_id == assessment.id,
                col(CampaignTarget.reminders_stopped_at).is_not(None),
            )
        ).first()
        is not None
    )


def stop_reminders(session: Session, *, assessment: Assessment, now: datetime) -> bool:
    """The respondent asked for no more reminders about this assessment; True when a campaign
    was sending them."""
    target = session.exec(
        select(CampaignTarget).where(CampaignTarget.assessment_id == assessment.id)
    ).first()
    if target is None:
        return False
    if target.reminders_stopped_at is None:
        target.reminders_stopped_at = now
        session.add(target)
        session.execute(
            update(CampaignSend)
            .where(
                col(CampaignSend.target_id) == target.id,
                col(CampaignSend.kind) == SendKind.reminder,
                col(CampaignSend.state) == SendState.pending,
            )
            .values(
                state=SendState.skipped, last_error="the respondent asked for no more reminders"
            )
        )
        questionnaires.record_event(
            session, assessment, questionnaires.Actor.respondent(), "reminders_stopped"
        )
        session.flush()
    return True


# Planning --------------------------------------------------------------------------------------


@dataclass
class PlanResult:
    planned: int = 0
    rounds_started: int = 0


OWED_BATCH = 500  # rows per INSERT: under SQLite's limit on bound parameters


def _owed(target: CampaignTarget, kind: SendKind, offset: int, state: SendState) -> dict[str, Any]:
    return {
        "target_id": target.id or 0,
        "kind": kind,
        "offset_days": offset,
        "state": state,
        "attempts": 0,
        "history": [],
        "last_error": "a later reminder was already due" if state == SendState.skipped else None,
        "created_at": utcnow(),
    }


def _owe(session: Session, rows: list[dict[str, Any]]) -> int:
    """Record emails as owed (or skipped), each once: a second planner racing this one meets
    the unique constraint and its duplicate rows are dropped, not raised. Returns the rows
    this call added."""
    name = session.get_bind().dialect.name
    dialect = postgresql if name == "postgresql" else sqlite
    added = 0
    for start in range(0, len(rows), OWED_BATCH):
        statement = (
            dialect.insert(CampaignSend)
            .values(rows[start : start + OWED_BATCH])
            .on_conflict_do_nothing()
            .returning(CampaignSend.id)  # rowcount is not reliable here on every driver
        )
        added += len(session.execute(statement).all())
    return added


def plan(
    session: Session,
    *,
    now: datetime,
    links: Links,
    invitation_days: int,
    emails: bool,
    campaign_id: int | None = None,
) -> PlanResult:
    """Record the emails now owed (``emails``: email is on) and start the rounds now due, for
    every active campaign (or one). With email off rounds still start, their links shown for
    copying, and nothing is owed: switching email on later does not send a backlog."""
    today = now.date()
    result = PlanResult()
    statement = select(Campaign).where(Campaign.state == CampaignState.active)
    if campaign_id is not None:
        statement = statement.where(Campaign.id == campaign_id)
    owed: list[dict[str, Any]] = []
    for campaign in session.exec(statement.order_by(col(Campaign.id))).all():
        for view in target_views(session, campaign, today=today):
            if emails:
                owed += _plan_emails(campaign, view, today)
            if _maybe_next_round(session, campaign, view, links, today, invitation_days):
                result.rounds_started += 1
    pending = [row for row in owed if row["state"] == SendState.pending]
    _owe(session, [row for row in owed if row["state"] != SendState.pending])
    result.planned = _owe(session, pending)
    session.flush()
    return result


def _plan_emails(campaign: Campaign, view: TargetView, today: date) -> list[dict[str, Any]]:
    """The emails this target is owed today (and reminders overtaken, as skipped)."""
    target = view.target
    if not target.contact_email or view.assessment.status in FINISHED:
        return []
    by_kind = {(s.kind, s.offset_days): s for s in view.sends}
    invitation = by_kind.get((SendKind.invitation, 0))
    if invitation is None:
        if today > target.due_date:  # a late invitation would only confuse
            return []
        return [_owed(target, SendKind.invitation, 0, SendState.pending)]
    if invitation.state != SendState.sent or target.reminders_stopped_at is not None:
        return []
    settled = [o for (kind, o) in by_kind if kind == SendKind.reminder]
    # Reminders before the invitation went out are not owed: they would arrive together.
    sent_on = invitation.sent_at.date() if invitation.sent_at else today
    offsets = [o for o in campaign.reminder_offsets if target.due_date + timedelta(o) > sent_on]
    due = reminders_due(target.due_date, offsets, today, settled)
    rows = [_owed(target, SendKind.reminder, o, SendState.skipped) for o in due.skip]
    if due.send is not None:
        rows.append(_owed(target, SendKind.reminder, due.send, SendState.pending))
    return rows


def _maybe_next_round(
    session: Session,
    campaign: Campaign,
    view: TargetView,
    links: Links,
    today: date,
    invitation_days: int,
) -> bool:
    start = _next_start(campaign, view.assessment)
    if start is None or today < start:
        return False
    network = session.get(Network, campaign.network_id)
    record = session.get(QuestionnaireRecord, campaign.questionnaire_id)
    if network is None or record is None:
        return False
    target = view.target
    try:
        with session.begin_nested():
            _start_round(
                session,
                campaign=campaign,
                record=record,
                network=network,
                node=view.node,
                round_number=target.round + 1,
                due_date=today + timedelta(days=campaign.response_days),
                contact=(target.contact_name, target.contact_email, target.language),
                actor=questionnaires.Actor(questionnaires.ActorKind.system, "analyst"),
                links=links,
                today=today,
                invitation_days=invitation_days,
                prefill_from=view.assessment,
            )
    except IntegrityError:  # another planner started this round first
        return False
    return True


# Sending ---------------------------------------------------------------------------------------


def claim(
    session: Session, *, now: datetime, campaign_id: int | None = None, limit: int | None = None
) -> list[int]:
    """Take the emails due now for this worker: each row moves from pending to sending in one
    conditional update, so two workers never send the same email. Commit before sending."""
    session.execute(
        update(CampaignSend)
        .where(
            col(CampaignSend.state) == SendState.sending,
            col(CampaignSend.claimed_at) < now - STALE_CLAIM,
        )
        .values(state=SendState.pending)
    )
    statement = select(CampaignSend.id).where(
        CampaignSend.state == SendState.pending,
        or_(col(CampaignSend.next_attempt_at).is_(None), col(CampaignSend.next_attempt_at) <= now),
    )
    if campaign_id is not None:
        statement = statement.join(
            CampaignTarget, col(CampaignTarget.id) == col(CampaignSend.target_id)
        ).where(CampaignTarget.campaign_id == campaign_id)
    claimed: list[int] = []
    batch = limit or CLAIM_BATCH
    # SKIP LOCKED (PostgreSQL; SQLite serialises writers anyway): a pass running beside
    # another takes the next rows instead of the same ones, so "nothing claimed" means
    # nothing owed, not "another pass won this batch" (a job stopped early on that).
    chosen = (
        statement.order_by(col(CampaignSend.id))
        .limit(batch)
        .with_for_update(skip_locked=True, of=CampaignSend)
    )
    for send_id in session.exec(chosen).all():
        taken = session.execute(
            update(CampaignSend)
            .where(col(CampaignSend.id) == send_id, col(CampaignSend.state) == SendState.pending)
            .values(state=SendState.sending, claimed_at=now)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(send_id or 0)
    session.flush()
    return claimed


@dataclass(frozen=True)
class Outgoing:
    """A claimed email with what its text needs; None from ``outgoing`` means it is no longer
    owed (submitted meanwhile, reminders stopped, campaign closed) and was marked skipped."""

    send: CampaignSend
    facts: dict[str, Any]


def outgoing(session: Session, send_id: int, *, links: Links, today: date) -> Outgoing | None:
    send = session.get(CampaignSend, send_id)
    if send is None or send.state != SendState.sending:
        return None
    target = session.get(CampaignTarget, send.target_id)
    assert target is not None
    campaign = session.get(Campaign, target.campaign_id)
    assessment = session.get(Assessment, target.assessment_id)
    node = session.get(Node, target.node_id)
    record = session.get(QuestionnaireRecord, campaign.questionnaire_id) if campaign else None
    network = session.get(Network, campaign.network_id) if campaign else None
    organisation = session.get(Organisation, network.organisation_id) if network else None
    reason = None
    if campaign is None or campaign.state != CampaignState.active:
        reason = "campaign closed"
    elif assessment is None or assessment.status in FINISHED:
        reason = "already submitted"
    elif send.kind == SendKind.reminder and target.reminders_stopped_at is not None:
        reason = "the respondent asked for no more reminders"
    elif not target.contact_email:
        reason = "no email address"
    if reason is not None or not (campaign and node and record and organisation):
        send.state = SendState.skipped
        send.last_error = reason
        session.add(send)
        return None
    if send.kind == SendKind.invitation:
        kind = "renewal" if target.round > 1 else "invitation"
    else:
        kind = "overdue" if send.offset_days > 0 or today > target.due_date else "reminder"
    facts = {
        "kind": kind,
        "language": target.language,
        "organisation": organisation.name,
        "respondent": node.name,
        "contact_name": target.contact_name,
        "recipient": target.contact_email,
        "questionnaire": localised(record, target.language).title,
        "due_date": target.due_date,
        "days_left": max(0, (target.due_date - today).days),
        "link": links.form(target),
        "stop_link": links.stop(target) if send.kind == SendKind.reminder else None,
        "campaign_contact_name": campaign.contact_name,
        "campaign_contact_email": campaign.contact_email,
    }
    return Outgoing(send, facts)


def record_result(
    session: Session, send_id: int, *, now: datetime, error: str | None, transient: bool = False
) -> SendState:
    """Keep this try in the send's history; a refusal that may pass waits for its next try,
    until the tries are used up."""
    send = session.get(CampaignSend, send_id)
    if send is None:
        raise NotFound(f"Send {send_id} was not found")
    send.attempts += 1
    entry: dict[str, Any] = {"at": now.isoformat(), "attempt": send.attempts}
    if error is None:
        send.state, send.sent_at, send.last_error = SendState.sent, now, None
        entry["result"] = "sent"
    else:
        again = retry_at(send.attempts, now) if transient else None
        send.last_error = error[:500]
        if again is not None:
            send.state, send.next_attempt_at = SendState.pending, again
            entry.update(result="retry", detail=send.last_error, next_attempt_at=again.isoformat())
        else:
            send.state = SendState.failed
            if transient:
                send.last_error = f"gave up after {send.attempts} tries: {error}"[:500]
            entry.update(result="failed", detail=send.last_error)
    send.history = [*send.history, entry]
    session.add(send)
    session.flush()
    return send.state
