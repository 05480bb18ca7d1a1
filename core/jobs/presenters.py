"""A job row as the API shows it: progress as a fraction, and where to go next."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.jobs.models import Job, JobState
from core.jobs.schemas import JobProgress, JobRead
from core.jobs.service import stalled

API = "/api/v1"


def job_read(job: Job, *, now: datetime, lease: timedelta) -> JobRead:
    links = {"self": f"{API}/jobs/{job.id}"}
    if job.network_id is not None:
        links["network"] = f"{API}/networks/{job.network_id}"
    if job.state == JobState.done:
        links.update((job.result or {}).get("links", {}))
    percent = None
    if job.total:
        percent = round(100 * min(job.done, job.total) / job.total, 1)
    elif job.state == JobState.done:
        percent = 100.0
    return JobRead(
        id=job.id or 0,
        kind=job.kind,
        state=job.state,
        network_id=job.network_id,
        progress=JobProgress(stage=job.stage, done=job.done, total=job.total, percent=percent),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        stalled=stalled(job, now, lease),
        result=job.result,
        problem=job.problem,
        links=links,
        created_at=job.created_at,
        started_at=job.started_at,
        heartbeat_at=job.heartbeat_at,
        finished_at=job.finished_at,
    )
