"""Trainings and coverage turned into response bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlmodel import Session, col, select

from audit.training import service
from audit.training.coverage import Coverage, expires_on, is_current
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


def coverage_read(
    result: Coverage,
    nodes: Mapping[int, Node],
    *,
    required_only: bool,
    limit: int,
    offset: int,
) -> CoverageRead:
    listed = [n for n in result.nodes if n.required or not required_only]
    page = listed[offset : offset + limit]
    return CoverageRead(
        today=result.today,
        validity_months=result.validity_months,
        suppliers_with_migrants=ShareRead(
            current=result.suppliers_with_migrants.current,
            total=result.suppliers_with_migrants.total,
            share=result.suppliers_with_migrants.share,
        ),
        recruiters=ShareRead(
            current=result.recruiters.current,
            total=result.recruiters.total,
            share=result.recruiters.share,
        ),
        gaps=len(result.gaps()),
        nodes=[
            NodeCoverageRead(
                node_id=row.node_id,
                external_id=nodes[row.node_id].external_id,
                name=nodes[row.node_id].name,
                kind=row.kind,
                required=row.required,
                last_trained=row.last_trained,
                expires_on=row.expires,
                current=row.current,
            )
            for row in page
        ],
        total=len(listed),
        limit=limit,
        offset=offset,
    )


def topics_read() -> list[TopicRead]:
    return [
        TopicRead(id=t.id, label=t.label, sources=list(t.sources)) for t in training_topics().topics
    ]
