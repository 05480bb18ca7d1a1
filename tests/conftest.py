"""Fixtures: a freshly migrated database per test, the app, and authenticated actors.

Every database test runs on SQLite, and again on PostgreSQL when ``TEST_DATABASE_URL`` is set
(``.ci/run`` sets it when the local server answers). Migrations run once per backend and
session; each test then starts from an empty copy (SQLite: a copied file; PostgreSQL: a private
schema whose tables are emptied), so tests never see each other's rows and parallel runs on one
server never collide.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from api.app import create_app
from api.db import make_engine
from api.migrate import upgrade
from api.settings import Settings
from api.tables import metadata
from tests.builders import Actor, World, build_world

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", *(["postgresql"] if TEST_DATABASE_URL else [])]


@dataclass
class Template:
    backend: str
    url: str
    engine: Engine | None = None  # PostgreSQL: shared by every test of the session
    reset_sql: str = ""  # PostgreSQL: empties every table and restarts every id sequence


def _reset_sql(engine: Engine, schema: str) -> str:
    """DELETE from every table, dependents first, and restart the schema's sequences: what
    TRUNCATE ... RESTART IDENTITY CASCADE does, in 20 ms instead of 270 ms per test (TRUNCATE
    gives each of 31 tables new files; with ~900 PostgreSQL tests that was two minutes)."""
    with engine.connect() as connection:
        sequences = connection.execute(
            text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"
            ),
            {"s": schema},
        ).scalars()
        restarts = [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
    return "; ".join(deletes + restarts)


def _postgres_url_with_schema(base_url: str, schema: str) -> str:
    url = make_url(base_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session", params=BACKENDS)
def database_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield Template("sqlite", str(path))
        return

    schema = f"fp_test_{uuid.uuid4().hex[:12]}"
    admin_engine = make_engine(_postgres_url_with_schema(TEST_DATABASE_URL, "public"))
    with admin_engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_url_with_schema(TEST_DATABASE_URL, schema)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield Template("postgresql", url, engine, _reset_sql(engine, schema))
    finally:
        engine.dispose()
        with admin_engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture
def database_url(database_template: Template, tmp_path: Path) -> str:
    """A URL to an empty, fully migrated database for this test only."""
    if database_template.backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(database_template.url, path)
        return f"sqlite:///{path}"
    assert database_template.engine is not None
    with database_template.engine.begin() as connection:
        connection.exec_driver_sql(database_template.reset_sql)
    return database_template.url


@pytest.fixture
def engine(database_template: Template, database_url: str) -> Iterator[Engine]:
    if database_template.engine is not None:
        yield database_template.engine
        return
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        environment="test",
        log_level="WARNING",
        # Jobs run in the request that starts them: no consumer threads per test. The queue's
        # own tests (tests/jobs/) run real consumers and workers.
        queue_url="immediate",
    )


# One app per test process, pointed at each test's settings and database: building the route
# table is most of an app's start-up (FastAPI analyses ~450 endpoint signatures, 0.5-1 s), and
# routes keep no per-app data; requests read the settings and engine from ``app.state``.
_SHARED: dict[str, FastAPI] = {}
# What an app fixes when it is built (the body-size middleware's limits): a test whose settings
# differ in these gets an app of its own.
_BUILT_IN = ("max_json_bytes", "max_request_bytes")


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[FastAPI]:
    shared = _SHARED.get("app")
    same_build = shared is not None and all(
        getattr(shared.state.settings, name) == getattr(settings, name) for name in _BUILT_IN
    )
    if shared is None or not same_build:
        shared = create_app(settings, engine)
        _SHARED.setdefault("app", shared)
    shared.state.settings, shared.state.engine = settings, engine
    shared.dependency_overrides.clear()
    routes = len(shared.routes)
    yield shared
    shared.dependency_overrides.clear()
    if len(shared.routes) != routes:  # a test added a route: later tests get a clean app
        _SHARED.pop("app", None)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def world(engine: Engine, client: TestClient) -> World:
    """An admin, and two organisations each with an analyst and a viewer."""
    return build_world(engine, client)


@pytest.fixture
def anonymous(client: TestClient) -> Actor:
    return Actor(client, token=None)


def pytest_report_header(config: Any) -> str:
    where = make_url(TEST_DATABASE_URL).render_as_string() if TEST_DATABASE_URL else "not set"
    return f"fairpath database backends: {', '.join(BACKENDS)} (TEST_DATABASE_URL: {where})"
