"""A job's life: queued, running (claimed by one worker, kept alive by its heartbeat), then done
or failed. Every change is one short transaction of its own, never part of the work's: a worker
that dies mid-import rolls its import back but leaves the job's row, which ``reap`` then judges.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from core.errors import FairpathError
from core.jobs.models import FINISHED_STATES, Job, JobState
from core.tenancy import Scope

DEFAULT_MAX_ATTEMPTS = 3


def create_job(
    session: Session,
    *,
    organisation_id: int,
    kind: str,
    params: dict[str, Any],
    network_id: int | None = None,
    created_by: int | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    job = Job(
        organisation_id=organisation_id,
        kind=kind,
        params=params,
        network_id=network_id,
        created_by=created_by,
        max_attempts=max_attempts,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, scope: Scope, job_id: int) -> Job:
    """Another organisation's job is "not found", like every other row of theirs."""
    job = session.get(Job, job_id)
    return scope.require(job, job.organisation_id if job else None, "Job", job_id)


def list_jobs(
    session: Session,
    *,
    scope: Scope,
    states: list[JobState] | None = None,
    kind: str | None = None,
    network_id: int | None = None,
    network_ids: Collection[int] | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Job], int]:
    statement = scope.filter(select(Job), Job.organisation_id)
    if states:
        statement = statement.where(col(Job.state).in_(states))
    if kind:
        statement = statement.where(Job.kind == kind)
    if network_id is not None:
        statement = statement.where(Job.network_id == network_id)
    if network_ids is not None:
        statement = statement.where(col(Job.network_id).in_(network_ids))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(Job.created_at).desc(), col(Job.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def claim(session: Session, job_id: int, now: datetime, lease: timedelta) -> Job | None:
    """Mark the job running for this worker, or None when it must not run: it is finished, or
    another worker holds it (its heartbeat is fresh), or it has used all its attempts."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.state in FINISHED_STATES:
        return None
    if job.state == JobState.running and not _expired(job, now, lease):
        return None
    if job.attempts >= job.max_attempts:
        _finish(job, now, JobState.failed, problem=attempts_used_up(job))
        return None
    job.state = JobState.running
    job.attempts += 1
    job.started_at = job.started_at or now
    job.heartbeat_at = now
    job.stage = "starting"
    job.problem = None
    session.add(job)
    session.flush()
    return job


def save_progress(
    session: Session, job_id: int, *, stage: str, done: int, total: int | None, now: datetime
) -> None:
    """Progress and heartbeat in one statement; only while the job is still this run's."""
    session.execute(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.state) == JobState.running)
        .values(stage=stage[:60], done=done, total=total, heartbeat_at=now)
    )


def finish(session: Session, job_id: int, result: dict[str, Any], now: datetime) -> None:
    job = session.get(Job, job_id, with_for_update=True)
    if job is not None:
        _finish(job, now, JobState.done, result=result)


def fail(session: Session, job_id: int, problem: dict[str, Any], now: datetime) -> None:
    job = session.get(Job, job_id, with_for_update=True)
    if job is not None:
        _finish(job, now, JobState.failed, problem=problem)


def requeue(session: Session, job_id: int, reason: str, now: datetime) -> Job | None:
    """Back to the queue after a transient fault, if attempts are left; None if not (failed)."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.state in FINISHED_STATES:
        return None
    if job.attempts >= job.max_attempts:
        problem = attempts_used_up(job, reason)
        _finish(job, now, JobState.failed, problem=problem)
        return None
    job.state = JobState.queued
    job.stage = f"waiting to retry: {reason}"[:60]
    job.problem = _problem(503, "service-unavailable", "Retrying", reason)
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True)
class Reaped:
    requeued: list[int]
    failed: list[int]


def reap(session: Session, now: datetime, lease: timedelta) -> Reaped:
    """Jobs whose worker stopped answering (killed, machine lost): their heartbeat is older than
    the lease. Their work was one transaction, so it was rolled back; they run again while
    attempts are left, and fail with the reason otherwise, never stay "running"."""
    cutoff = now - lease
    stale = session.exec(
        select(Job)
        .where(Job.state == JobState.running, col(Job.heartbeat_at) < cutoff)
        .with_for_update(skip_locked=True)
    ).all()
    requeued: list[int] = []
    failed: list[int] = []
    for job in stale:
        reason = f"the worker stopped answering during attempt {job.attempts}"
        if job.attempts >= job.max_attempts:
            _finish(job, now, JobState.failed, problem=attempts_used_up(job, reason))
            failed.append(job.id or 0)
        else:
            job.state = JobState.queued
            job.heartbeat_at = now  # resent now (below, a queued job is resent once a lease)
            job.stage = "waiting to retry: worker lost"
            job.problem = _problem(503, "service-unavailable", "Retrying", reason)
            session.add(job)
            requeued.append(job.id or 0)
    # Queued for a whole lease without a worker taking it: its message may have been lost (a
    # broker restarted without persistence). Sent again, and stamped so that it is sent once
    # per lease at most; a duplicate message is harmless, only one run can claim a job.
    waiting = session.exec(
        select(Job)
        .where(
            Job.state == JobState.queued,
            func.coalesce(col(Job.heartbeat_at), col(Job.created_at)) < cutoff,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for job in waiting:
        job.heartbeat_at = now
        session.add(job)
        requeued.append(job.id or 0)
    session.flush()
    return Reaped(requeued=requeued, failed=failed)


def problem_from_error(error: FairpathError) -> dict[str, Any]:
    """The same problem document the API would have answered had the work run inline."""
    problem = _problem(error.status, error.slug, error.title, error.detail)
    if error.errors:
        problem["errors"] = list(error.errors)
    return problem


def internal_problem(job_id: int) -> dict[str, Any]:
    return _problem(
        500,
        "internal-error",
        "Internal error",
        f"Job {job_id} failed unexpectedly; the server log has the details",
    )


def attempts_used_up(job: Job, reason: str | None = None) -> dict[str, Any]:
    detail = f"Gave up after {job.attempts} of {job.max_attempts} attempts"
    return _problem(
        503, "service-unavailable", "Job abandoned", f"{detail}: {reason}" if reason else detail
    )


def _problem(status: int, slug: str, title: str, detail: str) -> dict[str, Any]:
    return {
        "type": f"urn:fairpath:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }


def _expired(job: Job, now: datetime, lease: timedelta) -> bool:
    return job.heartbeat_at is None or job.heartbeat_at < now - lease


def _finish(
    job: Job,
    now: datetime,
    state: JobState,
    *,
    result: dict[str, Any] | None = None,
    problem: dict[str, Any] | None = None,
) -> None:
    job.state = state
    job.stage = state.value
    job.finished_at = now
    job.heartbeat_at = now
    if result is not None:
        job.result = result
        job.problem = None
        if job.total is not None:
            job.done = job.total
    if problem is not None:
        job.problem = problem
    session = Session.object_session(job)
    if session is not None:
        session.add(job)
        session.flush()


def stalled(job: Job, now: datetime, lease: timedelta) -> bool:
    """Running, but its worker has not been heard from within the lease (a GET shows this;
    only ``reap``, run by workers, changes the row)."""
    return job.state == JobState.running and _expired(job, now, lease)
