"""Findings in the database: kept in step with the scores, dismissed or added by auditors.

Generated findings are upserted by stable key. One whose cause has gone (the answer changed, the
recruiter got a licence) is marked resolved with the reason, never deleted, so the audit trail
shows what was found and when it stopped being true. A dismissed finding stays dismissed when it
is generated again: the auditor's recorded judgement wins until someone reopens it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, case, event, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from audit.findings.models import Finding, FindingStatus, FindingSync
from audit.findings.rules import FindingDraft, generate
from audit.orientation.coverage import OrientationFacts
from audit.orientation.facts import orientation_facts, orientation_stamp
from audit.scores.service import (
    ScoringContext,
    ScoringInputs,
    scoring_context,
    scoring_inputs,
)
from audit.training.coverage import TrainingFacts
from audit.training.facts import training_facts, training_stamp
from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.severity import SEVERITY_RANK
from scoring.network import NetworkScores
from supplychain.models import Network, Node
from supplychain.registry.licence_lists import licence_checks, licence_stamp
from supplychain.registry.licences import LicenceCheck


def sync_findings(
    session: Session, network: Network, now: datetime, context: ScoringContext | None = None
) -> bool:
    """Bring generated findings in step with the current scores; True if anything had to be
    regenerated. A cheap digest of the scores' inputs is compared first, so calling this after
    every write costs a few small queries when nothing findings depend on changed."""
    inputs = scoring_inputs(session, network, now=now)
    trainings_key = training_stamp(session, network)
    orientation_key = other_facts_stamp(session, network)
    digest = findings_digest(inputs, trainings_key, orientation_key)
    state = session.get(FindingSync, network.id)
    if state is not None and state.fingerprint == digest:
        return False
    context = context or scoring_context(session, network, now=now)
    trainings = training_facts(session, network)
    orientation = orientation_facts(session, network)
    licences = licence_checks(session, network, now.date())
    with _last_lock:
        last = _last.get(network.id or 0)
    usable = last is not None and state is not None and last.digest == state.fingerprint
    if last is not None and usable and last.same_basis(inputs, trainings_key, orientation_key):
        # Only assessments changed since this process last synced: a node's findings depend
        # on its own score alone (given the graph, profile and date), and a re-score replaces
        # exactly the score objects of the nodes it recomputed.
        changed = {
            node
            for node in set(context.scores.nodes) | set(last.scores.nodes)
            if context.scores.nodes.get(node) is not last.scores.nodes.get(node)
        }
        drafts = _drafts(context, now, changed, trainings, orientation, licences)
        by_node = {**last.by_node, **_by_node(drafts, changed)}
        touched = set(drafts) | {key for node in changed for key in last.by_node.get(node, {})}
        stored = _stored(session, network, touched)
    else:
        drafts = _drafts(context, now, None, trainings, orientation, licences)
        by_node = _by_node(drafts, None)
        if last is not None and usable:
            # Same findings in the database as this process wrote: compare signatures, and
            # load only what differs.
            previous = {k: sig for keys in last.by_node.values() for k, sig in keys.items()}
            current = {k: sig for keys in by_node.values() for k, sig in keys.items()}
            touched = {k for k, sig in current.items() if previous.get(k) != sig}
            touched |= set(previous) - set(current)
            stored = _stored(session, network, touched)
        else:
            stored = _stored(session, network, None)
            touched = set(drafts) | set(stored)
    signatures = {k: sig for keys in by_node.values() for k, sig in keys.items()}
    _write(session, network, context, drafts, signatures, stored, touched)
    if state is None:
        state = FindingSync(network_id=network.id or 0, fingerprint=digest)
    state.fingerprint, state.synced_at = digest, utcnow()
    session.add(state)
    session.flush()
    synced = _Synced(digest, inputs, context.scores, by_node, trainings_key, orientation_key)
    _remember(session, network.id or 0, synced)
    return True


def other_facts_stamp(session: Session, network: Network) -> tuple[Any, ...]:
    """The orientation sessions and the authority licence lists, which only their own rules
    read, as one part of the digest (``sync_findings`` and the freshness check both use it)."""
    return (*orientation_stamp(session, network), "licences", *licence_stamp(session))


def findings_digest(
    inputs: ScoringInputs,
    trainings_key: tuple[Any, ...],
    orientation_key: tuple[Any, ...] = (),
) -> str:
    """What generated findings are current for: the scores' inputs, the trainings recorded
    (``audit.training.facts.training_stamp``), which only the training-gap rule reads, and the
    orientation sessions (``audit.orientation.facts.orientation_stamp``), which only the
    orientation rules read."""
    state = {
        "scores": inputs.digest(),
        "trainings": [str(part) for part in trainings_key],
        "orientation": [str(part) for part in orientation_key],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class _Synced:
    """What this process last wrote for a network: the digest, the inputs and scores it came
    from, and each node's findings by key with their signatures."""

    digest: str
    inputs: ScoringInputs
    scores: NetworkScores
    by_node: dict[int | None, dict[str, int]]
    trainings_key: tuple[Any, ...] = ()
    orientation_key: tuple[Any, ...] = ()

    def same_basis(
        self,
        inputs: ScoringInputs,
        trainings_key: tuple[Any, ...],
        orientation_key: tuple[Any, ...] = (),
    ) -> bool:
        return (
            self.trainings_key == trainings_key
            and self.orientation_key == orientation_key
            and self.inputs.network_key == inputs.network_key
            and self.inputs.version == inputs.version
            and self.inputs.settings_key == inputs.settings_key
        )


