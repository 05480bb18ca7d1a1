"""HTTP endpoints for jobs: long work (imports, reports) followed while a worker does it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.errors import AUTH_RESPONSES, NOT_FOUND
from api.files import job_file_response
from api.pagination import Page, PageDep
from core.clock import utcnow
from core.errors import Conflict
from core.jobs import service as jobs
from core.jobs.models import JobState
from core.jobs.presenters import job_read
from core.jobs.schemas import JobRead
from core.schemas import IdParam

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=AUTH_RESPONSES)


@router.get("", response_model=Page[JobRead], operation_id="jobs-list")
def list_jobs(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    page: PageDep,
    state: Annotated[
        list[JobState] | None,
        Query(
            description="Only jobs in these states; repeat for several (state=queued&"
            "state=running)."
        ),
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            max_length=40, description="network-import, network-export, report or findings-refresh"
        ),
    ] = None,
    network_id: Annotated[IdParam | None, Query(description="Only this network's jobs.")] = None,
) -> Page[JobRead]:
    """Your organisation's jobs, newest first (programme staff: every organisation's)."""
    rows, total = jobs.list_jobs(
        session,
        scope=principal.scope,
        states=state,
        kind=kind,
        network_id=network_id,
        limit=page.limit,
        offset=page.offset,
    )
    now, lease = utcnow(), timedelta(seconds=settings.job_lease_seconds)
    return Page[JobRead](
        items=[job_read(row, now=now, lease=lease) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{job_id}", response_model=JobRead, operation_id="jobs-get", responses=NOT_FOUND)
def get_job(
    job_id: IdParam, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> JobRead:
    """State, progress (stage, done / total), result links when done, the problem when
    failed. Another organisation's job is 404."""
    job = jobs.get_job(session, scope=principal.scope, job_id=job_id)
    return job_read(job, now=utcnow(), lease=timedelta(seconds=settings.job_lease_seconds))


@router.get(
    "/{job_id}/result",
    operation_id="jobs-result",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {
            "description": "The file the job produced (a report)",
            "content": {"application/pdf": {}, "text/html": {}},
        },
        409: {"description": "The job has not finished, or produced no file"},
    },
)
def job_result(
    job_id: IdParam, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Download what a report job produced."""
    job = jobs.get_job(session, scope=principal.scope, job_id=job_id)
    response = job_file_response(request, job, session=session)
    if response is None:
        raise Conflict(
            f"Job {job_id} is {job.state.value} and has no file to download"
            if job.state != JobState.done
            else f"Job {job_id} produced no file; its result is in GET /api/v1/jobs/{job_id}"
        )
    return response
