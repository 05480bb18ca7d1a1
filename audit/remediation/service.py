"""The remediation plan of a network: actions for open findings, with owners, deadlines and
status changes allowed per role, as IOM CREST guides companies to plan and verify remedy.

Verification is kept apart from completion: whoever did the work marks it completed; programme
staff (admins, the auditors) confirm it with evidence. Cancelling always needs a reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from audit.findings.models import Finding, FindingStatus
from audit.findings.service import synced_context
from audit.remediation.library import ActionTemplate, RemediationLibrary, remediation_library
from audit.remediation.models import ActionEvent, ActionEvidence, ActionStatus, RemediationAction
from core import storage
from core.clock import utcnow
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.severity import SEVERITY_RANK
from questionnaires import evidence as evidence_files
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


def _company(session: Session, network: Network) -> Node | None:
    return session.exec(
        select(Node).where(Node.network_id == network.id, Node.kind == "company")
    ).first()


def _owner(
    session: Session, network: Network, finding: Finding, template: ActionTemplate
) -> tuple[str, Node | None, str]:
    """Who must act: (owner kind, owner node, display name)."""
    node = session.get(Node, finding.node_id) if finding.node_id else None
    wanted = template.owner
    if wanted == "node" and node is not None:
        return str(node.kind), node, node.name
    if wanted == "company" or node is None:
        company = _company(session, network)
        return "company", company, company.name if company else "The buying company"
    if wanted == "recruiter" and node.kind == "recruiter":
        return "recruiter", node, node.name
    if wanted == "supplier":
        if node.kind == "supplier":
            return "supplier", node, node.name
        for node_id in finding.chain[1:]:  # the first employer down the chain
            employer = session.get(Node, node_id)
            if employer is not None and employer.kind == "supplier":
                return "supplier", employer, employer.name
    if wanted == "recruiter":
        return "recruiter", None, f"Recruiters placing workers with {node.name}"
    return str(node.kind), node, node.name


def build_plan(
    session: Session,
    *,
    network: Network,
    library: RemediationLibrary,
    today: date,
    user_id: int | None,
) -> list[RemediationAction]:
    """Add actions for open findings that have none yet; existing actions are left alone."""
    findings = session.exec(
        select(Finding).where(
            Finding.network_id == network.id, Finding.status == FindingStatus.open
        )
    ).all()
    planned = {
        (a.finding_id, a.template_id)
        for a in session.exec(
            select(RemediationAction).where(RemediationAction.network_id == network.id)
        ).all()
    }
    created: list[RemediationAction] = []
    for finding in sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.id or 0)):
        for template in library.for_finding(finding.code, finding.principle):
            if (finding.id, template.id) in planned:
                continue
            kind, owner, name = _owner(session, network, finding, template)
            subject = session.get(Node, finding.node_id) if finding.node_id else None
            action = RemediationAction(
                network_id=network.id or 0,
                finding_id=finding.id,
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
            session.add(action)
            session.flush()
            _event(
                session,
                action,
                user_id,
                "created",
                details={"finding": finding.id, "template": template.id},
            )
            planned.add((finding.id, template.id))
            created.append(action)
    return created


def plan_new_findings(
    session: Session, *, network: Network, now: datetime, user_id: int | None
) -> list[RemediationAction]:
    """Bring generated findings in step with the current scores, then plan actions from the
    shipped library for the open ones that have none: what "build the plan" means to a user."""
    synced_context(session, network, now)
    return build_plan(
        session,
        network=network,
        library=remediation_library(),
        today=now.date(),
        user_id=user_id,
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
        (RemediationAction.finding_id, filters.finding_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.overdue is not None:
        late = col(RemediationAction.status).in_(tuple(ACTIVE)) & (
            col(RemediationAction.due_date) < today
        )
        query = query.where(late if filters.overdue else ~late)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(RemediationAction.due_date), col(RemediationAction.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


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
    data: bytes,
    data_dir: Path,
    max_bytes: int,
    user_id: int | None,
) -> ActionEvidence:
    if action.status == S.cancelled:
        raise Conflict("The action was cancelled")
    detected, digest = evidence_files.check_upload(data, filename, max_bytes)
    storage.store_bytes(data_dir, digest, data)
    evidence = ActionEvidence(
        action_id=action.id or 0,
        sha256=digest,
        filename=evidence_files.clean_filename(filename, detected.extension),
        media_type=detected.media_type,
        size=len(data),
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
    by_status = Counter(str(a.status) for a in actions)
    grid: dict[str, defaultdict[str, Counter[str]]] = {
        "severity": defaultdict(Counter),
        "owner": defaultdict(Counter),
    }
    for action in actions:
        for axis, value in (("severity", action.severity), ("owner", action.owner_kind)):
            row = grid[axis][value]
            row["total"] += 1
            if action.status in ACTIVE:
                row["open"] += 1
            if is_overdue(action, today):
                row["overdue"] += 1
            if action.status == S.verified:
                row["verified"] += 1
    return PlanMetrics(
        total=len(actions),
        by_status={s.value: by_status.get(s.value, 0) for s in S},
        overdue=sum(1 for a in actions if is_overdue(a, today)),
        by_severity={
            k: _counts(v)
            for k, v in sorted(grid["severity"].items(), key=lambda kv: SEVERITY_RANK.get(kv[0], 9))
        },
        by_owner={k: _counts(v) for k, v in sorted(grid["owner"].items())},
    )
