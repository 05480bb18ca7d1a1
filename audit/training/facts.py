"""What findings read of trainings, with cheap queries, and what happens to trainings when their
node or network goes.

Findings are regenerated when their inputs' digest changes (``audit.findings.service``); the
trainings' part of it is one aggregate row (``training_stamp``), so checking whether findings
are current still reads no training rows one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from audit.training.coverage import DEFAULT_VALIDITY_MONTHS, TrainingFacts
from audit.training.models import Training, TrainingEvidence
from core import changes
from supplychain.models import Network

_validity = {"months": DEFAULT_VALIDITY_MONTHS}


def configure_validity(months: int) -> None:
    """The validity the findings judge "current" by: the service's setting
    (``FAIRPATH_TRAINING_VALIDITY_MONTHS``), given once at start-up by whoever reads settings."""
    if months < 1:
        raise ValueError("a training's validity is at least one month")
    _validity["months"] = months


def validity_months() -> int:
    return _validity["months"]


def training_stamp(session: Session, network: Network) -> tuple[Any, ...]:
    """One aggregate row that changes whenever a training of the network is added, removed or
    edited (a count, a sum of ids or the latest ``updated_at`` moves), and the validity."""
    row = session.execute(
        sa_select(
            func.count(),
            func.coalesce(func.sum(col(Training.id)), 0),
            func.max(col(Training.updated_at)),
        ).where(col(Training.network_id) == network.id)
    ).one()
    return (*row, validity_months())


def training_facts(session: Session, network: Network) -> TrainingFacts:
    """Each node's latest training: the newest date, the highest id among that date's."""
    rows = session.execute(
        sa_select(col(Training.node_id), col(Training.delivered_on), col(Training.id)).where(
            col(Training.network_id) == network.id
        )
    ).all()
    last: dict[int, tuple[date, int]] = {}
    for node_id, delivered_on, training_id in rows:
        entry = (delivered_on, training_id or 0)
        if node_id not in last or entry > last[node_id]:
            last[node_id] = entry
    return TrainingFacts(last=last, validity_months=validity_months())


def _delete_trainings(session: Session, *where: Any) -> None:
    trainings = sa_select(col(Training.id)).where(*where)
    session.execute(
        delete(TrainingEvidence).where(col(TrainingEvidence.training_id).in_(trainings))
    )
    session.execute(delete(Training).where(*where))


@changes.on_nodes_removed
def _drop_trainings_of_removed_nodes(
    session: Session, network_id: int, node_ids: Sequence[int]
) -> None:
    """A training is a record about one node's staff: it goes with the node."""
    _delete_trainings(
        session, col(Training.network_id) == network_id, col(Training.node_id).in_(node_ids)
    )


@changes.on_network_removed
def _drop_trainings_of_network(session: Session, network_id: int) -> None:
    _delete_trainings(session, col(Training.network_id) == network_id)
