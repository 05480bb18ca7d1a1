"""Last-use stamps give up quickly on a busy row, and leave no setting on pooled connections."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.accounts.models import ApiToken
from api.db import make_engine
from core.last_used import write_stamps
from tests.builders import World

STAMP = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def one_connection(database_url: str) -> Iterator[Engine]:
    """A pool of one: what the stamp leaves on its connection, the next user gets."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _token_id(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(ApiToken.id)).first() or 0


def _stamp_of(engine: Engine, token_id: int) -> datetime | None:
    with Session(engine) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None
        return token.last_used_at


def _lock_setting(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return str(connection.exec_driver_sql("PRAGMA busy_timeout").scalar())
        return str(connection.exec_driver_sql("SHOW lock_timeout").scalar())


DEFAULT_SETTING = {"sqlite": "30000", "postgresql": "0"}


def test_a_stamp_is_written_and_the_connection_keeps_its_settings(
    world: World, engine: Engine, one_connection: Engine
) -> None:
    token_id = _token_id(engine)
    write_stamps(one_connection, [(ApiToken, token_id, STAMP)])
    assert _stamp_of(engine, token_id) == STAMP
    assert _lock_setting(one_connection) == DEFAULT_SETTING[engine.dialect.name]


def test_a_busy_row_costs_the_stamp_not_the_next_request(
    world: World, engine: Engine, one_connection: Engine
) -> None:
    token_id = _token_id(engine)
    with engine.connect() as holder:  # another request's transaction holds the row
        holder.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(name="held")  # type: ignore[arg-type]
        )
        write_stamps(one_connection, [(ApiToken, token_id, STAMP)])
        holder.rollback()
    assert _stamp_of(engine, token_id) is None
    # The stamp's short timeout ended with its transaction: a later wait on this connection
    # is not cut short (it once kept 200 ms, and saves waiting for a row lock failed with 500).
    assert _lock_setting(one_connection) == DEFAULT_SETTING[engine.dialect.name]
    with one_connection.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
