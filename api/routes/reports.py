"""HTTP endpoints for heatmaps and audit reports."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import ClockDep, NetworkDep, PrincipalDep, SessionDep
from api.errors import AUTH_RESPONSES, INVALID, NOT_FOUND
from api.jobs.handlers import REPORT
from api.jobs.submit import start_network_job
from audit.reports import heatmap, heatmap_data
from audit.reports.data import build_report, build_report_with_figures
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from audit.reports.schemas import ReportData, ReportJobCreate
from audit.scores.service import scoring_context
from core.jobs.schemas import JobRead

router = APIRouter(
    prefix="/networks/{network_id}", tags=["reports"], responses={**AUTH_RESPONSES, **NOT_FOUND}
)
BUILDERS = {
    "corridors": heatmap_data.corridor_heatmap,
    "sectors": heatmap_data.sector_heatmap,
    "principles": heatmap_data.principle_heatmap,
}


@router.get(
    "/heatmaps/{name}.{extension}",
    operation_id="heatmaps-get",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}, "image/png": {}}, "description": "The heatmap"}
    },
)
def get_heatmap(
    name: Literal["corridors", "sectors", "principles"],
    extension: Literal["svg", "png"],
    session: SessionDep,
    network: NetworkDep,
    now: ClockDep,
) -> Response:
    """Corridor heatmap (origin x destination, coloured by corridor risk, labelled with workers
    and recruiters), the same corridors by sector, or nodes x principles coloured by score, with
    critical red flags marked. SVG is vector; PNG is rendered at twice the size for sharpness."""
    context = scoring_context(session, network, now=now)
    figure = BUILDERS[name](context)
    if extension == "svg":
        return Response(
            heatmap.to_svg(figure),
            media_type="image/svg+xml",
            headers={"Cache-Control": "private, no-cache"},
        )
    return Response(
        heatmap.to_png(figure),
        media_type="image/png",
        headers={"Cache-Control": "private, no-cache"},
    )


@router.get("/report.json", response_model=ReportData, operation_id="report-json")
def report_json(session: SessionDep, network: NetworkDep, now: ClockDep) -> ReportData:
    """Everything the report says, with the full lists (the PDF and HTML show the top rows)."""
    return build_report(session, network, now)


@router.get(
    "/report.html",
    response_class=HTMLResponse,
    operation_id="report-html",
    responses={200: {"content": {"text/html": {}}}},
)
def report_html(session: SessionDep, network: NetworkDep, now: ClockDep) -> HTMLResponse:
    """The report as one self-contained HTML page (heatmaps inline as SVG)."""
    bundle = build_report_with_figures(session, network, now)
    return HTMLResponse(
        render_html(bundle.report, bundle.figures),
        headers={
            "Cache-Control": "private, no-cache",
            "Content-Security-Policy": "default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:",
        },
    )


@router.get(
    "/report.pdf",
    response_class=Response,
    operation_id="report-pdf",
    responses={200: {"content": {"application/pdf": {}}}},
)
def report_pdf(session: SessionDep, network: NetworkDep, now: ClockDep) -> Response:
    """The audit report as a PDF: cover, contents, numbered pages, vector heatmaps."""
    bundle = build_report_with_figures(session, network, now)
    body = render_pdf(bundle.report, bundle.figures)
    filename = f"fairpath-report-network-{network.id}-{now.date().isoformat()}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-cache",
        },
    )


@router.post(
    "/reports",
    status_code=202,
    response_model=JobRead,
    operation_id="reports-create",
    responses={**INVALID, 503: {"description": "The job queue cannot be reached"}},
)
def create_report(
    data: ReportJobCreate,
    request: Request,
    session: SessionDep,
    network: NetworkDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """Produce the audit report as a job: 202 with the job to follow; when it is done,
    `links.download` (`GET /api/v1/jobs/{id}/result`) sends the file. For large networks, whose
    PDF takes longer than a proxy waits for `GET .../report.pdf`."""
    return start_network_job(
        request,
        session,
        network=network,
        user_id=principal.user.id,
        kind=REPORT,
        params={"format": data.format},
    )
