"""The remediation plan of a network: actions for open findings, with owners, deadlines and
status changes allowed per role, as IOM CREST guides companies to plan and verify remedy.

Verification is kept apart from completion: whoever did the work marks it completed; programme
staff (admins, the auditors) confirm it with evidence. Cancelling always needs a reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from audit.findings.models import Finding, FindingStatus
from audit.findings.service import synced_context
from audit.remediation.library import ActionTemplate, RemediationLibrary, remediation_library
from audit.remediation.models import (
    ActionEvent,
    ActionEvidence,
    ActionFinding,
    ActionStatus,
    RemediationAction,
)
from core.clock import utcnow
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.severity import SEVERITY_RANK
from questionnaires import evidence as evidence_files
from questionnaires.service import store_upload
from scoring.reimbursement import OwedLine, reimbursement
from supplychain.models import Network, Node

S = ActionStatus
STAFF = frozenset({"analyst", "admin"})
TRANSITIONS: dict[tuple[S, S], frozenset[str]] = {
    (S.open, S.in_progress): STAFF,
    (S.open, S.completed): STAFF,
    (S.in_progress, S.completed): STAFF,
    (S.completed, S.in_progress): STAFF,  # reopened: the work was not finished after all
    (S.completed, S.verified): frozenset({"admin"}),
    (S.open, S.cancelled): STAFF,
    (S.in_progress, S.cancelled): STAFF,
    (S.completed, S.cancelled): STAFF,
}
ACTIVE = frozenset({S.open, S.in_progress})
REPAYMENT_TEMPLATE = "reimburse-recruitment-fees"


def is_overdue(action: RemediationAction, today: date) -> bool:
    return action.status in ACTIVE and action.due_date < today


def check_transition(current: S, target: S, role: str) -> None:
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise Conflict(f"An action cannot move from {current} to {target}")
    if role not in allowed:
        who = "programme staff (admins)" if target == S.verified else "analysts and admins"
        raise Forbidden(f"Only {who} may move an action from {current} to {target}")


# Building the plan -----------------------------------------------------------------------------


def _owner(
    nodes: Mapping[int | None, Node],
    company: Node | None,
    finding: Finding,
    template: ActionTemplate,
) -> tuple[str, Node | None, str]:
    """Who must act: (owner kind, owner node, display name)."""
    node = nodes.get(finding.node_id) if finding.node_id else None
    wanted = template.owner
    if wanted == "node" and node is not None:
        return str(node.kind), node, node.name
    if wanted == "company" or node is None:
        return "company", company, company.name if company else "The buying company"
    if wanted == "recruiter" and node.kind == "recruiter":
        return "recruiter", node, node.name
    if wanted == "supplier":
        if node.kind == "supplier":
            return "supplier", node, node.name
        for node_id in finding.chain[1:]:  # the first employer down the chain
            employer = nodes.get(node_id)
            if employer is not None and employer.kind == "supplier":
                return "supplier", employer, employer.name
    if wanted == "recruiter":
        return "recruiter", None, f"Recruiters placing workers with {node.name}"
    return str(node.kind), node, node.name


def finding_principles(finding: Finding) -> list[str]:
    """The principles a finding concerns: each one listed by a weak-principle finding, else its
    own principle."""
    listed = [p["tag"] for p in (finding.evidence or {}).get("principles", []) if "tag" in p]
    return listed or ([finding.principle] if finding.principle else [])


def build_plan(
    session: Session,
    *,
    network: Network,
    library: RemediationLibrary,
    today: date,
    user_id: int | None,
    owed: Mapping[int, OwedLine] | None = None,
) -> list[RemediationAction]:
    """Plan the open findings: one open action per template and node, listing every finding it
    addresses. Existing actions and their history are kept; a new finding of a node joins the
    node's open action for the template (pulling its deadline earlier when more severe), and
    only a template the node has no open action for makes a new one. ``owed`` (node -> reported
    fee line) gives repayment actions the amount owed to workers."""
    findings = session.exec(
        select(Finding).where(
            Finding.network_id == network.id, Finding.status == FindingStatus.open
        )
    ).all()
    actions = session.exec(
        select(RemediationAction).where(RemediationAction.network_id == network.id)
    ).all()
    template_of = {a.id: a.template_id for a in actions}
    addressed: set[tuple[int | None, str | None]] = {
        (finding_id, template_of[action_id])
        for action_id, finding_id in session.exec(
            select(ActionFinding.action_id, ActionFinding.finding_id)
            .join(RemediationAction, col(RemediationAction.id) == ActionFinding.action_id)
            .where(RemediationAction.network_id == network.id)
        ).all()
    }
    current: dict[tuple[int | None, str | None], RemediationAction] = {
        (a.node_id, a.template_id): a
        for a in sorted(actions, key=lambda a: a.id or 0)
        if a.template_id and a.status in ACTIVE
    }
    # The network's nodes are held here (the session's identity map alone would let them go)
    # and looked up in memory; nothing is flushed until every action is planned, then the new
    # actions go in one batch, and their events and finding links in one statement each.
    nodes = {n.id: n for n in session.exec(select(Node).where(Node.network_id == network.id))}
    company = next((n for n in nodes.values() if n.kind == "company"), None)
    created: list[RemediationAction] = []
    events: list[tuple[RemediationAction, str, dict[str, object]]] = []
    links: list[tuple[RemediationAction, int]] = []
    with session.no_autoflush:
        for finding in sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.id or 0)):
            for template in library.for_finding(finding.code, finding_principles(finding)):
                if (finding.id, template.id) in addressed:
                    continue
                action = current.get((finding.node_id, template.id))
                if action is None:
                    action, details = _new_action(
                        session, nodes, company, finding, template, today, user_id, owed
                    )
                    current[(finding.node_id, template.id)] = action
                    created.append(action)
                    events.append((action, "created", details))
                else:
                    details = _join(session, action, finding, template, today)
                    events.append((action, "finding_added", details))
                links.append((action, finding.id or 0))
                addressed.add((finding.id, template.id))
    session.flush()
    stamp = utcnow()
    if events:
        session.execute(
            insert(ActionEvent),
            [
                {
                    "action_id": action.id,
                    "at": stamp,
                    "user_id": user_id,
                    "kind": kind,
                    "from_status": None,
                    "to_status": None,
                    "comment": "",
                    "details": details,
                }
                for action, kind, details in events
            ],
        )
    if links:
        session.execute(
            insert(ActionFinding),
            [{"action_id": a.id, "finding_id": f, "added_at": stamp} for a, f in links],
        )
    return created


def _new_action(
    session: Session,
    nodes: Mapping[int | None, Node],
    company: Node | None,
    finding: Finding,
    template: ActionTemplate,
    today: date,
    user_id: int | None,
    owed: Mapping[int, OwedLine] | None,
) -> tuple[RemediationAction, dict[str, object]]:
    """A new action for the finding (not yet flushed) and the details of its "created" event."""
    kind, owner, name = _owner(nodes, company, finding, template)
    subject = nodes.get(finding.node_id) if finding.node_id else None
    action = RemediationAction(
        network_id=finding.network_id,
        finding_id=finding.id,
        node_id=finding.node_id,
        template_id=template.id,
        title=f"{template.title}: {subject.name}"[:300] if subject else template.title,
        description=template.description,
        crest_pillar=template.crest_pillar,
        severity=finding.severity,
        owner_kind=kind,
        owner_node_id=owner.id if owner else None,
        owner_name=name,
        due_date=today + timedelta(days=template.deadline_days.days(finding.severity)),
        verification=template.verification,
        created_by=user_id,
    )
    line = (owed or {}).get(finding.node_id or 0) if template.id == REPAYMENT_TEMPLATE else None
    if line is not None and line.owed_usd is not None:
        action.owed_usd = line.owed_usd
        action.owed_workers = line.workers
        if line.owed_local is not None and line.currency:
            action.owed_amount, action.owed_currency = line.owed_local, line.currency
        else:
            action.owed_amount, action.owed_currency = line.owed_usd, "USD"
    session.add(action)
    details: dict[str, object] = {"finding": finding.id, "template": template.id}
    if line is not None:
        details["owed"] = line.arithmetic
    return action, details


def _join(
    session: Session,
    action: RemediationAction,
    finding: Finding,
    template: ActionTemplate,
    today: date,
) -> dict[str, object]:
    """Another finding of the same node answered by the same action: the details its history
    records; a more severe finding raises the severity and brings the deadline forward."""
    details: dict[str, object] = {"finding": finding.id, "code": finding.code}
    if SEVERITY_RANK[finding.severity] < SEVERITY_RANK[action.severity]:
        due = min(
            action.due_date, today + timedelta(days=template.deadline_days.days(finding.severity))
        )
        details.update(
            severity=[action.severity, finding.severity],
            due_date=[action.due_date.isoformat(), due.isoformat()],
        )
        action.severity, action.due_date = finding.severity, due
        action.updated_at = utcnow()
        session.add(action)
    return details


def addressed_findings(session: Session, action: RemediationAction) -> list[int]:
    """Ids of every finding the action addresses, oldest link first."""
    return addressed_findings_of(session, action.network_id, [action.id or 0]).get(
        action.id or 0, []
    )


def addressed_findings_of(
    session: Session, network_id: int, action_ids: Sequence[int] | None = None
) -> dict[int, list[int]]:
    """action id -> the findings it addresses, oldest link first, in one query for a whole
    plan (``action_ids`` None: every action of the network)."""
    query = (
        select(ActionFinding.action_id, ActionFinding.finding_id)
        .join(RemediationAction, col(RemediationAction.id) == ActionFinding.action_id)
        .where(RemediationAction.network_id == network_id)
        .order_by(col(ActionFinding.added_at), col(ActionFinding.finding_id))
    )
    if action_ids is not None:
        query = query.where(col(ActionFinding.action_id).in_(action_ids))
    found: dict[int, list[int]] = defaultdict(list)
    for action_id, finding_id in session.exec(query).all():
        found[action_id].append(finding_id)
    return dict(found)


def plan_new_findings(
    session: Session, *, network: Network, now: datetime, user_id: int | None
) -> list[RemediationAction]:
    """Bring generated findings in step with the current scores, then plan actions from the
    shipped library for the open ones: what "build the plan" means to a user."""
    context = synced_context(session, network, now)
    owed = reimbursement(
        context.graph,
        context.assessments,
        context.reference,
        context.scores.profile.fee_usd_tolerance,
    )
    return build_plan(
        session,
        network=network,
        library=remediation_library(),
        today=now.date(),
        user_id=user_id,
        owed={line.node_id: line for line in owed.lines if line.basis == "reported"},
    )


def add_action(
    session: Session,
    *,
    network: Network,
    title: str,
    description: str,
    severity: str,
    owner_kind: str,
    owner_node_id: int | None,
    owner_name: str,
    due_date: date,
    finding_id: int | None,
    verification: str,
    user_id: int | None,
) -> RemediationAction:
    owner = _node_of(session, network, owner_node_id, "owner_node_id")
    finding = None
    if finding_id is not None:
        finding = session.get(Finding, finding_id)
        if finding is None or finding.network_id != network.id:
            raise InvalidInput(
                f"Finding {finding_id} is not in network {network.id}",
                errors=[{"field": "finding_id", "message": "not a finding of this network"}],
            )
    action = RemediationAction(
        network_id=network.id or 0,
        finding_id=finding_id,
        node_id=finding.node_id if finding else None,
        title=title,
        description=description,
        severity=severity,
        owner_kind=owner_kind,
        owner_node_id=owner.id if owner else None,
        owner_name=owner_name or (owner.name if owner else ""),
        due_date=due_date,
        verification=verification,
        created_by=user_id,
    )
    session.add(action)
    session.flush()
    if finding_id is not None:
        session.add(ActionFinding(action_id=action.id or 0, finding_id=finding_id))
    _event(session, action, user_id, "created", details={"manual": True})
    return action


def _node_of(session: Session, network: Network, node_id: int | None, field: str) -> Node | None:
    if node_id is None:
        return None
    node = session.get(Node, node_id)
    if node is None or node.network_id != network.id:
        raise InvalidInput(
            f"Node {node_id} is not in network {network.id}",
            errors=[{"field": field, "message": "not a node of this network"}],
        )
    return node


# Actions ---------------------------------------------------------------------------------------


@dataclass
class ActionFilters:
    status: str | None = None
    owner_kind: str | None = None
    severity: str | None = None
    overdue: bool | None = None
    finding_id: int | None = None
    q: str | None = None  # in the title or the owner's name


def list_actions(
    session: Session,
    *,
    network: Network,
    filters: ActionFilters,
    today: date,
    limit: int,
    offset: int,
) -> tuple[list[RemediationAction], int]:
    query = select(RemediationAction).where(RemediationAction.network_id == network.id)
    for column, value in (
        (RemediationAction.status, filters.status),
        (RemediationAction.owner_kind, filters.owner_kind),
        (RemediationAction.severity, filters.severity),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.finding_id is not None:
        query = query.where(
            col(RemediationAction.id).in_(
                select(ActionFinding.action_id).where(
                    ActionFinding.finding_id == filters.finding_id
                )
            )
        )
    if filters.overdue is not None:
        late = col(RemediationAction.status).in_(tuple(ACTIVE)) & (
            col(RemediationAction.due_date) < today
        )
        query = query.where(late if filters.overdue else ~late)
    if filters.q:
        wanted = filters.q.lower()
        query = query.where(
            func.lower(RemediationAction.title).contains(wanted)
            | func.lower(RemediationAction.owner_name).contains(wanted)
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(RemediationAction.due_date), col(RemediationAction.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def most_urgent(session: Session, network: Network, limit: int) -> Sequence[RemediationAction]:
    """The plan as a report lists it: open work before verified or cancelled, most severe
    first, earliest deadline first; at most ``limit`` actions."""
    closed = case((col(RemediationAction.status).in_((S.verified, S.cancelled)), 1), else_=0)
    rank = case(SEVERITY_RANK, value=col(RemediationAction.severity), else_=len(SEVERITY_RANK))
    return session.exec(
        select(RemediationAction)
        .where(RemediationAction.network_id == network.id)
        .order_by(closed, rank, col(RemediationAction.due_date), col(RemediationAction.id))
        .limit(limit)
    ).all()


def all_actions(session: Session, network: Network) -> Sequence[RemediationAction]:
    return session.exec(
        select(RemediationAction)
        .where(RemediationAction.network_id == network.id)
        .order_by(col(RemediationAction.due_date), col(RemediationAction.id))
    ).all()


def get_action(session: Session, *, network: Network, action_id: int) -> RemediationAction:
    action = session.get(RemediationAction, action_id)
    if action is None or action.network_id != network.id:
        raise NotFound(f"Action {action_id} was not found in network {network.id}")
    return action


def change_status(
    session: Session,
    *,
    action: RemediationAction,
    target: S,
    role: str,
    comment: str,
    user_id: int | None,
) -> RemediationAction:
    check_transition(action.status, target, role)
    if target == S.cancelled and not comment.strip():
        raise InvalidInput(
            "Say why the action is cancelled",
            errors=[{"field": "comment", "message": "a reason is required to cancel"}],
        )
    if target == S.verified:
        from audit.remediation.repayments import check_verifiable  # it imports this module

        check_verifiable(session, action)  # nothing still owed, a proof for every payment
        has_evidence = session.exec(
            select(ActionEvidence.id).where(ActionEvidence.action_id == action.id)
        ).first()
        if has_evidence is None and not comment.strip():
            raise InvalidInput(
                "Verification needs evidence: upload a file or describe what was checked",
                errors=[{"field": "comment", "message": f"expected: {action.verification}"}],
            )
    previous = action.status
    action.status = target
    stamp = utcnow()
    action.updated_at = stamp
    if target == S.completed:
        action.completed_at = stamp
    if target == S.verified:
        action.verified_at = stamp
    if target == S.cancelled:
        action.cancel_reason = comment.strip()
    if target == S.in_progress:
        action.completed_at = None
    session.add(action)
    _event(session, action, user_id, "status", previous, target, comment)
    return action


def edit_action(
    session: Session,
    *,
    network: Network,
    action: RemediationAction,
    changes: dict[str, object],
    user_id: int | None,
) -> RemediationAction:
    if action.status in (S.verified, S.cancelled):
        raise Conflict(f"A {action.status} action can no longer be changed")
    if "owner_node_id" in changes:
        owner = _node_of(session, network, changes["owner_node_id"], "owner_node_id")  # type: ignore[arg-type]
        if owner is not None and "owner_name" not in changes:
            changes["owner_name"] = owner.name
            changes.setdefault("owner_kind", str(owner.kind))
    before = {k: _plain(getattr(action, k)) for k in changes}
    for key, value in changes.items():
        setattr(action, key, value)
    action.updated_at = utcnow()
    session.add(action)
    _event(
        session,
        action,
        user_id,
        "edited",
        details={"before": before, "after": {k: _plain(v) for k, v in changes.items()}},
    )
    return action


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def comment(
    session: Session, *, action: RemediationAction, text: str, user_id: int | None
) -> ActionEvent:
    if not text.strip():
        raise InvalidInput(
            "The comment is empty", errors=[{"field": "comment", "message": "required"}]
        )
    return _event(session, action, user_id, "comment", comment=text.strip())


def add_evidence(
    session: Session,
    *,
    action: RemediationAction,
    filename: str,
    chunks: Iterable[bytes],
    max_bytes: int,
    user_id: int | None,
) -> ActionEvidence:
    if action.status == S.cancelled:
        raise Conflict("The action was cancelled")
    detected, stored = store_upload(session, chunks=chunks, filename=filename, max_bytes=max_bytes)
    evidence = ActionEvidence(
        action_id=action.id or 0,
        sha256=stored.sha256,
        filename=evidence_files.clean_filename(filename, detected.extension),
        media_type=detected.media_type,
        size=stored.size,
        uploaded_by=user_id,
    )
    session.add(evidence)
    session.flush()
    _event(
        session,
        action,
        user_id,
        "evidence",
        details={"evidence": evidence.id, "filename": evidence.filename},
    )
    return evidence


def evidence_of(session: Session, action: RemediationAction) -> Sequence[ActionEvidence]:
    return session.exec(
        select(ActionEvidence)
        .where(ActionEvidence.action_id == action.id)
        .order_by(col(ActionEvidence.id))
    ).all()


def get_evidence(
    session: Session, *, action: RemediationAction, evidence_id: int
) -> ActionEvidence:
    evidence = session.get(ActionEvidence, evidence_id)
    if evidence is None or evidence.action_id != action.id:
        raise NotFound(f"Evidence {evidence_id} was not found")
    return evidence


def history(session: Session, action: RemediationAction) -> Sequence[ActionEvent]:
    return session.exec(
        select(ActionEvent).where(ActionEvent.action_id == action.id).order_by(col(ActionEvent.id))
    ).all()


def _event(
    session: Session,
    action: RemediationAction,
    user_id: int | None,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    comment: str = "",
    details: dict | None = None,
) -> ActionEvent:
    event = ActionEvent(
        action_id=action.id or 0,
        user_id=user_id,
        kind=kind,
        from_status=str(from_status) if from_status else None,
        to_status=str(to_status) if to_status else None,
        comment=comment,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


# Metrics ---------------------------------------------------------------------------------------


class ActionCounts(TypedDict):
    """Actions in one row of the metrics grid (a severity, or an owner kind)."""

    total: int
    open: int
    overdue: int
    verified: int


class PlanMetrics(TypedDict):
    """A plain dict at run time (the plan API, dashboard and XLSX pass it on as JSON), typed so
    that readers such as the report need no casts. ``typing_extensions``' TypedDict because
    pydantic validates it inside ``ReportData`` and refuses ``typing``'s before Python 3.12."""

    total: int
    by_status: dict[str, int]
    overdue: int
    by_severity: dict[str, ActionCounts]
    by_owner: dict[str, ActionCounts]


