"""Row locks for read-modify-write changes, the same way on SQLite and PostgreSQL.

Two requests that each read a row, change it in memory and write it back lose one of the
changes unless the second waits for the first. PostgreSQL waits on ``FOR UPDATE``; Python's
SQLite driver, though, starts its transaction only at the first write, so the read before it
sees no lock at all and ``FOR UPDATE`` means nothing there. There a no-op ``UPDATE`` takes the
database's write lock and the row is read again inside the locked transaction; on PostgreSQL one
``SELECT ... FOR UPDATE`` does both. Either way what is merged is the latest committed state.

On SQLite the lock is the whole database's, and a writer waiting for it polls with sleeps of up
to 100 ms (SQLite's busy handler): under a stream of autosaves most of a save's time was spent
asleep while the lock was free. Writers of one process therefore queue on a gate of their own
first, which hands over the moment the holder's transaction ends; SQLite's lock is then free, or
held by another process, which the busy handler still waits for.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql.selectable import GenerativeSelect
from sqlmodel import Session

_GATE = "fairpath.sqlite_write_gate"
_LOCKED = "fairpath.locked_rows"
S = TypeVar("S", bound=GenerativeSelect)
_gates: dict[str, threading.Lock] = {}
_gates_lock = threading.Lock()
GATE_WAIT_SECONDS = 30.0  # SQLite's busy timeout (``api.db.make_engine``)


def lock_row(session: Session, instance: Any) -> None:
    """Hold ``instance``'s row until the session's transaction ends, and reload it.

    Call it before reading what the change depends on; pending changes to ``instance`` are
    lost by the reload, so call it before making them."""
    mapper = inspect(type(instance))
    table = mapper.local_table
    (key,) = mapper.primary_key
    value = getattr(instance, key.key)
    if (mapper.class_, value) in session.info.get(_LOCKED, ()):
        return  # read with ``locking_select`` in this transaction: locked and current already
    if session.get_bind().dialect.name != "sqlite":
        session.refresh(instance, with_for_update=True)  # one round trip: lock and reload
        return
    _enter_gate(session)
    session.execute(update(table).where(key == value).values({key: key}))
    session.refresh(instance)


def locking_select(session: Session, statement: S, entity: type[Any]) -> S:
    """``statement`` reading ``entity``'s rows with the lock ``lock_row`` would take, on
    PostgreSQL, so that a read-modify-write that has to find its row first (an autosave finds
    its assessment through the invitation) spends one round trip, not two. Call
    ``note_locked`` with the row read; on SQLite ``statement`` is unchanged and ``lock_row``
    takes the lock later, as before."""
    if session.get_bind().dialect.name == "sqlite":
        return statement
    locked = statement.with_for_update(of=entity)
    return locked.execution_options(populate_existing=True)  # type: ignore[attr-defined]


def note_locked(session: Session, instance: Any) -> None:
    """``instance`` was read by a ``locking_select``: ``lock_row`` has nothing left to do."""
    if session.get_bind().dialect.name == "sqlite":
        return
    mapper = inspect(type(instance))
    (key,) = mapper.primary_key
    session.info.setdefault(_LOCKED, set()).add((mapper.class_, getattr(instance, key.key)))


def _enter_gate(session: Session) -> None:
    if _GATE in session.info:
        return
    url = str(session.get_bind().engine.url)
    with _gates_lock:
        gate = _gates.setdefault(url, threading.Lock())
    # A plain lock, not an RLock: the transaction may end on another worker thread. Past
    # SQLite's own busy timeout the write goes ahead ungated, and SQLite decides.
    if gate.acquire(timeout=GATE_WAIT_SECONDS):
        session.info[_GATE] = gate


@event.listens_for(Session, "after_transaction_end")
def _leave_gate(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_LOCKED, None)  # row locks end with the transaction
        gate = session.info.pop(_GATE, None)
        if gate is not None:
            gate.release()
