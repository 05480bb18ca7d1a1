"""Building the queue from the settings, enqueueing job ids, and running consumers."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.jobs.campaigns import run_campaigns
from api.jobs.runner import RETRY_DELAY_SECONDS, Runtime, run_job
from api.settings import Settings
from core.clock import utcnow
from core.errors import ServiceUnavailable
from core.jobs import service as jobs
from core.jobs.service import DEFAULT_MAX_ATTEMPTS

log = logging.getLogger("fairpath.jobs")
QUEUE_NAME = "fairpath"
QUEUE_FILE = "queue.db"


# How long a stopping API server waits for its running jobs; an interrupted one was one
# transaction, rolled back, and the next worker retries it.
EMBEDDED_SHUTDOWN_SECONDS = 10


class EmbeddedConsumer(Consumer):
    """Huey's consumer run in an API server's threads: uvicorn owns the signals there (Huey's
    own handlers would replace its graceful shutdown), and the app's lifespan stops it."""

    def _set_signal_handlers(self) -> None:
        return None


@dataclass
class JobQueue:
    """The Huey instance with Fairpath's one task: run the job with this id."""

    huey: Huey
    task: TaskWrapper
    runtime: Runtime
    _reaper: threading.Thread | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def immediate(self) -> bool:
        return bool(self.huey.immediate)

    def enqueue(self, job_id: int) -> None:
        self.task(job_id)

    def consumer(self, threads: int, *, embedded: bool = False) -> Consumer:
        """A consumer of ``threads`` workers; ``embedded`` for one inside the API server,
        which leaves the server's signal handling alone."""
        # Poll a SQLite queue often (a job should start within a fraction of a second); Redis
        # blocks on its list instead, so these delays only matter for SQLite.
        kind = EmbeddedConsumer if embedded else Consumer
        return kind(
            self.huey,
            workers=threads,
            worker_type="thread",
            periodic=True,  # campaign emails (api.jobs.campaigns)
            initial_delay=0.05,
            backoff=1.25,
            max_delay=1.0,
            scheduler_interval=1,
            shutdown_timeout=EMBEDDED_SHUTDOWN_SECONDS if embedded else None,
        )

    def reap_once(self) -> None:
        """Retry or fail the jobs of lost workers, and resend queued jobs whose message was
        lost (a broker restarted without persistence); a duplicate message is harmless, as
        only one run can claim a job."""
        lease = self.runtime.lease
        with Session(self.runtime.engine) as session:
            reaped = jobs.reap(session, utcnow(), lease)
            session.commit()
        for job_id in reaped.requeued:
            log.warning("job %s: resent to the queue (worker lost or message lost)", job_id)
            self.enqueue(job_id)
        for job_id in reaped.failed:
            log.warning("job %s: failed, its worker was lost on its last attempt", job_id)

    def start_reaper(self) -> None:
        interval = max(0.2, self.runtime.lease.total_seconds() / 3)

        def loop() -> None:
            while not self._stopping.wait(interval):
                try:
                    self.reap_once()
                except Exception:  # a database hiccup: the next round tries again
                    log.exception("job reaper round failed")

        self._reaper = threading.Thread(target=loop, name="fairpath-job-reaper", daemon=True)
        self._reaper.start()

    def stop_reaper(self) -> None:
        self._stopping.set()
        if self._reaper is not None:
            self._reaper.join(timeout=5)


def build_queue(settings: Settings, engine: Engine) -> JobQueue:
    huey = _huey(settings)
    runtime = Runtime(
        engine=engine,
        settings=settings,
        lease=timedelta(seconds=settings.job_lease_seconds),
    )
    delay = 0 if huey.immediate else RETRY_DELAY_SECONDS

    def run(job_id: int) -> None:
        run_job(runtime, job_id)

    task = huey.task(retries=DEFAULT_MAX_ATTEMPTS - 1, retry_delay=delay, name="fairpath.run_job")(
        run
    )

    def campaigns_due() -> None:
        """Every minute on every consumer: claims keep two from sending the same email."""
        try:
            run_campaigns(engine, settings)
        except Exception:  # a database or mail-server hiccup: the next minute tries again
            log.exception("campaign run failed")

    huey.periodic_task(crontab(minute="*"), name="fairpath.campaigns")(campaigns_due)
    return JobQueue(huey=huey, task=task, runtime=runtime)


def _huey(settings: Settings) -> Huey:
    url = settings.queue_url
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True)
    if url:
        return RedisHuey(QUEUE_NAME, url=url)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.data_dir / QUEUE_FILE))


class OneLineErrors(logging.Filter):
    """Huey logs a broker it cannot reach (Redis down) with a traceback on every poll; an
    operator needs the reason, once per line, not the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_broker_errors() -> None:
    """On every Huey logger (a filter on a parent does not see its children's records)."""
    names = [name for name in logging.root.manager.loggerDict if name.startswith("huey")]
    for name in {"huey", "huey.consumer", *names}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineErrors) for f in logger.filters):
            logger.addFilter(OneLineErrors())


def check_reachable(queue: JobQueue, settings: Settings) -> None:
    """Fail at start, in one line, when the broker cannot be reached."""
    if not isinstance(queue.huey, RedisHuey):
        return
    try:
        queue.huey.storage.conn.ping()
    except Exception as error:
        raise ServiceUnavailable(
            f"The job queue ({describe(settings)}) cannot be reached: {error}"
        ) from error


def describe(settings: Settings) -> str:
    """Where the queue is, for start-up messages; without a Redis password."""
    if settings.queue_url == "immediate":
        return "immediate (jobs run in the request)"
    if settings.queue_url:
        parts = urlsplit(settings.queue_url)
        return f"Redis at {parts.hostname}:{parts.port or 6379}"
    return f"SQLite file {settings.data_dir / QUEUE_FILE}"
