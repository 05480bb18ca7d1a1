"""When a token or invitation was last used, recorded without making a read a write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel


def record_use(session: Session, table: type[SQLModel], row_id: int, now: datetime) -> None:
    """Stamp ``last_used_at`` on its own connection, in a transaction of one statement that
    gives up within a fifth of a second: the request's own transaction stays read-only, so a
    long read never holds a write lock, and a busy database costs one missed stamp, never a
    stalled request."""
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    try:
        with bind.connect() as connection:  # type: ignore[union-attr]
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout = 200")
            else:
                connection.exec_driver_sql("SET lock_timeout = '200ms'")
            try:
                connection.execute(
                    update(table).where(table.id == row_id).values(last_used_at=now)  # type: ignore[attr-defined]
                )
                connection.commit()
            except OperationalError:
                connection.rollback()
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA busy_timeout = 30000")
                else:
                    connection.exec_driver_sql("SET lock_timeout = 0")
    except OperationalError:
        return
