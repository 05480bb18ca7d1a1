"""Handing work to the queue from a request: the job's row is committed before its id is sent,
so a worker never looks for a job that is not there yet, and a client can poll it at once."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.jobs.queue import JobQueue
from api.settings import Settings
from core.clock import utcnow
from core.errors import ServiceUnavailable
from core.jobs import service as jobs
from core.jobs.models import Job
from core.jobs.presenters import job_read
from supplychain.models import Network

log = logging.getLogger("fairpath.jobs")


def queue_of(request: Request) -> JobQueue:
    queue: JobQueue | None = getattr(request.app.state, "queue", None)
    if queue is None:  # the app was not started through its lifespan
        raise ServiceUnavailable("The job queue is not running on this server")
    return queue


def submit(
    session: Session,
    queue: JobQueue,
    *,
    organisation_id: int,
    kind: str,
    params: dict[str, Any],
    network_id: int | None,
    created_by: int | None,
) -> Job:
    job = jobs.create_job(
        session,
        organisation_id=organisation_id,
        kind=kind,
        params=params,
        network_id=network_id,
        created_by=created_by,
    )
    session.commit()
    job_id = job.id or 0
    try:
        queue.enqueue(job_id)
    except Exception as error:
        log.exception("job %s could not be queued", job_id)
        jobs.fail(
            session,
            job_id,
            jobs.problem_from_error(
                ServiceUnavailable(f"The job queue cannot be reached: {error}")
            ),
            utcnow(),
        )
        session.commit()
        raise ServiceUnavailable(
            "The job queue cannot be reached; nothing was started. Try again shortly."
        ) from error
    session.refresh(job)  # an immediate queue has already run it
    return job


def accepted(
    job: Job, settings: Settings, *, preference_applied: str | None = None
) -> JSONResponse:
    """202 with the job, and where to follow it."""
    body = job_read(job, now=utcnow(), lease=timedelta(seconds=settings.job_lease_seconds))
    headers = {"Location": body.links["self"]}
    if preference_applied:
        headers["Preference-Applied"] = preference_applied
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers=headers)


def start_network_job(
    request: Request,
    session: Session,
    *,
    network: Network,
    user_id: int | None,
    kind: str,
    params: dict[str, Any],
    preference_applied: str | None = None,
) -> JSONResponse:
    """The whole of a route that turns a network's long operation into a job: queue it in the
    network's organisation, answer 202."""
    job = submit(
        session,
        queue_of(request),
        organisation_id=network.organisation_id,
        kind=kind,
        params=params,
        network_id=network.id,
        created_by=user_id,
    )
    return accepted(job, request.app.state.settings, preference_applied=preference_applied)
