"""One unit of work outside a request (a CLI command, a job): all or nothing, like a request.

The findings of the networks it changed are refreshed after the commit, as the API does after a
write (``api.refresh``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.refresh import refresh_changed
from core import changes
from core.clock import utcnow
from core.progress import Progress, no_progress


@contextmanager
def transaction(engine: Engine, progress: Progress = no_progress) -> Iterator[Session]:
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
        refresh_changed(engine, committed, utcnow, progress)
