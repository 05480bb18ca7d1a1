"""Trainings of a network: recorded, changed and removed, their evidence files, coverage, and
the plan's training actions they close.

Recording a training for a node whose plan still has an open training action (the CREST
pillar 1 template, ``TRAINING_TEMPLATE``) completes that action, with a history entry naming the
training: the training is the evidence the action asks for. Only a current training does so; an
old one recorded for the file changes nothing in the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from audit.remediation import service as plans
from audit.remediation.models import ActionStatus, RemediationAction
from audit.training.coverage import (
    TRAINED_KINDS,
    Coverage,
    NodeCoverage,
    NodeFacts,
    Share,
    coverage,
    current_since,
    expires_on,
    is_current,
    needs_training,
)
from audit.training.models import Training, TrainingEvidence
from audit.training.schemas import TrainingCreate
from audit.training.topics import training_topics
from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from questionnaires import evidence as evidence_files
from questionnaires.service import store_upload
from supplychain.models import Network, Node

# The remediation library's template for CREST pillar 1 (training suppliers' HR staff and
# recruiters): the one the training-gap finding (principle crest:PILLAR-1) is planned with.
TRAINING_TEMPLATE = "train-hr-and-recruiters"


def trained_node(session: Session, network: Network, node_id: int, field: str) -> Node:
    """The node a training is for: in this network, and one whose staff can be trained."""
    node = session.get(Node, node_id)
    if node is None or node.network_id != network.id:
        raise InvalidInput(
            f"Node {node_id} is not in network {network.id}",
            errors=[{"field": field, "message": "not a node of this network", "value": node_id}],
        )
    if str(node.kind) not in TRAINED_KINDS:
        raise InvalidInput(
            f"Node {node_id} is a {node.kind}: trainings are for the staff of the company, "
            "suppliers and recruiters (workers' orientation is recorded separately)",
            errors=[{"field": field, "message": f"a {node.kind} has no staff to train"}],
        )
    return node


def _not_in_future(delivered_on: date, today: date, field: str = "delivered_on") -> None:
    if delivered_on > today:
        raise InvalidInput(
            f"The training date {delivered_on.isoformat()} is in the future",
            errors=[{"field": field, "message": f"must be on or before {today.isoformat()}"}],
        )


def record_training(
    session: Session,
    *,
    network: Network,
    data: TrainingCreate,
    today: date,
    validity_months: int,
    role: str,
    user_id: int | None,
) -> tuple[Training, list[int]]:
    """The new training, and the plan actions it closed."""
    trained_node(session, network, data.node_id, "node_id")
    _not_in_future(data.delivered_on, today)
    same = check_unique(
        session,
        network=network,
        node_id=data.node_id,
        delivered_on=data.delivered_on,
        provider=data.provider,
    )
    if same is not None:
        raise Conflict(
            f"Training {same} already records {data.provider} training for node "
            f"{data.node_id} on {data.delivered_on.isoformat()}; change that one instead"
        )
    training = Training(network_id=network.id or 0, created_by=user_id, **data.model_dump())
    session.add(training)
    session.flush()
    closed = close_training_actions(
        session,
        network=network,
        trainings=[training],
        today=today,
        validity_months=validity_months,
        role=role,
        user_id=user_id,
    )
    return training, closed


def get_training(session: Session, *, network: Network, training_id: int) -> Training:
    training = session.get(Training, training_id)
    if training is None or training.network_id != network.id:
        raise NotFound(f"Training {training_id} was not found in network {network.id}")
    return training


def update_training(
    session: Session,
    *,
    network: Network,
    training: Training,
    changes: dict[str, Any],
    today: date,
    validity_months: int,
    role: str,
    user_id: int | None,
) -> list[int]:
    """Apply the changes; the plan actions closed if the training became current or moved."""
    if "node_id" in changes:
        trained_node(session, network, changes["node_id"], "node_id")
    if "delivered_on" in changes:
        _not_in_future(changes["delivered_on"], today)
    same = check_unique(
        session,
        network=network,
        node_id=changes.get("node_id", training.node_id),
        delivered_on=changes.get("delivered_on", training.delivered_on),
        provider=changes.get("provider", training.provider),
    )
    if same is not None and same != training.id:
        raise Conflict(f"Training {same} already records this node, day and provider")
    for key, value in changes.items():
        setattr(training, key, value)
    training.updated_at = utcnow()
    session.add(training)
    session.flush()
    return close_training_actions(
        session,
        network=network,
        trainings=[training],
        today=today,
        validity_months=validity_months,
        role=role,
        user_id=user_id,
    )


def delete_training(session: Session, *, training: Training) -> None:
    """A training recorded by mistake goes with its evidence records (the stored files stay in
    the file store, which other records may share). Actions it closed stay closed: their
    history names it, and reopening is a person's decision."""
    for evidence in evidence_of(session, training):
        session.delete(evidence)
    session.flush()
    session.delete(training)
    session.flush()


