"""What findings read of orientation sessions, with cheap queries, and what happens to sessions
when the nodes they name or their network go.

Findings are regenerated when their inputs' digest changes (``audit.findings.service``); the
sessions' part of it is one aggregate row (``orientation_stamp``), so checking whether findings
are current still reads no session one by one. The worker groups' languages need no stamp of
their own: they are node attributes, and any change to a node moves the network's version,
which the scores' part of the digest already covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from audit.orientation.coverage import OrientationFacts, parse_languages
from audit.orientation.models import OrientationEvidence, OrientationSession
from audit.orientation.service import session_facts
from core import changes
from core.clock import utcnow
from supplychain.models import Network, Node


def orientation_stamp(session: Session, network: Network) -> tuple[Any, ...]:
    """One aggregate row that changes whenever a session of the network is added, removed or
    edited (a count, a sum of ids or the latest ``updated_at`` moves)."""
    row = session.execute(
        sa_select(
            func.count(),
            func.coalesce(func.sum(col(OrientationSession.id)), 0),
            func.max(col(OrientationSession.updated_at)),
        ).where(col(OrientationSession.network_id) == network.id)
    ).one()
    return tuple(row)


def orientation_facts(session: Session, network: Network) -> OrientationFacts:
    """The sessions, and the languages recorded on the network's worker groups."""
    groups = session.execute(
        sa_select(col(Node.id), col(Node.attributes)).where(
            col(Node.network_id) == network.id, col(Node.kind) == "worker_group"
        )
    ).all()
    languages = {
        int(node_id): parsed
        for node_id, attributes in groups
        if (parsed := parse_languages((attributes or {}).get("languages")))
    }
    return OrientationFacts(sessions=session_facts(session, network), group_languages=languages)


@changes.on_nodes_removed
def _forget_removed_nodes(session: Session, network_id: int, node_ids: Sequence[int]) -> None:
    """A session is a record about the workers of a corridor, which outlives the nodes it
    names: a removed recruiter, or the employer of a pre-departure session, is forgotten. A
    post-arrival session goes with its employer: it was given at that workplace, and without it
    would count workers at no employer."""
    ours = col(OrientationSession.network_id) == network_id
    at_employer = col(OrientationSession.employer_node_id).in_(node_ids)
    post = col(OrientationSession.stage) == "post_arrival"
    gone = sa_select(col(OrientationSession.id)).where(ours, at_employer, post)
    session.execute(
        delete(OrientationEvidence).where(col(OrientationEvidence.session_id).in_(gone))
    )
    session.execute(delete(OrientationSession).where(ours, at_employer, post))
    now = utcnow()
    session.execute(
        update(OrientationSession)
        .where(ours, at_employer)
        .values(employer_node_id=None, updated_at=now)
    )
    session.execute(
        update(OrientationSession)
        .where(ours, col(OrientationSession.recruiter_node_id).in_(node_ids))
        .values(recruiter_node_id=None, updated_at=now)
    )


@changes.on_network_removed
def _drop_sessions_of_network(session: Session, network_id: int) -> None:
    sessions = sa_select(col(OrientationSession.id)).where(
        col(OrientationSession.network_id) == network_id
    )
    session.execute(
        delete(OrientationEvidence).where(col(OrientationEvidence.session_id).in_(sessions))
    )
    session.execute(
        delete(OrientationSession).where(col(OrientationSession.network_id) == network_id)
    )
