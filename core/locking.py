"""Row locks for read-modify-write changes, the same way on SQLite and PostgreSQL.

Two requests that each read a row, change it in memory and write it back lose one of the
changes unless the second waits for the first. PostgreSQL waits on ``FOR UPDATE``; Python's
SQLite driver, though, starts its transaction only at the first write, so the read before it
sees no lock at all and ``FOR UPDATE`` means nothing there. A no-op ``UPDATE`` takes the lock on
both: PostgreSQL's row lock, SQLite's database write lock. The row is then read again inside the
locked transaction, so what is merged is the latest committed state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, update
from sqlmodel import Session


def lock_row(session: Session, instance: Any) -> None:
    """Hold ``instance``'s row until the session's transaction ends, and reload it.

    Call it before reading what the change depends on; pending changes to ``instance`` are
    lost by the reload, so call it before making them."""
    mapper = inspect(type(instance))
    table = mapper.local_table
    (key,) = mapper.primary_key
    value = getattr(instance, key.key)
    session.execute(update(table).where(key == value).values({key: key}))
    session.refresh(instance)
