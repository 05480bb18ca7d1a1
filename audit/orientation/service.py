"""Orientation sessions of a network: recorded, changed and removed, their evidence files, and
the coverage of each corridor and employer.

Coverage counts workers recruited from the network's labour edges and workers oriented from
the sessions (``audit.orientation.coverage``, pure); this module only loads both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from audit.orientation.coverage import OrientationCoverage, SessionFacts
from audit.orientation.coverage import orientation_coverage as compute_coverage
from audit.orientation.models import OrientationEvidence, OrientationSession
from audit.orientation.schemas import OrientationCreate
from core.clock import utcnow
from core.errors import InvalidInput, NotFound
from core.memo import derived
from questionnaires import evidence as evidence_files
from questionnaires.service import store_upload
from supplychain.graph import network_graph
from supplychain.models import Network, Node

EMPLOYER_KINDS = ("supplier", "company")


def check_node(
    session: Session, network: Network, node_id: int, field: str, kinds: Sequence[str]
) -> Node:
    """The employer or recruiter a session names: in this network, and of the right kind."""
    node = session.get(Node, node_id)
    if node is None or node.network_id != network.id:
        raise InvalidInput(
            f"Node {node_id} is not in network {network.id}",
            errors=[{"field": field, "message": "not a node of this network", "value": node_id}],
        )
    if str(node.kind) not in kinds:
        raise InvalidInput(
            f"Node {node_id} is a {node.kind}; {field} must be a {' or '.join(kinds)}",
            errors=[{"field": field, "message": f"must be a {' or '.join(kinds)}"}],
        )
    return node


def check_session(
    session: Session, *, network: Network, values: dict[str, Any], today: date
) -> None:
    """The rules a whole session must meet, for a new one or one after its changes."""
    if values.get("employer_node_id") is not None:
        check_node(session, network, values["employer_node_id"], "employer_node_id", EMPLOYER_KINDS)
    elif values["stage"] == "post_arrival":
        raise InvalidInput(
            "A post-arrival session is given at the workplace: name the employer",
            errors=[
                {"field": "employer_node_id", "message": "required for a post-arrival session"}
            ],
        )
    if values.get("recruiter_node_id") is not None:
        check_node(
            session, network, values["recruiter_node_id"], "recruiter_node_id", ["recruiter"]
        )
    if values["delivered_on"] > today:
        raise InvalidInput(
            f"The session date {values['delivered_on'].isoformat()} is in the future",
            errors=[{"field": "delivered_on", "message": f"must be on or before {today}"}],
        )
    if values["origin"] == values["destination"]:
        raise InvalidInput(
            "A corridor's origin and destination are different countries",
            errors=[{"field": "destination", "message": "must differ from origin"}],
        )


def record_session(
    session: Session,
    *,
    network: Network,
    data: OrientationCreate,
    today: date,
    user_id: int | None,
) -> OrientationSession:
    values = data.model_dump()
    check_session(session, network=network, values=values, today=today)
    row = OrientationSession(network_id=network.id or 0, created_by=user_id, **values)
    session.add(row)
    session.flush()
    return row


def get_session(session: Session, *, network: Network, session_id: int) -> OrientationSession:
    row = session.get(OrientationSession, session_id)
    if row is None or row.network_id != network.id:
        raise NotFound(f"Orientation session {session_id} was not found in network {network.id}")
    return row


def update_session(
    session: Session,
    *,
    network: Network,
    row: OrientationSession,
    changes: dict[str, Any],
    today: date,
) -> None:
    merged = {**row.model_dump(), **changes}
    check_session(session, network=network, values=merged, today=today)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def delete_session(session: Session, *, row: OrientationSession) -> None:
    """A session recorded by mistake goes with its evidence records (the stored files stay in
    the file store, which other records may share)."""
    for evidence in evidence_of(session, row):
        session.delete(evidence)
    session.flush()
    session.delete(row)
    session.flush()


@dataclass
class OrientationFilters:
    stage: str | None = None
    origin: str | None = None
    destination: str | None = None
    employer_node_id: int | None = None


def list_sessions(
    session: Session,
    *,
    network: Network,
    filters: OrientationFilters,
    limit: int,
    offset: int,
) -> tuple[list[OrientationSession], int]:
    """Newest first, filtered by stage, corridor and employer."""
    query = select(OrientationSession).where(OrientationSession.network_id == network.id)
    if filters.stage is not None:
        query = query.where(OrientationSession.stage == filters.stage)
    if filters.origin is not None:
        query = query.where(OrientationSession.origin == filters.origin)
    if filters.destination is not None:
        query = query.where(OrientationSession.destination == filters.destination)
    if filters.employer_node_id is not None:
        query = query.where(OrientationSession.employer_node_id == filters.employer_node_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ordered = query.order_by(
        col(OrientationSession.delivered_on).desc(), col(OrientationSession.id).desc()
    )
    return list(session.exec(ordered.offset(offset).limit(limit)).all()), total


def session_facts(session: Session, network: Network) -> tuple[SessionFacts, ...]:
    """The network's sessions as plain facts, in one query of a few columns."""
    rows = session.execute(
        sa_select(
            col(OrientationSession.id),
            col(OrientationSession.stage),
            col(OrientationSession.origin),
            col(OrientationSession.destination),
            col(OrientationSession.employer_node_id),
            col(OrientationSession.workers_reached),
            col(OrientationSession.language),
        )
        .where(col(OrientationSession.network_id) == network.id)
        .order_by(col(OrientationSession.id))
    ).all()
    return tuple(SessionFacts(*row) for row in rows)