def _counts(row: Counter[str]) -> ActionCounts:
    return ActionCounts(
        total=row.get("total", 0),
        open=row.get("open", 0),
        overdue=row.get("overdue", 0),
        verified=row.get("verified", 0),
    )


def metrics(actions: Sequence[RemediationAction], today: date) -> PlanMetrics:
    """Progress at a glance: by status, and open / overdue / verified by severity and owner."""
    return _metrics(
        Counter(
            (a.severity, a.owner_kind, S(a.status), is_overdue(a, today)) for a in actions
        ).items()
    )


def network_metrics(session: Session, network: Network, today: date) -> PlanMetrics:
    """The same figures for a whole plan, counted by the database (a 100,000-node network's
    plan has as many actions as it has findings; loading them all to count them took seconds)."""
    late = col(RemediationAction.status).in_(tuple(ACTIVE)) & (
        col(RemediationAction.due_date) < today
    )
    rows = session.execute(
        sa_select(
            col(RemediationAction.severity),
            col(RemediationAction.owner_kind),
            col(RemediationAction.status),
            late,
            func.count(),
        )
        .where(col(RemediationAction.network_id) == network.id)
        .group_by(
            col(RemediationAction.severity),
            col(RemediationAction.owner_kind),
            col(RemediationAction.status),
            late,
        )
    ).all()
    return _metrics(
        ((severity, owner, S(status), bool(overdue)), int(number))
        for severity, owner, status, overdue, number in rows
    )


def _metrics(tallies: Iterable[tuple[tuple[str, str, S, bool], int]]) -> PlanMetrics:
    by_status: Counter[str] = Counter()
    grid: dict[str, defaultdict[str, Counter[str]]] = {
        "severity": defaultdict(Counter),
        "owner": defaultdict(Counter),
    }
    total = overdue_total = 0
    for (severity, owner, status, overdue), number in tallies:
        total += number
        by_status[status.value] += number
        overdue_total += number if overdue else 0
        for axis, value in (("severity", severity), ("owner", owner)):
            row = grid[axis][value]
            row["total"] += number
            if status in ACTIVE:
                row["open"] += number
            if overdue:
                row["overdue"] += number
            if status == S.verified:
                row["verified"] += number
    return PlanMetrics(
        total=total,
        by_status={s.value: by_status.get(s.value, 0) for s in S},
        overdue=overdue_total,
        by_severity={
            k: _counts(v)
            for k, v in sorted(grid["severity"].items(), key=lambda kv: SEVERITY_RANK.get(kv[0], 9))
        },
        by_owner={k: _counts(v) for k, v in sorted(grid["owner"].items())},
    )