_last: dict[int, _Synced] = {}
_last_lock = threading.Lock()


def _drafts(
    context: ScoringContext,
    now: datetime,
    nodes: set[int] | None,
    trainings: TrainingFacts,
    orientation: OrientationFacts | None = None,
    licences: Mapping[int, LicenceCheck] | None = None,
) -> dict[str, FindingDraft]:
    found = generate(
        context.graph,
        context.scores,
        now,
        context.reference,
        nodes,
        trainings,
        orientation,
        licences,
    )
    return {d.key: d for d in found}


def _by_node(
    drafts: dict[str, FindingDraft], nodes: set[int] | None
) -> dict[int | None, dict[str, int]]:
    grouped: dict[int | None, dict[str, int]] = {node: {} for node in nodes or ()}
    for key, draft in drafts.items():
        grouped.setdefault(draft.node_id, {})[key] = _signature(draft)
    return grouped


def _signature(draft: FindingDraft) -> int:
    return _content_signature(*_content(draft).values())


def _content_signature(*values: Any) -> int:
    """The same number for a draft and the row it was written as (JSON turns tuples into
    lists, so both sides are compared as JSON text)."""
    return hash(json.dumps(values, sort_keys=True, default=str))


def _remember(session: Session, network_id: int, synced: _Synced) -> None:
    """Keep what was written, once the transaction commits (a rollback must not leave this
    process believing the database holds findings it does not)."""

    def committed(_session: Session) -> None:
        with _last_lock:
            _last[network_id] = synced

    def rolled_back(_session: Session) -> None:
        with _last_lock:
            _last.pop(network_id, None)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)


@dataclass(frozen=True)
class _Stored:
    id: int
    status: str
    node_id: int | None
    signature: int


_STORED_COLUMNS = ("id", "key", "status", "node_id", *("code", "severity", "principle"))
_CONTENT = ("title", "detail", "evidence", "chain")


