"""The dashboard's view of long work: which imports and reports are queued, running, done or
failed, with their progress, refreshing itself while any is under way."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.deps import Principal, SessionDep, SettingsDep
from api.files import job_file_response
from api.web.dashboard_session import PageError, base_context, guarded, page, signed_in, utc_now
from api.web.pagination import MAX_PER_PAGE, pager, read_paging
from core.errors import NotFound
from core.jobs import service as jobs
from core.jobs.models import FINISHED_STATES, JobState
from core.jobs.presenters import job_read
from supplychain.models import Network

router = APIRouter(include_in_schema=False)
ACTIVE = (JobState.queued, JobState.running)
KIND_NAMES = {
    "network-import": "Import",
    "report": "Report",
    "network-export": "Export",
    "findings-refresh": "Findings refresh",
    "campaign-create": "Campaign",
    "campaign-send": "Campaign emails",
}


@router.get("/dashboard/jobs", response_class=HTMLResponse)
@guarded
def jobs_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Work under way on top (every job of it: a queue is short, and a long one is news), the
    finished jobs below, a page at a time; a search narrows both to networks by name."""
    principal, csrf = signed_in(request, session, settings)
    paging = read_paging(request)
    network_ids = _networks_named(session, principal, paging.q) if paging.q else None
    running, running_total = jobs.list_jobs(
        session,
        scope=principal.scope,
        states=list(ACTIVE),
        network_ids=network_ids,
        limit=MAX_PER_PAGE,
        offset=0,
    )
    finished, total = jobs.list_jobs(
        session,
        scope=principal.scope,
        states=list(FINISHED_STATES),
        network_ids=network_ids,
        limit=paging.limit,
        offset=paging.offset,
    )
    now, lease = utc_now(), timedelta(seconds=settings.job_lease_seconds)
    shown = [job_read(row, now=now, lease=lease) for row in [*running, *finished]]
    named = {job.network_id for job in shown if job.network_id is not None}
    names = dict(
        session.exec(select(Network.id, Network.name).where(col(Network.id).in_(named))).all()
    )
    return page(
        "jobs.html",
        **base_context(
            principal,
            csrf,
            active=[job for job in shown if job.state in ACTIVE],
            active_total=running_total,
            finished=[job for job in shown if job.state not in ACTIVE],
            pager=pager(request, paging, total=total, shown=len(finished), drop=("queued",)),
            q=paging.q,
            queued=request.query_params.get("queued") == "import",
            network_names=names,
            kinds=KIND_NAMES,
        ),
    )


def _networks_named(session: Session, principal: Principal, q: str) -> list[int]:
    """The ids of the organisation's networks whose name contains the search."""
    query = principal.scope.filter(select(Network.id), Network.organisation_id)
    rows = session.exec(query.where(func.lower(Network.name).contains(q.lower()))).all()
    return [int(n) for n in rows if n is not None]


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