def close_training_actions(
    session: Session,
    *,
    network: Network,
    trainings: Sequence[Training],
    today: date,
    validity_months: int,
    role: str,
    user_id: int | None,
) -> list[int]:
    """Complete the open training actions of the nodes these trainings make current."""
    newest: dict[int, Training] = {}
    for training in trainings:
        if not is_current(training.delivered_on, today, validity_months):
            continue
        held = newest.get(training.node_id)
        if held is None or (training.delivered_on, training.id or 0) > (
            held.delivered_on,
            held.id or 0,
        ):
            newest[training.node_id] = training
    if not newest:
        return []
    actions = session.exec(
        select(RemediationAction)
        .where(
            RemediationAction.network_id == network.id,
            RemediationAction.template_id == TRAINING_TEMPLATE,
            col(RemediationAction.node_id).in_(list(newest)),
            col(RemediationAction.status).in_(tuple(plans.ACTIVE)),
        )
        .order_by(col(RemediationAction.id))
    ).all()
    topics = training_topics()
    closed: list[int] = []
    for action in actions:
        training = newest[action.node_id or 0]
        covered = "; ".join(topics.label(t) for t in training.topics)
        plans.change_status(
            session,
            action=action,
            target=ActionStatus.completed,
            role=role,
            comment=f"Completed by training {training.id}: {training.provider} on "
            f"{training.delivered_on.isoformat()}, {training.participants} participants "
            f"({covered})",
            user_id=user_id,
        )
        closed.append(action.id or 0)
    session.flush()
    return closed


@dataclass
class TrainingFilters:
    node_id: int | None = None
    topic: str | None = None
    current: bool | None = None


def list_trainings(
    session: Session,
    *,
    network: Network,
    filters: TrainingFilters,
    today: date,
    validity_months: int,
    limit: int,
    offset: int,
) -> tuple[list[Training], int]:
    """Newest first, filtered by node, topic and whether current on ``today``."""
    query = select(Training).where(Training.network_id == network.id)
    if filters.node_id is not None:
        query = query.where(Training.node_id == filters.node_id)
    if filters.current is not None:
        since = current_since(today, validity_months)
        window = (col(Training.delivered_on) >= since) & (col(Training.delivered_on) <= today)
        query = query.where(window if filters.current else ~window)
    ordered = query.order_by(col(Training.delivered_on).desc(), col(Training.id).desc())
    if filters.topic is None:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        return list(session.exec(ordered.offset(offset).limit(limit)).all()), total
    # Topics are a JSON list, which SQLite and PostgreSQL search differently; a network holds
    # trainings by the hundred, not the million, so the match is made here.
    matching = [t for t in session.exec(ordered).all() if filters.topic in t.topics]
    return matching[offset : offset + limit], len(matching)


def latest_by_node(session: Session, network: Network) -> dict[int, date]:
    rows = session.exec(
        select(Training.node_id, func.max(Training.delivered_on))
        .where(Training.network_id == network.id)
        .group_by(col(Training.node_id))
    ).all()
    return {node_id: last for node_id, last in rows if last is not None}


def network_coverage(
    session: Session, *, network: Network, today: date, validity_months: int
) -> tuple[Coverage, dict[int, NodeLabel]]:
    """Coverage of every company, supplier and recruiter node, and their labels by id (for the
    CLI, which lists every gap): read as columns, never as whole node rows. Pages and the API
    ask ``coverage_summary`` and ``coverage_page``, which cost what they show."""
    rows = session.execute(
        sa_select(
            col(Node.id),
            col(Node.external_id),
            col(Node.name),
            col(Node.kind),
            col(Node.migrant_workers),
        ).where(_trained_nodes(network))
    ).all()
    facts = [NodeFacts(i or 0, str(kind), migrants) for i, _e, _n, kind, migrants in rows]
    labels = {i or 0: NodeLabel(i or 0, external_id, name) for i, external_id, name, *_ in rows}
    # A training dated after ``today`` (a clock moved back in a test) does not count yet.
    last = {k: v for k, v in latest_by_node(session, network).items() if v <= today}
    return coverage(facts, last, today, validity_months), labels


