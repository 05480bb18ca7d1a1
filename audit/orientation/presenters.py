"""Orientation sessions and coverage turned into response bodies.

A share whose recruited workers are unknown is shown as "unknown" (``share`` null), never as
0 %: a corridor nobody counted is not a corridor nobody oriented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import Session, col, select

from audit.orientation import service
from audit.orientation.coverage import OrientationCoverage, StageShare
from audit.orientation.models import OrientationEvidence, OrientationSession
from audit.orientation.schemas import (
    CorridorOrientationRead,
    EmployerOrientationRead,
    OrientationCoverageRead,
    OrientationEvidenceRead,
    OrientationPage,
    OrientationRead,
    StageShareRead,
)
from audit.orientation.topics import orientation_topics
from audit.scores.schemas import CorridorRiskRead
from audit.training.schemas import TopicRead
from core import numbers
from supplychain.models import Node

UNKNOWN = "unknown"


def corridor_label(origin: str | None, destination: str | None) -> str:
    return f"{origin or UNKNOWN}-{destination or UNKNOWN}"


def shown(share: float | None) -> str:
    """A share in words, as the report prints shares (CLDR English): "75%", "12.5%", or
    "unknown" when the workers recruited are not known."""
    if share is None:
        return UNKNOWN
    return f"{numbers.format_decimal(round(share * 100, 1), 'en')}%"


def stage_read(stage: StageShare) -> StageShareRead:
    return StageShareRead(
        oriented=stage.oriented,
        sessions=stage.sessions,
        share=stage.share,
        shown=shown(stage.share),
    )


def _read(
    row: OrientationSession,
    nodes: Mapping[int, Node],
    evidence: Sequence[OrientationEvidence],
) -> OrientationRead:
    employer = nodes.get(row.employer_node_id or 0)
    recruiter = nodes.get(row.recruiter_node_id or 0)
    return OrientationRead(
        id=row.id or 0,
        network_id=row.network_id,
        stage=row.stage,
        origin=row.origin,
        destination=row.destination,
        corridor=corridor_label(row.origin, row.destination),
        employer_node_id=row.employer_node_id,
        employer_name=employer.name if employer else None,
        recruiter_node_id=row.recruiter_node_id,
        recruiter_name=recruiter.name if recruiter else None,
        delivered_on=row.delivered_on,
        language=row.language,
        topics=list(row.topics),
        deliverer=row.deliverer,
        workers_reached=row.workers_reached,
        info_page_shown=bool(row.info_page_shown),
        notes=row.notes,
        evidence=[OrientationEvidenceRead.model_validate(e) for e in evidence],
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _nodes(session: Session, rows: Sequence[OrientationSession]) -> dict[int, Node]:
    ids = sorted(
        {i for r in rows for i in (r.employer_node_id, r.recruiter_node_id) if i is not None}
    )
    if not ids:
        return {}
    return {n.id or 0: n for n in session.exec(select(Node).where(col(Node.id).in_(ids))).all()}


def session_read(session: Session, row: OrientationSession) -> OrientationRead:
    return _read(row, _nodes(session, [row]), service.evidence_of(session, row))


def sessions_page(
    session: Session, rows: Sequence[OrientationSession], total: int, limit: int, offset: int
) -> OrientationPage:
    """A page of sessions, with their nodes and evidence read in one query each."""
    nodes = _nodes(session, rows)
    evidence = service.evidence_by_session(session, [r.id or 0 for r in rows])
    return OrientationPage(
        items=[_read(r, nodes, evidence[r.id or 0]) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def coverage_read(result: OrientationCoverage) -> OrientationCoverageRead:
    return OrientationCoverageRead(
        corridors=[
            CorridorOrientationRead(
                origin=c.origin,
                destination=c.destination,
                corridor=corridor_label(c.origin, c.destination),
                recruited=c.recruited,
                edges_without_workers=c.edges_without_workers,
                employer_ids=list(c.employers),
                pre_departure=stage_read(c.pre_departure),
                post_arrival=stage_read(c.post_arrival),
            )
            for c in result.corridors
        ],
        employers=[
            EmployerOrientationRead(
                node_id=e.node_id,
                external_id=e.external_id,
                name=e.name,
                recruited=e.recruited,
                corridors=[corridor_label(*c) for c in e.corridors],
                pre_departure=stage_read(e.pre_departure),
                post_arrival=stage_read(e.post_arrival),
            )
            for e in result.employers
        ],
    )


def topics_read() -> list[TopicRead]:
    return [
        TopicRead(id=t.id, label=t.label, sources=list(t.sources))
        for t in orientation_topics().topics
    ]


def with_orientation(
    rows: Sequence[CorridorRiskRead], result: OrientationCoverage
) -> list[CorridorRiskRead]:
    """The corridor table's rows with their orientation coverage: copies, since the rows are
    cached per scoring result and sessions change without the network changing."""
    shares = {(c.origin, c.destination): c for c in result.corridors}
    filled = []
    for row in rows:
        found = shares.get((row.origin, row.destination))
        if found is None:
            filled.append(row)
            continue
        filled.append(
            row.model_copy(
                update={
                    "pre_departure_oriented": found.pre_departure.oriented,
                    "pre_departure_share": found.pre_departure.share,
                    "post_arrival_oriented": found.post_arrival.oriented,
                    "post_arrival_share": found.post_arrival.share,
                }
            )
        )
    return filled
