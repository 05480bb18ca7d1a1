"""Replicas starting together each run ``fairpath db upgrade``: all succeed, one migrates."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.db import make_engine
from api.migrate import head_revision, migration_state
from tests.conftest import BACKENDS
from tests.processes import empty_postgres_schema

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 3


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no migration has touched: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with empty_postgres_schema("fp_migrate") as url:
        yield url


def test_replicas_upgrading_at_once_all_succeed(empty_database: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "FAIRPATH_DATA_DIR": str(tmp_path / "data"),
    }
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(REPLICAS)
    ]
    outcomes = [
        (start.wait(timeout=120), start.stdout.read() if start.stdout else "") for start in starts
    ]
    assert [code for code, _ in outcomes] == [0] * REPLICAS, outcomes
    assert not any("Traceback" in output for _, output in outcomes), outcomes
    engine = make_engine(empty_database)
    try:
        state = migration_state(engine)
        assert state.current == head_revision() and state.up_to_date
    finally:
        engine.dispose()
