"""The dashboard's view of long work: which imports and reports are queued, running, done or
failed, with their progress, refreshing itself while any is under way."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from api.deps import SessionDep, SettingsDep
from api.files import job_file_response
from api.web.dashboard_session import PageError, base_context, guarded, page, signed_in, utc_now
from core.errors import NotFound
from core.jobs import service as jobs
from core.jobs.models import JobState
from core.jobs.presenters import job_read
from supplychain.models import Network

router = APIRouter(include_in_schema=False)
SHOWN = 50
ACTIVE = (JobState.queued, JobState.running)
KIND_NAMES = {
    "network-import": "Import",
    "report": "Report",
    "network-export": "Export",
    "findings-refresh": "Findings refresh",
}


@router.get("/dashboard/jobs", response_class=HTMLResponse)
@guarded
def jobs_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    principal, csrf = signed_in(request, session, settings)
    rows, total = jobs.list_jobs(session, scope=principal.scope, limit=SHOWN, offset=0)
    now, lease = utc_now(), timedelta(seconds=settings.job_lease_seconds)
    shown = [job_read(row, now=now, lease=lease) for row in rows]
    active = [job for job in shown if job.state in ACTIVE]
    network_ids = {job.network_id for job in shown if job.network_id is not None}
    names = dict(
        session.exec(select(Network.id, Network.name).where(col(Network.id).in_(network_ids))).all()
    )
    return page(
        "jobs.html",
        **base_context(
            principal,
            csrf,
            active=active,
            finished=[job for job in shown if job.state not in ACTIVE],
            total=total,
            shown_limit=SHOWN,
            network_names=names,
            kinds=KIND_NAMES,
        ),
    )


@router.get("/dashboard/jobs/{job_id}/result")
@guarded
def job_result(
    job_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, _csrf = signed_in(request, session, settings)
    try:
        job = jobs.get_job(session, scope=principal.scope, job_id=job_id)
    except NotFound as exc:
        raise PageError(404, f"There is no job {job_id}.") from exc
    response = job_file_response(request, job, session=session)
    if response is None:
        raise PageError(409, f"Job {job_id} has no file to download yet.")
    return response
