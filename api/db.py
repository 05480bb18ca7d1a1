"""Engines and the per-request session.

Only ``api`` (and the CLI) create engines; domain code receives a ``Session``. One session per
request owns the transaction: it commits once after the endpoint returns and rolls back on any
error, so a failed request leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import BackgroundTasks, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from api.clock import app_clock
from api.refresh import refresh_changed
from core import changes


def make_engine(database_url: str, **kwargs: object) -> Engine:
    """Create an engine with the settings each backend needs to enforce our constraints."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # SQLite ignores foreign keys unless asked, and WAL lets readers work during an import.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


def get_session(request: Request, background: BackgroundTasks) -> Iterator[Session]:
    """The request's unit of work: commit at the end, roll back on any exception. What the
    commit changed is refreshed after the response is sent (findings; see ``api.refresh``)."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            changes.discard(session)
            raise
        committed = changes.take(session)
    if committed:
        background.add_task(refresh_changed, engine, committed, app_clock(request.app))
