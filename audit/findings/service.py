"""Findings in the database: kept in step with the scores, dismissed or added by auditors.

Generated findings are upserted by stable key. One whose cause has gone (the answer changed, the
recruiter got a licence) is marked resolved with the reason, never deleted, so the audit trail
shows what was found and when it stopped being true. A dismissed finding stays dismissed when it
is generated again: the auditor's recorded judgement wins until someone reopens it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, event, func
from sqlmodel import Session, col, select

from audit.findings.models import Finding, FindingStatus, FindingSync
from audit.findings.rules import FindingDraft, generate
from audit.scores.service import ScoringContext, scoring_context, scoring_inputs
from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.severity import SEVERITY_RANK
from supplychain.models import Network, Node


def sync_findings(
    session: Session, network: Network, now: datetime, context: ScoringContext | None = None
) -> bool:
    """Bring generated findings in step with the current scores; True if anything had to be
    regenerated. A cheap digest of the scores' inputs is compared first, so calling this after
    every write costs a few small queries when nothing findings depend on changed."""
    digest = scoring_inputs(session, network, now=now).digest()
    state = session.get(FindingSync, network.id)
    if state is not None and state.fingerprint == digest:
        return False
    context = context or scoring_context(session, network, now=now)
    drafts = {d.key: d for d in generate(context.graph, context.scores, now, context.reference)}
    signatures = {key: _signature(draft) for key, draft in drafts.items()}
    with _last_lock:
        last = _last.get(network.id or 0)
    if last is not None and state is not None and last[0] == state.fingerprint:
        # Only what differs from the findings this process wrote last needs the database: one
        # review on a 100,000-node network touches a handful of findings, not 140,000.
        previous = last[1]
        touched = {k for k, sig in signatures.items() if previous.get(k) != sig}
        touched |= set(previous) - set(signatures)
        existing = _generated(session, network, touched)
    else:
        touched = set(signatures)
        existing = _generated(session, network, None)
        touched |= set(existing)
    stamp = utcnow()
    for key in touched:
        draft = drafts.get(key)
        if draft is None:
            continue
        finding = existing.get(key)
        if finding is None:
            session.add(_new(network, draft, stamp))
            continue
        _refresh(finding, draft, stamp)
        if finding.status == FindingStatus.resolved:
            finding.status = FindingStatus.open
            finding.status_reason = "found again by the latest scoring"
            finding.resolved_at = None
        session.add(finding)
    for key, finding in existing.items():
        if key in touched and key not in drafts and finding.status == FindingStatus.open:
            finding.status = FindingStatus.resolved
            finding.status_reason = _why_resolved(finding, context)
            finding.resolved_at = finding.updated_at = stamp
            finding.status_by = None
            session.add(finding)
    if state is None:
        state = FindingSync(network_id=network.id or 0, fingerprint=digest)
    state.fingerprint, state.synced_at = digest, stamp
    session.add(state)
    session.flush()
    _remember(session, network.id or 0, digest, signatures)
    return True


# network id -> (the digest findings were last synced to by this process, key -> signature)
_last: dict[int, tuple[str, dict[str, int]]] = {}
_last_lock = threading.Lock()


def _signature(draft: FindingDraft) -> int:
    return hash(repr((draft.severity, draft.title, draft.detail, draft.evidence, draft.chain)))


def _remember(session: Session, network_id: int, digest: str, signatures: dict[str, int]) -> None:
    """Keep what was written, once the transaction commits (a rollback must not leave this
    process believing the database holds findings it does not)."""

    def committed(_session: Session) -> None:
        with _last_lock:
            _last[network_id] = (digest, signatures)

    def rolled_back(_session: Session) -> None:
        with _last_lock:
            _last.pop(network_id, None)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)


def _generated(session: Session, network: Network, keys: set[str] | None) -> dict[str, Finding]:
    """Generated findings of the network by key: all of them, or only those keys."""
    query = select(Finding).where(Finding.network_id == network.id, Finding.source == "generated")
    if keys is None:
        return {f.key: f for f in session.exec(query).all()}
    found: dict[str, Finding] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 2000):
        batch = ordered[start : start + 2000]
        found.update(
            (f.key, f) for f in session.exec(query.where(col(Finding.key).in_(batch))).all()
        )
    return found


def synced_context(session: Session, network: Network, now: datetime) -> ScoringContext:
    """Scores, with generated findings brought in step with them first: for writes (building
    the plan, refreshing on request) that must act on the findings the scores imply."""
    context = scoring_context(session, network, now=now)
    sync_findings(session, network, now, context)
    return context


def _new(network: Network, draft: FindingDraft, stamp: datetime) -> Finding:
    finding = Finding(
        network_id=network.id or 0,
        key=draft.key,
        source="generated",
        code=draft.code,
        severity=draft.severity,
        title=draft.title,
    )
    _refresh(finding, draft, stamp)
    finding.created_at = stamp
    return finding


def _refresh(finding: Finding, draft: FindingDraft, stamp: datetime) -> None:
    changed = (finding.severity, finding.detail, finding.evidence, finding.chain) != (
        draft.severity,
        draft.detail,
        draft.evidence,
        draft.chain,
    )
    finding.code, finding.severity, finding.node_id = draft.code, draft.severity, draft.node_id
    finding.principle, finding.title, finding.detail = draft.principle, draft.title, draft.detail
    finding.evidence, finding.chain = draft.evidence, draft.chain
    if changed:
        finding.updated_at = stamp


def _why_resolved(finding: Finding, context: ScoringContext) -> str:
    """Name the evidence that made the cause disappear."""
    node = finding.node_id
    if node is not None and node not in context.scores.nodes:
        return "resolved: the node was removed from the network"
    assessment = context.assessments.get(node) if node is not None else None
    if assessment is not None:
        return (
            f"resolved by evidence: assessment {assessment.assessment_id} "
            f"({assessment.questionnaire_label}, {assessment.status}) no longer shows it"
        )
    return "resolved by evidence: the network data no longer shows it"


@dataclass
class FindingFilters:
    status: str | None = None
    severity: str | None = None
    code: str | None = None
    node_id: int | None = None
    source: str | None = None


def list_findings(
    session: Session, *, network: Network, filters: FindingFilters, limit: int, offset: int
) -> tuple[Sequence[Finding], int]:
    query = select(Finding).where(Finding.network_id == network.id)
    for column, value in (
        (Finding.status, filters.status),
        (Finding.severity, filters.severity),
        (Finding.code, filters.code),
        (Finding.node_id, filters.node_id),
        (Finding.source, filters.source),
    ):
        if value is not None:
            query = query.where(column == value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    # Worst first, ordered and sliced by the database: a 100,000-node network has hundreds of
    # thousands of findings, and a page needs only its own rows.
    rank = case(SEVERITY_RANK, value=col(Finding.severity), else_=len(SEVERITY_RANK))
    rows = session.exec(query.order_by(rank, col(Finding.id)).offset(offset).limit(limit)).all()
    return rows, total


def counts(session: Session, network: Network) -> dict[str, dict[str, int]]:
    """status -> severity -> number of findings, for the whole network."""
    rows = session.exec(
        select(Finding.status, Finding.severity, func.count())
        .where(Finding.network_id == network.id)
        .group_by(Finding.status, Finding.severity)
    ).all()
    result: dict[str, dict[str, int]] = {}
    for status, severity, number in rows:
        result.setdefault(str(status), {})[severity] = int(number)
    return result


def get_finding(session: Session, *, network: Network, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or finding.network_id != network.id:
        raise NotFound(f"Finding {finding_id} was not found in network {network.id}")
    return finding


def create_manual(
    session: Session,
    *,
    network: Network,
    code: str,
    severity: str,
    title: str,
    detail: str,
    node_id: int | None,
    principle: str | None,
    evidence: dict,
    user_id: int | None,
) -> Finding:
    if node_id is not None:
        node = session.get(Node, node_id)
        if node is None or node.network_id != network.id:
            raise InvalidInput(
                f"Node {node_id} is not in network {network.id}",
                errors=[{"field": "node_id", "message": "not a node of this network"}],
            )
    stamp = utcnow()
    finding = Finding(
        network_id=network.id or 0,
        key=f"manual:{stamp.strftime('%Y%m%d%H%M%S%f')}:{user_id or 0}",
        source="manual",
        code=code,
        severity=severity,
        node_id=node_id,
        principle=principle,
        title=title,
        detail=detail,
        evidence=evidence,
        created_by=user_id,
    )
    session.add(finding)
    session.flush()
    return finding


def set_status(
    session: Session, *, finding: Finding, status: str, reason: str, user_id: int | None
) -> Finding:
    """Dismiss (with a reason), reopen, or resolve a manual finding."""
    if status == FindingStatus.dismissed:
        if not reason.strip():
            raise InvalidInput(
                "Say why the finding is dismissed",
                errors=[{"field": "reason", "message": "required to dismiss"}],
            )
        if finding.status == FindingStatus.dismissed:
            raise Conflict("The finding is already dismissed")
    elif status == FindingStatus.resolved:
        if finding.source == "generated":
            raise Conflict(
                "Generated findings resolve themselves when the evidence changes (e.g. an "
                "accepted assessment without the red flag); dismiss it with a reason instead"
            )
        if not reason.strip():
            raise InvalidInput(
                "Say what resolved the finding",
                errors=[{"field": "reason", "message": "required to resolve"}],
            )
    elif status == FindingStatus.open and finding.status == FindingStatus.open:
        raise Conflict("The finding is already open")
    finding.status = FindingStatus(status)
    finding.status_reason = reason.strip()
    finding.status_by = user_id
    finding.updated_at = utcnow()
    finding.resolved_at = finding.updated_at if status == FindingStatus.resolved else None
    if status == FindingStatus.open and finding.source == "generated":
        # Reopened by hand: the next scoring decides again whether the cause is present.
        state_rows = session.exec(
            select(FindingSync).where(col(FindingSync.network_id) == finding.network_id)
        ).all()
        for state in state_rows:
            session.delete(state)
    session.add(finding)
    session.flush()
    return finding
