"""Trainings and coverage turned into response bodies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from audit.training import service
from audit.training.coverage import Share, expires_on, is_current
from audit.training.models import Training, TrainingEvidence
from audit.training.schemas import (
    CoverageRead,
    NodeCoverageRead,
    ShareRead,
    TopicRead,
    TrainingEvidenceRead,
    TrainingPage,
    TrainingRead,
)
from audit.training.topics import training_topics
from supplychain.models import Node


def _read(
    training: Training,
    node: Node,
    evidence: Sequence[TrainingEvidence],
    today: date,
    validity_months: int,
    closed: Sequence[int] = (),
) -> TrainingRead:
    return TrainingRead(
        id=training.id or 0,
        network_id=training.network_id,
        node_id=training.node_id,
        node_external_id=node.external_id,
        node_name=node.name,
        node_kind=str(node.kind),
        delivered_on=training.delivered_on,
        provider=training.provider,
        topics=list(training.topics),
        audience_roles=list(training.audience_roles),
        participants=training.participants,
        language=training.language,
        notes=training.notes,
        expires_on=expires_on(training.delivered_on, validity_months),
        current=is_current(training.delivered_on, today, validity_months),
        validity_months=validity_months,
        evidence=[TrainingEvidenceRead.model_validate(e) for e in evidence],
        closed_actions=list(closed),
        created_by=training.created_by,
        created_at=training.created_at,
        updated_at=training.updated_at,
    )


def training_read(
    session: Session,
    training: Training,
    today: date,
    validity_months: int,
    closed: Sequence[int] = (),
) -> TrainingRead:
    node = session.get(Node, training.node_id)
    assert node is not None  # a foreign key: the node exists
    evidence = service.evidence_of(session, training)
    return _read(training, node, evidence, today, validity_months, closed)


def trainings_page(
    session: Session,
    rows: Sequence[Training],
    total: int,
    today: date,
    validity_months: int,
    limit: int,
    offset: int,
) -> TrainingPage:
    """A page of trainings, with their nodes and evidence read in one query each."""
    node_ids = sorted({t.node_id for t in rows})
    nodes = (
        {n.id: n for n in session.exec(select(Node).where(col(Node.id).in_(node_ids))).all()}
        if node_ids
        else {}
    )
    evidence = service.evidence_by_training(session, [t.id or 0 for t in rows])
    return TrainingPage(
        items=[
            _read(t, nodes[t.node_id], evidence[t.id or 0], today, validity_months) for t in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


def _share(share: Share) -> ShareRead:
    return ShareRead(current=share.current, total=share.total, share=share.share)


def coverage_read(
    summary: service.CoverageSummary,
    lines: Sequence[service.CoverageLine],
    *,
    required_only: bool,
    limit: int,
    offset: int,
) -> CoverageRead:
    """The network's figures and one page of its nodes (``lines``, read by
    ``service.coverage_page`` with the same filter, limit and offset)."""
    return CoverageRead(
        today=summary.today,
        validity_months=summary.validity_months,
        suppliers_with_migrants=_share(summary.suppliers_with_migrants),
        recruiters=_share(summary.recruiters),
        gaps=summary.gaps,
        nodes=[
            NodeCoverageRead(
                node_id=line.row.node_id,
                external_id=line.node.external_id,
                name=line.node.name,
                kind=line.row.kind,
                required=line.row.required,
                last_trained=line.row.last_trained,
                expires_on=line.row.expires,
                current=line.row.current,
            )
            for line in lines
        ],
        total=summary.required if required_only else summary.total,
        limit=limit,
        offset=offset,
    )


def topics_read() -> list[TopicRead]:
    return [
        TopicRead(id=t.id, label=t.label, sources=list(t.sources)) for t in training_topics().topics
    ]
