"""A pooled PostgreSQL connection whose backend went away is replaced before a request uses it,
and a connection just given back is reused without a ping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from api import pool_liveness
from api.db import make_engine


@pytest.fixture
def pooled(database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no server to lose")
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    url = make_url(engine.url.render_as_string(hide_password=False))
    conninfo = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(ping(dbapi_connection))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_terminated_backend_is_replaced_before_use(pooled: Engine) -> None:
    first = _backend_pid(pooled)
    _terminate(pooled, first)
    assert _backend_pid(pooled) != first  # a new backend, and no error on the way


def test_a_connection_just_returned_is_not_pinged(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(pooled, monkeypatch)
    first = _backend_pid(pooled)
    assert _backend_pid(pooled) == first
    assert pings == []


def test_a_connection_idle_for_long_is_pinged(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(pooled, monkeypatch)
    first = _backend_pid(pooled)
    monkeypatch.setattr(pool_liveness, "PING_AFTER_IDLE_S", -1.0)
    assert _backend_pid(pooled) == first
    assert pings == [1]
