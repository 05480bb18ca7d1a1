"""Engines and the per-request session.

Only ``api`` (and the CLI) create engines; domain code receives a ``Session``. One session per
request owns the transaction: it commits once after the endpoint returns and rolls back on any
error, so a failed request leaves nothing half-written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import BackgroundTasks, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from api.clock import app_clock
from api.pool_liveness import check_on_checkout
from api.refresh import refresh_changed
from core import changes, last_used

# The pool's size bounds the requests at work at once (``api.admission``): one connection each.
# (An in-memory SQLite database has a single connection, and no pool to size.)
# All kept open: an overflow connection is closed when given back, and under a stream of
# autosaves PostgreSQL spent its time starting new backends for them.
POOL_SIZE = 15
POOL_OVERFLOW = 0
REQUEST_SLOTS = POOL_SIZE + POOL_OVERFLOW


def make_engine(database_url: str, **kwargs: object) -> Engine:
    """Create an engine with the settings each backend needs to enforce our constraints."""
    database = make_url(database_url).database
    if not (database_url.startswith("sqlite") and database in (None, "", ":memory:")):
        kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kwargs}
    if database_url.startswith("sqlite"):
        _create_private_file(database)
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
    engine = create_engine(database_url, **kwargs)
    check_on_checkout(engine)  # what pool_pre_ping did, mostly without its round trip
    return engine


def _create_private_file(database: str | None) -> None:
    """Create a new SQLite file as owner-only before SQLite does (its journal and WAL files
    take the database file's permissions): it holds workers' answers and evidence records."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists() or not path.parent.is_dir():
        return
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def get_session(request: Request, background: BackgroundTasks) -> Iterator[Session]:
    """The request's unit of work, as a dependency."""
    with unit_of_work(request, background) as session:
        yield session


@contextmanager
def unit_of_work(request: Request, background: BackgroundTasks) -> Iterator[Session]:
    """The request's unit of work: commit at the end, roll back on any exception. What the
    commit changed is refreshed after the response is sent (findings; see ``api.refresh``).

    ``get_session`` is this as a dependency; an endpoint on the hot path (the respondent's
    autosave) enters it itself, inside the one worker-thread call that does all its work."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        last_used.defer_stamps(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()  # gives the connection back, so the stamps may take one
            changes.discard(session)
            last_used.write_stamps(engine, last_used.deferred_stamps(session))
            raise
        committed = changes.take(session)
        stamps = last_used.deferred_stamps(session)
    if stamps:
        background.add_task(last_used.write_stamps, engine, stamps)
    if committed:
        background.add_task(refresh_changed, engine, committed, app_clock(request.app))