def _stored(session: Session, network: Network, keys: set[str] | None) -> dict[str, _Stored]:
    """Generated findings of the network by key (all, or only those keys), as plain rows with
    their content signature: no ORM objects, which cost more to build than the findings."""
    table = Finding.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in (*_STORED_COLUMNS, *_CONTENT)]
    query = sa_select(*columns).where(
        table.c.network_id == network.id, table.c.source == "generated"
    )
    batches = [None] if keys is None else _batches(sorted(keys))
    found: dict[str, _Stored] = {}
    for batch in batches:
        rows = session.execute(query if batch is None else query.where(table.c.key.in_(batch)))
        for row in rows:
            values = row._mapping
            found[values["key"]] = _Stored(
                id=values["id"],
                status=str(values["status"]),
                node_id=values["node_id"],
                signature=_content_signature(
                    values["code"],
                    values["severity"],
                    values["node_id"],
                    values["principle"],
                    *(values[name] for name in _CONTENT),
                ),
            )
    return found


def _batches(keys: list[str], size: int = 2000) -> list[list[str]]:
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def _write(
    session: Session,
    network: Network,
    context: ScoringContext,
    drafts: dict[str, FindingDraft],
    signatures: dict[str, int],
    stored: dict[str, _Stored],
    touched: set[str],
) -> None:
    """Insert new findings, update changed ones, reopen those found again and resolve those
    whose cause went, each kind as one executemany statement."""
    table = Finding.__table__  # type: ignore[attr-defined]
    stamp = utcnow()
    inserts: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    reopened: list[dict[str, Any]] = []
    resolved: list[dict[str, Any]] = []
    for key in sorted(touched):
        draft, row = drafts.get(key), stored.get(key)
        if draft is None:
            if row is not None and row.status == FindingStatus.open:
                resolved.append(
                    {"b_id": row.id, "reason": _why_resolved(row.node_id, context), "at": stamp}
                )
            continue
        if row is None:
            inserts.append(_insert_row(network, draft, stamp))
            continue
        if row.signature != signatures[key]:
            changes.append({"b_id": row.id, **_content(draft), "updated_at": stamp})
        if row.status == FindingStatus.resolved:
            reopened.append({"b_id": row.id})
    b_id = bindparam("b_id", type_=Integer)
    for start in range(0, len(inserts), 5000):
        session.execute(insert(table), inserts[start : start + 5000])
    if changes:
        names = [n for n in changes[0] if n != "b_id"]
        session.execute(
            update(table).where(table.c.id == b_id).values({n: bindparam(n) for n in names}),
            changes,
        )
    if reopened:
        session.execute(
            update(table)
            .where(table.c.id == b_id)
            .values(
                status=FindingStatus.open,
                status_reason="found again by the latest scoring",
                resolved_at=None,
            ),
            reopened,
        )
    if resolved:
        session.execute(
            update(table)
            .where(table.c.id == b_id)
            .values(
                status=FindingStatus.resolved,
                status_reason=bindparam("reason"),
                resolved_at=bindparam("at"),
                updated_at=bindparam("at"),
                status_by=None,
            ),
            resolved,
        )


def _content(draft: FindingDraft) -> dict[str, Any]:
    return {
        "code": draft.code,
        "severity": draft.severity,
        "node_id": draft.node_id,
        "principle": draft.principle,
        "title": draft.title,
        "detail": draft.detail,
        "evidence": draft.evidence,
        "chain": draft.chain,
    }


def _insert_row(network: Network, draft: FindingDraft, stamp: datetime) -> dict[str, Any]:
    return {
        "network_id": network.id or 0,
        "key": draft.key,
        "source": "generated",
        **_content(draft),
        "status": FindingStatus.open,
        "status_reason": "",
        "status_by": None,
        "created_by": None,
        "created_at": stamp,
        "updated_at": stamp,
        "resolved_at": None,
    }


def synced_context(session: Session, network: Network, now: datetime) -> ScoringContext:
    """Scores, with generated findings brought in step with them first: for writes (building
    the plan, refreshing on request) that must act on the findings the scores imply."""
    context = scoring_context(session, network, now=now)
    sync_findings(session, network, now, context)
    return context


def _why_resolved(node: int | None, context: ScoringContext) -> str:
    """Name the evidence that made the cause disappear."""
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
    q: str | None = None  # in the title, which names the node


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
    if filters.q:
        query = query.where(func.lower(Finding.title).contains(filters.q.lower()))
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
