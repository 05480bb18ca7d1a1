"""Keeping generated findings in step with their causes, after the writes that change them.

A GET never writes, so findings cannot be brought up to date when someone reads them. Instead,
every flush records which networks it touched in a way findings depend on: their nodes and edges
(the network's version), their submitted or accepted assessments, their trainings and
orientation sessions, their
organisation's scoring weights and country ratings, or a generated finding reopened by hand.
Whoever commits then calls ``service.sync_findings`` for those networks. A refresh is cheap
when nothing relevant changed: the inputs are compared by digest before anything is computed.

What can still make findings out of date without a write is the calendar (an assessment passes
its validity); ``findings_state`` says so, and the refresh endpoint or ``fairpath findings
refresh`` (for cron) brings them up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, update
from sqlalchemy.orm import attributes
from sqlmodel import Session, col

from audit.findings.models import Finding, FindingStatus, FindingSync
from audit.findings.service import findings_digest, other_facts_stamp
from audit.orientation.models import OrientationSession
from audit.scores.models import CountryOverride, ScoringSettings
from audit.scores.service import scoring_inputs
from audit.training.facts import training_stamp
from audit.training.models import Training
from core import changes
from core.clock import utcnow
from questionnaires.models import Assessment, AssessmentStatus
from supplychain.models import Network

_SCORED = (AssessmentStatus.submitted, AssessmentStatus.accepted)


@dataclass(frozen=True)
class FindingsState:
    """Whether the stored findings were generated from the network's current inputs."""

    current: bool
    synced_at: datetime | None


def findings_state(session: Session, network: Network, now: datetime) -> FindingsState:
    """Read only: compares the stored digest with the inputs' digest (cheap queries)."""
    stored = session.get(FindingSync, network.id)
    if stored is None:
        return FindingsState(current=False, synced_at=None)
    inputs = scoring_inputs(session, network, now=now)
    digest = findings_digest(
        inputs, training_stamp(session, network), other_facts_stamp(session, network)
    )
    return FindingsState(current=stored.fingerprint == digest, synced_at=stored.synced_at)


def _status_changed(assessment: Assessment) -> bool:
    history = attributes.get_history(assessment, "status")
    return bool(history.added or history.deleted)


def _record_causes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty):
        _record(session, instance, deleted=False)
    for instance in session.deleted:
        _record(session, instance, deleted=True)


def _record(session: Session, instance: object, *, deleted: bool) -> None:
    if isinstance(instance, Assessment):
        if deleted or instance.status in _SCORED or _status_changed(instance):
            changes.network_changed(session, instance.network_id)
    elif isinstance(instance, ScoringSettings | CountryOverride):
        changes.organisation_changed(session, instance.organisation_id)
    elif isinstance(instance, Training | OrientationSession) or (
        isinstance(instance, FindingSync) and deleted
    ):
        # A training or orientation session added, changed or removed: the training-gap and
        # orientation findings read them.
        changes.network_changed(session, instance.network_id)


event.listen(Session, "before_flush", _record_causes)


@changes.on_nodes_removed
def _detach_from_removed_nodes(session: Session, network_id: int, node_ids: Sequence[int]) -> None:
    """Generated findings outlive their node: they are resolved with the reason and keep their
    title (which names the node), so the audit trail shows what was found and why it ended."""
    now = utcnow()
    generated = (
        col(Finding.network_id) == network_id,
        col(Finding.node_id).in_(node_ids),
        col(Finding.source) == "generated",
    )
    session.execute(
        update(Finding)
        .where(*generated, col(Finding.status) == FindingStatus.open)
        .values(
            status=FindingStatus.resolved,
            status_reason="resolved: the node was removed from the network",
            resolved_at=now,
            updated_at=now,
            status_by=None,
        )
    )
    session.execute(update(Finding).where(*generated).values(node_id=None))


@changes.on_network_removed
def _drop_derived_findings(session: Session, network_id: int) -> None:
    """Generated findings and their sync state go with the network. Manual findings, and
    generated ones a plan links to, still stop the deletion (the caller answers 409)."""
    session.execute(delete(FindingSync).where(col(FindingSync.network_id) == network_id))
    session.execute(
        delete(Finding).where(
            col(Finding.network_id) == network_id, col(Finding.source) == "generated"
        )
    )