def orientation_coverage(session: Session, *, network: Network) -> OrientationCoverage:
    """Workers recruited (the network's labour edges) and oriented (its sessions), per
    corridor and per employer, by stage: computed once per graph version and set of sessions
    (the walk over a 100,000-node network's labour edges took most of a heatmaps page)."""
    graph = network_graph(session, network)
    facts = session_facts(session, network)
    return derived(graph, ("orientation coverage", facts), lambda: compute_coverage(graph, facts))


# Evidence files ---------------------------------------------------------------------------------


def add_evidence(
    session: Session,
    *,
    row: OrientationSession,
    filename: str,
    chunks: Iterable[bytes],
    max_bytes: int,
    user_id: int | None,
) -> OrientationEvidence:
    detected, stored = store_upload(session, chunks=chunks, filename=filename, max_bytes=max_bytes)
    evidence = OrientationEvidence(
        session_id=row.id or 0,
        sha256=stored.sha256,
        filename=evidence_files.clean_filename(filename, detected.extension),
        media_type=detected.media_type,
        size=stored.size,
        uploaded_by=user_id,
    )
    session.add(evidence)
    session.flush()
    return evidence


def evidence_of(session: Session, row: OrientationSession) -> Sequence[OrientationEvidence]:
    return session.exec(
        select(OrientationEvidence)
        .where(OrientationEvidence.session_id == row.id)
        .order_by(col(OrientationEvidence.id))
    ).all()


def evidence_by_session(
    session: Session, session_ids: Sequence[int]
) -> dict[int, list[OrientationEvidence]]:
    """session id -> its evidence, in one query for a page of sessions."""
    found: dict[int, list[OrientationEvidence]] = {i: [] for i in session_ids}
    if not session_ids:
        return found
    for evidence in session.exec(
        select(OrientationEvidence)
        .where(col(OrientationEvidence.session_id).in_(list(session_ids)))
        .order_by(col(OrientationEvidence.id))
    ).all():
        found[evidence.session_id].append(evidence)
    return found


def get_evidence(
    session: Session, *, row: OrientationSession, evidence_id: int
) -> OrientationEvidence:
    evidence = session.get(OrientationEvidence, evidence_id)
    if evidence is None or evidence.session_id != row.id:
        raise NotFound(f"Evidence {evidence_id} was not found")
    return evidence
