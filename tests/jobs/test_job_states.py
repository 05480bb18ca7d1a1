"""A job's life in the database, with hand-set clocks: claim, heartbeat, lease, reap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from core.jobs import service as jobs
from core.jobs.models import Job, JobState
from core.organisations.models import Organisation

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def _job(session: Session, **fields: object) -> Job:
    organisation = Organisation(name=f"Org {T0.timestamp()}-{fields.get('kind', 'x')}")
    session.add(organisation)
    session.flush()
    job = jobs.create_job(
        session,
        organisation_id=organisation.id or 0,
        kind=str(fields.pop("kind", "network-import")),
        params={},
        **fields,  # type: ignore[arg-type]
    )
    session.commit()
    return job


def test_claim_marks_running_and_counts_the_attempt(session: Session) -> None:
    job = _job(session)
    claimed = jobs.claim(session, job.id or 0, T0, LEASE)
    assert claimed is not None
    assert (claimed.state, claimed.attempts, claimed.heartbeat_at) == (JobState.running, 1, T0)


def test_a_second_delivery_does_not_run_a_job_twice(session: Session) -> None:
    job = _job(session)
    assert jobs.claim(session, job.id or 0, T0, LEASE) is not None
    # Within the lease, another worker holding the same message is turned away.
    assert jobs.claim(session, job.id or 0, T0 + timedelta(seconds=59), LEASE) is None
    jobs.finish(session, job.id or 0, {"ok": True}, T0 + timedelta(seconds=61))
    assert jobs.claim(session, job.id or 0, T0 + timedelta(seconds=62), LEASE) is None
    assert session.get(Job, job.id).attempts == 1  # type: ignore[union-attr]


def test_reap_retries_a_lost_worker_s_job_then_fails_it_with_the_reason(session: Session) -> None:
    job = _job(session, max_attempts=2)
    job_id = job.id or 0
    jobs.claim(session, job_id, T0, LEASE)
    jobs.save_progress(session, job_id, stage="writing", done=10, total=20, now=T0)
    session.commit()

    # Heartbeat 60 s old is still within the lease: nothing happens.
    assert jobs.reap(session, T0 + LEASE, LEASE).requeued == []
    reaped = jobs.reap(session, T0 + LEASE + timedelta(seconds=1), LEASE)
    assert reaped.requeued == [job_id]
    session.refresh(job)
    assert job.state == JobState.queued
    assert job.problem is not None and "attempt 1" in job.problem["detail"]

    later = T0 + timedelta(minutes=5)
    jobs.claim(session, job_id, later, LEASE)
    assert jobs.reap(session, later + LEASE + timedelta(seconds=1), LEASE).failed == [job_id]
    session.refresh(job)
    assert job.state == JobState.failed
    assert job.problem is not None
    assert job.problem["detail"] == (
        "Gave up after 2 of 2 attempts: the worker stopped answering during attempt 2"
    )


def test_reap_resends_a_queued_job_whose_message_was_lost(session: Session) -> None:
    job = _job(session)
    created = job.created_at
    assert jobs.reap(session, created + LEASE - timedelta(seconds=1), LEASE).requeued == []
    assert jobs.reap(session, created + LEASE + timedelta(seconds=1), LEASE).requeued == [job.id]
    # Resent now: not again until another lease has passed.
    assert jobs.reap(session, created + LEASE + timedelta(seconds=2), LEASE).requeued == []


def test_requeue_after_a_transient_fault_uses_up_the_attempts(session: Session) -> None:
    job = _job(session, max_attempts=2)
    job_id = job.id or 0
    jobs.claim(session, job_id, T0, LEASE)
    assert jobs.requeue(session, job_id, "OperationalError (transient)", T0) is not None
    jobs.claim(session, job_id, T0, LEASE)
    assert jobs.requeue(session, job_id, "OperationalError (transient)", T0) is None
    session.refresh(job)
    assert (job.state, job.attempts) == (JobState.failed, 2)
    assert job.problem is not None
    assert job.problem["status"] == 503


def test_progress_is_only_saved_while_the_job_runs(session: Session) -> None:
    job = _job(session)
    job_id = job.id or 0
    jobs.save_progress(session, job_id, stage="writing", done=5, total=9, now=T0)
    session.commit()
    session.refresh(job)
    assert (job.stage, job.done) == ("queued", 0)  # not claimed: not this run's to report
