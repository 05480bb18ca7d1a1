"""Running one job: claim it, do its work with a heartbeat going, record how it ended.

Faults that may pass (a dropped database connection, a lock timeout) put the job back in the
queue while attempts are left, and Huey runs it again after a delay; a refused input fails it
with the problem the API would have answered inline; anything else fails it as an internal
error, logged in full, shown to the client without a trace.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from api.jobs.handlers import HANDLERS, JobContext
from api.settings import Settings
from core.clock import utcnow
from core.errors import FairpathError
from core.jobs import service as jobs

log = logging.getLogger("fairpath.jobs")
RETRY_DELAY_SECONDS = 5
PROGRESS_INTERVAL_SECONDS = 0.5


class RetryLater(Exception):
    """Raised to Huey so that it runs the task again after its retry delay."""


@dataclass(frozen=True)
class Runtime:
    engine: Engine
    settings: Settings
    lease: timedelta


def run_job(runtime: Runtime, job_id: int) -> None:
    with Session(runtime.engine, expire_on_commit=False) as session:
        job = jobs.claim(session, job_id, utcnow(), runtime.lease)
        session.commit()
    if job is None:
        return
    handler = HANDLERS.get(job.kind)
    if handler is None:
        _end(runtime, job_id, problem=jobs.internal_problem(job_id))
        log.error("job %s: no handler for kind %r", job_id, job.kind)
        return
    heartbeat = Heartbeat(runtime, job_id)
    with heartbeat:
        try:
            context = JobContext(
                job_id=job_id,
                engine=runtime.engine,
                settings=runtime.settings,
                organisation_id=job.organisation_id,
                network_id=job.network_id,
                params=job.params,
                progress=heartbeat.report,
            )
            result = handler(context)
        except FairpathError as error:
            _end(runtime, job_id, problem=jobs.problem_from_error(error))
            return
        except DBAPIError as error:
            if not _transient(error):
                log.exception("job %s failed", job_id)
                _end(runtime, job_id, problem=jobs.internal_problem(job_id))
                return
            reason = type(error.orig).__name__ if error.orig is not None else "database error"
            with Session(runtime.engine) as session:
                again = jobs.requeue(session, job_id, f"{reason} (transient)", utcnow())
                session.commit()
            outcome = "retrying" if again else "giving up"
            log.warning("job %s: transient fault %s; %s", job_id, reason, outcome)
            if again is not None:
                raise RetryLater(reason) from error
            return
        except Exception:
            log.exception("job %s failed", job_id)
            _end(runtime, job_id, problem=jobs.internal_problem(job_id))
            return
    _end(runtime, job_id, result=result)


def _transient(error: DBAPIError) -> bool:
    """A fault that may pass: the connection dropped, a lock or statement timed out, the
    server is restarting (``OperationalError``), not a bug in the statement."""
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)


def _end(
    runtime: Runtime,
    job_id: int,
    *,
    result: dict[str, Any] | None = None,
    problem: dict[str, Any] | None = None,
) -> None:
    with Session(runtime.engine) as session:
        if problem is not None:
            jobs.fail(session, job_id, problem, utcnow())
        else:
            jobs.finish(session, job_id, result or {}, utcnow())
        session.commit()


class Heartbeat:
    """Keeps the job's row alive and its progress current from a thread of its own.

    ``report`` only records the latest figures; the thread writes them at most every half
    second, in its own transaction. (Written from the working thread, a progress update would
    wait, on SQLite, for the write lock that thread's own import holds.)
    """

    def __init__(self, runtime: Runtime, job_id: int) -> None:
        self._runtime = runtime
        self._job_id = job_id
        self._latest: tuple[str, int, int | None] | None = None
        self._written: tuple[str, int, int | None] | None = None
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"job-{job_id}-heartbeat", daemon=True
        )
        # Well within the lease, so one slow write does not make the job look lost.
        self._beat = max(0.1, min(5.0, runtime.lease.total_seconds() / 4))

    def report(self, stage: str, done: int, total: int | None) -> None:
        with self._guard:
            self._latest = (stage, done, total)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        since_beat = 0.0
        interval = min(PROGRESS_INTERVAL_SECONDS, self._beat)
        while not self._stop.wait(interval):
            since_beat += interval
            with self._guard:
                latest = self._latest
            if (latest is not None and latest != self._written) or since_beat >= self._beat:
                self._write(latest)
                since_beat = 0.0

    def _write(self, latest: tuple[str, int, int | None] | None) -> None:
        stage, done, total = latest or ("running", 0, None)
        try:
            with Session(self._runtime.engine) as session:
                jobs.save_progress(
                    session, self._job_id, stage=stage, done=done, total=total, now=utcnow()
                )
                session.commit()
            self._written = latest
        except Exception as error:  # the next beat tries again; the job goes on
            log.warning("job %s: progress not saved: %s", self._job_id, error)