# Coverage in SQL: the same rule as ``audit.training.coverage``, counted and paged by the
# database so a network of 100,000 nodes costs what the page shows, not one row per node.


@dataclass(frozen=True)
class NodeLabel:
    """What a coverage line prints of its node."""

    id: int
    external_id: str
    name: str


@dataclass(frozen=True)
class CoverageLine:
    node: NodeLabel
    row: NodeCoverage


@dataclass(frozen=True)
class CoverageSummary:
    """The network's figures: its company, supplier and recruiter nodes (``total``), those that
    must be trained (``required``) and of them the ``current``, ``expired`` and ``never``
    trained; and the two shares of ``Coverage``."""

    today: date
    validity_months: int
    total: int
    required: int
    current: int
    expired: int
    never: int
    suppliers_with_migrants: Share
    recruiters: Share

    @property
    def gaps(self) -> int:
        return self.expired + self.never


class CoverageOrder(StrEnum):
    by_id = "id"  # the API's order (the pure function's)
    needs_first = "needs"  # the page's: never trained, then expired, then the rest, by name


def _latest_until(network: Network, today: date) -> Any:
    """Each node's latest training on or before ``today``: one grouped subquery."""
    return (
        select(
            col(Training.node_id).label("node_id"),
            func.max(col(Training.delivered_on)).label("last"),
        )
        .where(Training.network_id == network.id, col(Training.delivered_on) <= today)
        .group_by(col(Training.node_id))
        .subquery("latest")
    )


def _coverage_columns(network: Network, today: date, validity_months: int) -> tuple[Any, ...]:
    """The latest-training subquery and the SQL forms of ``needs_training`` and ``is_current``:
    a training is current from ``current_since`` (the calendar-month rule, computed here)
    up to today, and the subquery holds no date after today."""
    latest = _latest_until(network, today)
    last = latest.c.last
    required = or_(
        col(Node.kind) == "recruiter",
        and_(col(Node.kind) == "supplier", func.coalesce(col(Node.migrant_workers), 0) > 0),
    )
    current = and_(last.is_not(None), last >= current_since(today, validity_months))
    return latest, last, required, current


def _trained_nodes(network: Network) -> Any:
    return and_(col(Node.network_id) == network.id, col(Node.kind).in_(tuple(TRAINED_KINDS)))


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def coverage_summary(
    session: Session, *, network: Network, today: date, validity_months: int
) -> CoverageSummary:
    """The shares and counts of ``coverage``, in one aggregate query (no node is loaded)."""
    latest, last, required, current = _coverage_columns(network, today, validity_months)
    gap = and_(required, ~current)
    supplier = and_(col(Node.kind) == "supplier", required)
    recruiter = col(Node.kind) == "recruiter"
    row = session.execute(
        sa_select(
            func.count(col(Node.id)),
            _count(required),
            _count(and_(required, current)),
            _count(and_(gap, last.is_not(None))),
            _count(and_(required, last.is_(None))),
            _count(supplier),
            _count(and_(supplier, current)),
            _count(recruiter),
            _count(and_(recruiter, current)),
        )
        .select_from(Node)
        .outerjoin(latest, latest.c.node_id == col(Node.id))
        .where(_trained_nodes(network))
    ).one()
    total, needed, held, expired, never, suppliers, suppliers_held, recruiters, held_r = (
        int(v) for v in row
    )
    return CoverageSummary(
        today=today,
        validity_months=validity_months,
        total=total,
        required=needed,
        current=held,
        expired=expired,
        never=never,
        suppliers_with_migrants=Share(suppliers_held, suppliers),
        recruiters=Share(held_r, recruiters),
    )


