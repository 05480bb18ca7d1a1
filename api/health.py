"""Liveness and readiness probes for load balancers and container orchestrators."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.errors import problem_response
from api.migrate import UPGRADE_HINT, migration_state

router = APIRouter(tags=["health"])
logger = logging.getLogger("fairpath.health")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    migration: str | None


@router.get("/healthz", response_model=Health, operation_id="health-live")
async def healthz() -> Health:
    """The process is up. Does not touch the database, and runs on the event loop: it needs
    no worker thread, so it answers however busy the workers are."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    operation_id="health-ready",
    responses={503: {"description": "Database unreachable or migrations pending"}},
)
def readyz(request: Request) -> Readiness | JSONResponse:
    """The database answers and its schema is at the latest migration."""
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        state = migration_state(engine)
    except SQLAlchemyError as exc:
        logger.warning("readiness: database unreachable: %s", exc.__class__.__name__)
        return problem_response(503, "The database is unreachable", slug="database-unavailable")
    if not state.up_to_date:
        return problem_response(
            503,
            f"Database migrations are pending (at {state.current}, head {state.head}); "
            f"run `{UPGRADE_HINT}`",
            slug="migrations-pending",
        )
    return Readiness(status="ok", database="ok", migration=state.current)
