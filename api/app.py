"""The application factory: one place that wires settings, database, routes and errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api import log_redaction
from api.admission import AdmissionLimit
from api.db import REQUEST_SLOTS, make_engine
from api.errors import install_error_handlers
from api.health import router as health_router
from api.jobs.queue import build_queue, quiet_broker_errors
from api.limits import BodySizeLimit
from api.migrate import ensure_migrated
from api.openapi import install_openapi
from api.routes import (
    accounts,
    assessments,
    campaigns,
    findings,
    graph,
    import_mappings,
    jobs,
    networks,
    orientation,
    questionnaires,
    reference,
    registry,
    remediation,
    reports,
    respond,
    scores,
    trainings,
)
from api.settings import Settings, get_settings
from api.web import dashboard as dashboard_pages
from api.web import (
    dashboard_assessments,
    dashboard_campaigns,
    dashboard_graph,
    dashboard_heatmaps,
    dashboard_import,
    dashboard_jobs,
    dashboard_plan,
    dashboard_registry,
    dashboard_training,
)
from api.web import respond as respond_pages
from api.web import worker_info as worker_info_pages
from api.web.error_pages import html_problem_page
from audit.training import facts as training_facts
from core.version import fairpath_version
from questionnaires.service import ensure_library
from templates import STATIC_DIR

API_PREFIX = "/api/v1"


DESCRIPTION = """
Fairpath maps a company's suppliers and the labour recruiters who bring migrant workers to
them, collects ethical-recruitment self-assessments, scores risk across the network and
produces remediation plans and audit reports.

Authenticate with an API token: `Authorization: Bearer fpu_...`. Errors are
[RFC 9457 problem details](https://www.rfc-editor.org/rfc/rfc9457) (`application/problem+json`).
"""


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(accounts.router)
    router.include_router(networks.router)
    router.include_router(import_mappings.router)
    router.include_router(questionnaires.router)
    router.include_router(scores.router)  # before graph: /nodes/{id}/score is not a direction
    router.include_router(graph.router)
    router.include_router(reference.router)
    router.include_router(findings.router)
    router.include_router(remediation.router)
    router.include_router(trainings.router)
    router.include_router(orientation.router)
    router.include_router(reports.router)
    router.include_router(assessments.router)
    router.include_router(jobs.router)
    router.include_router(campaigns.router)
    router.include_router(registry.router)
    return router


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and engine, the server reads the env."""
    settings = settings or get_settings()
    settings.check_production_safety()
    training_facts.configure_validity(settings.training_validity_months)
    logging.basicConfig(level=settings.log_level)
    log_redaction.install()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Read from the app's state, like every request does, so the state is the one truth.
        current: Settings = app.state.settings
        database: Engine = app.state.engine
        # Serving an outdated schema corrupts data in subtle ways; refuse loudly instead.
        ensure_migrated(database)
        with Session(database) as session:  # publish new library questionnaire versions
            ensure_library(session)
            session.commit()
        current.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        current.signing_key()  # made now, so the warning about it is printed at start
        queue = build_queue(current, database)
        app.state.queue = queue
        consumer = None
        if current.worker_in_process and not queue.immediate:
            consumer = queue.consumer(current.worker_threads, embedded=True)
            quiet_broker_errors()  # once the consumer has made its loggers
            consumer.start()
            queue.start_reaper()
        try:
            yield
        finally:
            if consumer is not None:
                queue.stop_reaper()
                consumer.stop(graceful=True)
            app.state.queue = None

    app = FastAPI(
        title="Fairpath",
        version=fairpath_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.add_middleware(
        AdmissionLimit, slots=REQUEST_SLOTS, wait_seconds=settings.admission_wait_seconds
    )
    app.add_middleware(  # outermost: a body is limited before anything waits for it
        BodySizeLimit,
        json_limit=settings.max_json_bytes,
        upload_limit=settings.max_request_bytes,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.state.html_problem_page = html_problem_page
    app.include_router(health_router)
    # The respondent's routes first, beside the API rather than inside it: every route is
    # tried in turn, once per level of inclusion, and the phone form's autosaves are most of
    # the traffic. Nothing else matches ``/api/v1/respond/...``, so the order changes no match.
    app.include_router(respond.router, prefix=API_PREFIX)
    app.include_router(api_router())
    app.include_router(respond_pages.router)
    app.include_router(worker_info_pages.router)  # public, no account: /info
    app.include_router(dashboard_pages.router)
    app.include_router(dashboard_assessments.router)
    app.include_router(dashboard_plan.router)
    app.include_router(dashboard_jobs.router)
    app.include_router(dashboard_graph.router)
    app.include_router(dashboard_heatmaps.router)
    app.include_router(dashboard_import.router)
    app.include_router(dashboard_training.router)
    app.include_router(dashboard_campaigns.router)
    app.include_router(dashboard_registry.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