def coverage_page(
    session: Session,
    *,
    network: Network,
    today: date,
    validity_months: int,
    order: CoverageOrder,
    required_only: bool = False,
    limit: int,
    offset: int = 0,
) -> list[CoverageLine]:
    """One page of coverage lines, ordered and cut by the database; each line's status is
    then decided by the pure rule (``is_current``, ``expires_on``) from its latest date."""
    latest, last, required, current = _coverage_columns(network, today, validity_months)
    query = (
        sa_select(
            col(Node.id),
            col(Node.external_id),
            col(Node.name),
            col(Node.kind),
            col(Node.migrant_workers),
            last,
        )
        .select_from(Node)
        .outerjoin(latest, latest.c.node_id == col(Node.id))
        .where(_trained_nodes(network))
    )
    if required_only:
        query = query.where(required)
    if order is CoverageOrder.needs_first:
        gap = and_(required, ~current)
        query = query.order_by(
            case((gap, 0), else_=1),
            case((and_(gap, last.is_not(None)), 1), else_=0),
            func.lower(col(Node.name)),
            col(Node.id),
        )
    else:
        query = query.order_by(col(Node.id))
    lines = []
    for node_id, external_id, name, kind, migrants, trained in session.execute(
        query.offset(offset).limit(limit)
    ).all():
        lines.append(
            CoverageLine(
                NodeLabel(node_id or 0, external_id, name),
                NodeCoverage(
                    node_id=node_id or 0,
                    kind=str(kind),
                    required=needs_training(str(kind), migrants),
                    last_trained=trained,
                    expires=expires_on(trained, validity_months) if trained else None,
                    current=is_current(trained, today, validity_months),
                ),
            )
        )
    return lines


def node_labels(
    session: Session, network: Network, node_ids: Iterable[int]
) -> dict[int, NodeLabel]:
    """Labels of a few nodes of the network (a page of trainings' nodes), as columns."""
    wanted = sorted(set(node_ids))
    if not wanted:
        return {}
    return {
        i or 0: NodeLabel(i or 0, external_id, name)
        for i, external_id, name in session.exec(
            select(col(Node.id), col(Node.external_id), col(Node.name)).where(
                Node.network_id == network.id, col(Node.id).in_(wanted)
            )
        ).all()
    }


# Evidence files ---------------------------------------------------------------------------------


def add_evidence(
    session: Session,
    *,
    training: Training,
    filename: str,
    chunks: Iterable[bytes],
    max_bytes: int,
    user_id: int | None,
) -> TrainingEvidence:
    detected, stored = store_upload(session, chunks=chunks, filename=filename, max_bytes=max_bytes)
    evidence = TrainingEvidence(
        training_id=training.id or 0,
        sha256=stored.sha256,
        filename=evidence_files.clean_filename(filename, detected.extension),
        media_type=detected.media_type,
        size=stored.size,
        uploaded_by=user_id,
    )
    session.add(evidence)
    session.flush()
    return evidence


def evidence_of(session: Session, training: Training) -> Sequence[TrainingEvidence]:
    return session.exec(
        select(TrainingEvidence)
        .where(TrainingEvidence.training_id == training.id)
        .order_by(col(TrainingEvidence.id))
    ).all()


def evidence_by_training(
    session: Session, training_ids: Sequence[int]
) -> dict[int, list[TrainingEvidence]]:
    """training id -> its evidence, in one query for a page of trainings."""
    found: dict[int, list[TrainingEvidence]] = {i: [] for i in training_ids}
    if not training_ids:
        return found
    for evidence in session.exec(
        select(TrainingEvidence)
        .where(col(TrainingEvidence.training_id).in_(list(training_ids)))
        .order_by(col(TrainingEvidence.id))
    ).all():
        found[evidence.training_id].append(evidence)
    return found


def get_evidence(session: Session, *, training: Training, evidence_id: int) -> TrainingEvidence:
    evidence = session.get(TrainingEvidence, evidence_id)
    if evidence is None or evidence.training_id != training.id:
        raise NotFound(f"Evidence {evidence_id} was not found")
    return evidence


def check_unique(
    session: Session, *, network: Network, node_id: int, delivered_on: date, provider: str
) -> int | None:
    """The id of a training already recorded for the node on that day by that provider: an
    attendance sheet imported twice must not count its sessions twice."""
    return session.exec(
        select(Training.id).where(
            Training.network_id == network.id,
            Training.node_id == node_id,
            Training.delivered_on == delivered_on,
            func.lower(Training.provider) == provider.lower(),
        )
    ).first()
