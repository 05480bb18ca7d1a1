"""When a token or invitation was last used, recorded without making a read a write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

DEFERRED = "fairpath.deferred_stamps"
Stamp = tuple[type[SQLModel], int, datetime]


def defer_stamps(session: Session) -> None:
    """Collect this session's stamps for ``write_stamps`` instead of writing them at once."""
    session.info[DEFERRED] = []


def deferred_stamps(session: Session) -> list[Stamp]:
    return list(session.info.pop(DEFERRED, None) or [])


def record_use(session: Session, table: type[SQLModel], row_id: int, now: datetime) -> None:
    """Stamp ``last_used_at`` outside the caller's transaction, so a read stays a read.

    A request's session defers the stamp until its own connection is back in the pool
    (``api.db``): taking a second pooled connection while holding the first let forty busy
    request threads each hold one of the fifteen connections and wait for another, and the
    whole service stopped."""
    pending = session.info.get(DEFERRED)
    if pending is not None:
        pending.append((table, row_id, now))
        return
    write_stamps(session.get_bind(), [(table, row_id, now)])  # type: ignore[arg-type]


def write_stamps(bind: Engine, stamps: list[Stamp]) -> None:
    """Each stamp in a transaction of one statement that gives up within a fifth of a second:
    a busy database costs a missed stamp, never a stalled request."""
    for table, row_id, now in stamps:
        _write_stamp(bind, table, row_id, now)


def _write_stamp(bind: Engine, table: type[SQLModel], row_id: int, now: datetime) -> None:
    """PostgreSQL's timeout is ``SET LOCAL``: it ends with the transaction whatever happens. A
    plain ``SET`` reset afterwards was rolled back with the pool's reset-on-return, and the
    pooled connection kept a 200 ms lock timeout that later failed a save waiting its turn."""
    sqlite = bind.dialect.name == "sqlite"
    try:
        with bind.connect() as connection:
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout = 200")
            else:
                connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            try:
                connection.execute(
                    update(table).where(table.id == row_id).values(last_used_at=now)  # type: ignore[attr-defined]
                )
                connection.commit()
            except OperationalError:
                connection.rollback()
            finally:
                if sqlite:  # a connection setting, not a transaction's
                    connection.exec_driver_sql("PRAGMA busy_timeout = 30000")
    except OperationalError:
        return
