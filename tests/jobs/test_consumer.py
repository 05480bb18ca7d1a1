"""The default deployment: one `fairpath serve`, its jobs on a SQLite queue file, run by the
server's own threads; no other server to set up."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.settings import Settings
from tests.builders import build_world, create_network, finished_job, import_async
from tests.jobs.test_jobs_api import EDGES, NODES


def test_the_server_s_own_threads_run_jobs_from_a_sqlite_queue_file(
    app: FastAPI, settings: Settings, engine: Engine
) -> None:
    app.state.settings = settings.model_copy(
        update={"queue_url": None, "worker_in_process": True, "worker_threads": 1}
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(engine, client)
        network = create_network(world.analyst_a)
        response = import_async(world.analyst_a, network["id"], NODES, EDGES)
        assert response.status_code == 202
        assert response.json()["state"] == "queued"
        job = finished_job(world.analyst_a, response.headers["Location"])
        assert job["state"] == "done", job
        assert job["result"]["import"]["nodes"]["created"] == 3
        scores = world.analyst_a.get(job["links"]["scores"])
        assert scores.status_code == 200
        assert scores.json()["total"] == 3
    assert (Path(settings.data_dir) / "queue.db").exists()
