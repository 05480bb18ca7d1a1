"""A worker killed (SIGKILL) in the middle of an import: no partial network, and the job is
retried by the next worker or failed with the reason, never left "running".

The API runs in the test process, its jobs queued on the default SQLite queue file; the workers
are real ``fairpath worker`` processes sharing the database and the queue file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.settings import Settings
from benchmarks.synthetic import generate
from core.jobs.models import Job, JobState
from supplychain.models import Node
from tests.builders import World, build_world, create_network
from tests.processes import Process, fairpath, wait_for

NODES = 10_000  # a few seconds of import and refresh: long enough to be killed in the middle
LEASE_SECONDS = 2.0
NOT_WRITING = (
    "queued",
    "saving",
    "refreshing findings",
    "preparing the first reads",
    "done",
    "failed",
)


@pytest.fixture
def api(app: FastAPI, settings: Settings) -> Iterator[TestClient]:
    app.state.settings = settings.model_copy(
        update={
            "queue_url": None,
            "worker_in_process": False,
            "job_lease_seconds": LEASE_SECONDS,
        }
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _worker(name: str, database_url: str, settings: Settings, tmp_path: Path) -> Process:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FAIRPATH_DATA_DIR": str(settings.data_dir),
        "FAIRPATH_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "FAIRPATH_WORKER_THREADS": "1",
        "FAIRPATH_LOG_LEVEL": "INFO",
    }
    env.pop("FAIRPATH_QUEUE_URL", None)
    return Process(name, fairpath("worker"), env, tmp_path)


def _job(engine: Engine, job_id: int) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _nodes(engine: Engine, network_id: int) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(Node).where(Node.network_id == network_id)
        ).one()


def _start_import(world: World) -> tuple[int, int]:
    network = create_network(world.analyst_a, "Killed mid-import")
    nodes_csv, edges_csv = generate(nodes=NODES, edges=int(NODES * 1.5)).csv_pair()
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import",
        files={"nodes": ("nodes.csv", nodes_csv), "edges": ("edges.csv", edges_csv)},
        headers={"Prefer": "respond-async"},
    )
    assert response.status_code == 202, response.text
    return network["id"], response.json()["id"]


def _writing(engine: Engine) -> bool:
    """Whether a worker is inside its import's write transaction: SQLite's write lock is held
    (a probe cannot take it), or a PostgreSQL backend is copying rows into the network."""
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(str(engine.url.database), timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND pid <> pg_backend_pid() "
                    "AND (query ILIKE 'COPY node%' OR query ILIKE 'COPY edge%' "
                    "OR query ILIKE 'INSERT INTO node%' OR query ILIKE 'INSERT INTO edge%')"
                )
            ).scalar()
        )


def _kill_while_writing(
    engine: Engine, job_id: int, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    first = _worker("worker-1", database_url, settings, tmp_path)
    try:
        # Inside the import's write transaction: seen on two probes in a row (a heartbeat
        # takes the SQLite lock too, but only for a moment), and before the import's commit
        # (then it saves, and refreshes the findings). On SQLite the job's stage stays at
        # what was written before the import took the lock: its heartbeat waits for it.
        def writing() -> bool:
            if _job(engine, job_id).stage in NOT_WRITING:
                return False
            if not _writing(engine):
                return False
            time.sleep(0.02)
            return _writing(engine)

        wait_for(writing, "the import to start writing")
        first.kill()
    finally:
        first.stop()
    assert _job(engine, job_id).state == JobState.running  # as the dead worker left it


def test_the_next_worker_retries_the_import_and_it_completes(
    api: TestClient, engine: Engine, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    world = build_world(engine, api)
    network_id, job_id = _start_import(world)
    _kill_while_writing(engine, job_id, database_url, settings, tmp_path)
    assert _nodes(engine, network_id) == 0, "the killed import left a partial network"

    second = _worker("worker-2", database_url, settings, tmp_path)
    try:
        wait_for(lambda: _job(engine, job_id).state in (JobState.done, JobState.failed), "done")
    finally:
        second.stop()
    job = world.analyst_a.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["state"], job["attempts"]) == ("done", 2), (job, second.log())
    assert job["result"]["import"]["nodes"]["created"] == NODES
    assert _nodes(engine, network_id) == NODES
    assert "resent to the queue" in second.log()


def test_a_job_out_of_attempts_fails_with_the_reason(
    api: TestClient, engine: Engine, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    world = build_world(engine, api)
    network_id, job_id = _start_import(world)
    with Session(engine) as session:
        session.execute(update(Job).where(Job.id == job_id).values(max_attempts=1))  # type: ignore[arg-type]
        session.commit()
    _kill_while_writing(engine, job_id, database_url, settings, tmp_path)

    second = _worker("worker-2", database_url, settings, tmp_path)
    try:
        wait_for(lambda: _job(engine, job_id).state != JobState.running, "the job to be judged")
    finally:
        second.stop()
    job = world.analyst_a.get(f"/api/v1/jobs/{job_id}").json()
    assert job["state"] == "failed"
    assert job["problem"]["detail"] == (
        "Gave up after 1 of 1 attempts: the worker stopped answering during attempt 1"
    )
    assert _nodes(engine, network_id) == 0
