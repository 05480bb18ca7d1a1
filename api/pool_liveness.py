"""A pooled PostgreSQL connection is known to be alive before a request uses it, mostly without
a round trip.

The pool's ``pre_ping`` sent ``SELECT 1`` at every checkout: a round trip, and the thread
handing the GIL back and forth around it, about a fifth of an autosave's server CPU. What it
guards against is a pooled connection whose backend has gone (PostgreSQL restarted, or the
backend was terminated), which would fail the request that drew it. PostgreSQL says so to the
client when it ends a backend (an error message, then end of file), and nothing else arrives
unasked on an idle connection of ours (Fairpath never ``LISTEN``s): so a socket with something
to read at checkout is a dead connection, found with one ``poll`` instead of a round trip.

What the socket cannot show is a server that vanished without closing it (a host or network
fault); a connection idle for longer than ``PING_AFTER_IDLE_S`` therefore still gets the real
ping. Under load connections come back within milliseconds and are never pinged; when idle,
the ping costs nothing anyone waits for.

Either way a dead connection invalidates the whole pool, as a failed pre-ping does: if one
backend is gone after a restart, so are the others, and each is replaced at its next checkout.
The request gets a fresh connection and never sees the dead one.
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

PING_AFTER_IDLE_S = 10.0
_RETURNED_AT = "fairpath.returned_at"
_UNASKED = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


def check_on_checkout(engine: Engine) -> None:
    """Install the check on ``engine``'s pool (instead of ``pool_pre_ping``)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.pop(_RETURNED_AT, None)
        if returned_at is None:  # new: connected just now, nothing to check
            return
        if _has_unasked_input(dbapi_connection):
            raise exc.InvalidatePoolError("the server closed the connection while it was pooled")
        if time.monotonic() - returned_at > PING_AFTER_IDLE_S:
            try:
                dialect.do_ping(dbapi_connection)
            except Exception as error:
                message = f"a pooled connection failed its ping: {error}"
                raise exc.InvalidatePoolError(message) from error


def _has_unasked_input(dbapi_connection: Any) -> bool:
    """Whether the idle connection's socket has something to read, or is closed."""
    if getattr(dbapi_connection, "closed", False):
        return True
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # the driver already knows it is broken
        return True
    poller = select.poll()
    poller.register(descriptor, _UNASKED)
    return bool(poller.poll(0))
