"""After a write commits: bring the findings of the networks it changed up to date, and
prepare what the next reads of them will need.

Runs after the response has been sent (a background task of the request) or right after a CLI
command's transaction, in its own short transactions, one per network, so a long regeneration
never holds the write that caused it, and a GET never has to write. Two refreshes of one network
racing (two quick writes, or two replicas) are harmless: both compute the same findings, and the
loser of the insert race retries once against the winner's rows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from audit.findings import freshness  # noqa: F401 (registers the listener that records causes)
from audit.findings.service import sync_findings
from audit.scores import presenters as score_views
from audit.scores.service import scoring_context
from core.changes import Changes
from core.errors import InvalidInput
from core.pagination import PageParams
from core.progress import Progress, no_progress
from supplychain import presenters as graph_views
from supplychain.models import Network

log = logging.getLogger("fairpath.refresh")
_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def _network_lock(network_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(network_id, threading.Lock())


def changed_networks(session: Session, changes: Changes) -> list[int]:
    ids = set(changes.networks)
    if changes.organisations:
        ids.update(
            network_id
            for network_id in session.exec(
                select(Network.id).where(col(Network.organisation_id).in_(changes.organisations))
            ).all()
            if network_id is not None
        )
    return sorted(ids)


def refresh_network(
    engine: Engine, network_id: int, now: datetime, progress: Progress = no_progress
) -> bool:
    """Regenerate one network's findings if their inputs changed; never raises (a failed
    refresh leaves the previous findings, which ``findings_state`` then reports as stale)."""
    with _network_lock(network_id):
        progress("refreshing findings", 0, 2)
        for attempt in (1, 2):
            with Session(engine, expire_on_commit=False) as session:
                try:
                    network = session.get(Network, network_id)
                    if network is None:
                        return False
                    changed = sync_findings(session, network, now)
                    session.commit()
                    progress("preparing the first reads", 1, 2)
                    warm_reads(session, network, now)
                    progress("preparing the first reads", 2, 2)
                    return changed
                except (IntegrityError, OperationalError) as error:
                    session.rollback()
                    if attempt == 2:
                        log.warning("findings of network %s not refreshed: %s", network_id, error)
                except Exception:
                    session.rollback()
                    log.exception("findings of network %s not refreshed", network_id)
                    return False
    return False


def warm_reads(session: Session, network: Network, now: datetime) -> None:
    """Compute what the first reads after a change would otherwise compute (graph statistics,
    gaps, tiers, the default score order, corridor rows), while nobody is waiting: they are
    kept per network version and scoring result (``core.memo``), so those reads only slice."""
    try:
        graph_views.stats(session, network)
        graph_views.tiers(session, network)
        graph_views.gaps(session, network, None, PageParams(limit=1, offset=0))
        with suppress(InvalidInput):  # a network without a company has no default chains
            graph_views.chains(session, network, None, limit=1)
        context = scoring_context(session, network, now=now)
        score_views.ordered_ids(context.scores, "-risk")
        score_views.band_counts(context.scores)
        score_views.corridors(context)
    except Exception:  # a failed warm-up only means the next read computes it
        log.exception("reads of network %s not prepared", network.id)


def refresh_changed(
    engine: Engine,
    changes: Changes,
    clock: Callable[[], datetime],
    progress: Progress = no_progress,
) -> None:
    with Session(engine) as session:
        network_ids = changed_networks(session, changes)
    for network_id in network_ids:
        refresh_network(engine, network_id, clock(), progress)
