"""How a job ends: transient faults retried, refusals and crashes failed with a problem."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from api.jobs import handlers
from api.jobs.handlers import JobContext
from api.jobs.queue import JobQueue, build_queue
from api.settings import Settings
from core.errors import InvalidInput
from core.jobs import service as jobs
from core.jobs.models import Job, JobState
from core.organisations.models import Organisation


@pytest.fixture
def queue(settings: Settings, engine: Engine) -> JobQueue:
    return build_queue(settings, engine)  # "immediate": runs on enqueue


@pytest.fixture
def calls() -> list[int]:
    return []


def _start(engine: Engine, kind: str, max_attempts: int = 3) -> int:
    with Session(engine) as session:
        organisation = Organisation(name="Org")
        session.add(organisation)
        session.flush()
        job = jobs.create_job(
            session,
            organisation_id=organisation.id or 0,
            kind=kind,
            params={},
            max_attempts=max_attempts,
        )
        session.commit()
        return job.id or 0


def _job(engine: Engine, job_id: int) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _register(monkeypatch: pytest.MonkeyPatch, kind: str, handler: Any) -> None:
    monkeypatch.setitem(handlers.HANDLERS, kind, handler)


def _flaky(times: int, calls: list[int]) -> Any:
    def handler(context: JobContext) -> dict[str, Any]:
        calls.append(context.job_id)
        if len(calls) <= times:
            raise OperationalError("UPDATE node", {}, Exception("server closed the connection"))
        context.progress("writing", 7, 7)
        return {"ok": len(calls)}

    return handler


def test_a_transient_fault_is_retried_until_it_passes(
    queue: JobQueue, engine: Engine, monkeypatch: pytest.MonkeyPatch, calls: list[int]
) -> None:
    _register(monkeypatch, "flaky", _flaky(1, calls))
    job_id = _start(engine, "flaky")
    queue.enqueue(job_id)
    job = _job(engine, job_id)
    assert (job.state, job.attempts, job.result, job.problem) == (JobState.done, 2, {"ok": 2}, None)
    assert calls == [job_id, job_id]


def test_transient_faults_on_every_attempt_fail_the_job_with_the_reason(
    queue: JobQueue, engine: Engine, monkeypatch: pytest.MonkeyPatch, calls: list[int]
) -> None:
    _register(monkeypatch, "flaky", _flaky(10, calls))
    job_id = _start(engine, "flaky", max_attempts=3)
    queue.enqueue(job_id)
    job = _job(engine, job_id)
    assert (job.state, job.attempts, len(calls)) == (JobState.failed, 3, 3)
    assert job.problem == {
        "type": "urn:fairpath:problem:service-unavailable",
        "title": "Job abandoned",
        "status": 503,
        "detail": "Gave up after 3 of 3 attempts: Exception (transient)",
    }


def test_a_refused_input_fails_at_once_with_its_problem(
    queue: JobQueue, engine: Engine, monkeypatch: pytest.MonkeyPatch, calls: list[int]
) -> None:
    def refuse(context: JobContext) -> dict[str, Any]:
        calls.append(1)
        raise InvalidInput("The import was refused", errors=[{"row": 3, "message": "bad"}])

    _register(monkeypatch, "refuse", refuse)
    job_id = _start(engine, "refuse")
    queue.enqueue(job_id)
    job = _job(engine, job_id)
    assert (job.state, job.attempts, calls) == (JobState.failed, 1, [1])
    assert job.problem == {
        "type": "urn:fairpath:problem:invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": "The import was refused",
        "errors": [{"row": 3, "message": "bad"}],
    }


def test_a_crash_fails_the_job_without_showing_the_trace(
    queue: JobQueue, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(context: JobContext) -> dict[str, Any]:
        raise KeyError("secret internals")

    _register(monkeypatch, "crash", crash)
    job_id = _start(engine, "crash")
    queue.enqueue(job_id)
    job = _job(engine, job_id)
    assert job.state == JobState.failed
    assert job.problem is not None
    assert job.problem["status"] == 500
    assert "secret" not in str(job.problem)
    assert job.problem["detail"] == (
        f"Job {job_id} failed unexpectedly; the server log has the details"
    )


def test_an_unknown_kind_fails(queue: JobQueue, engine: Engine) -> None:
    job_id = _start(engine, "no-such-kind")
    queue.enqueue(job_id)
    assert _job(engine, job_id).state == JobState.failed
