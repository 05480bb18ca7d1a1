"""A queue that cannot be used: `fairpath worker` refuses in one line, the API answers 503."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.jobs.queue import OneLineErrors
from api.settings import Settings
from tests.builders import build_world, create_network, import_async
from tests.jobs.test_jobs_api import EDGES, NODES
from tests.processes import fairpath, free_port


def _worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        fairpath("worker"),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_unreachable_broker_is_one_line_and_a_failure(database_url: str, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    finished = _worker(
        {
            "DATABASE_URL": database_url,
            "FAIRPATH_DATA_DIR": str(tmp_path),
            "FAIRPATH_QUEUE_URL": f"redis://127.0.0.1:{port}/0",
        }
    )
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr + finished.stdout
    assert (
        f"fairpath: The job queue (Redis at 127.0.0.1:{port}) cannot be reached: "
        in finished.stderr
    )


def test_an_immediate_queue_has_nothing_to_work_on(database_url: str, tmp_path: Path) -> None:
    finished = _worker(
        {
            "DATABASE_URL": database_url,
            "FAIRPATH_DATA_DIR": str(tmp_path),
            "FAIRPATH_QUEUE_URL": "immediate",
        }
    )
    assert finished.returncode == 1
    assert "there is no queue to work on" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_huey_s_broker_errors_are_logged_without_their_stack() -> None:
    try:
        raise ConnectionError("Connection closed by server.")
    except ConnectionError:
        record = logging.LogRecord(
            "huey.consumer.Worker",
            logging.ERROR,
            __file__,
            1,
            "Error reading from %s",
            ("queue",),
            exc_info=sys.exc_info(),
        )
    assert OneLineErrors().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == (
        "Error reading from queue (ConnectionError: Connection closed by server.)"
    )


def test_an_api_whose_queue_is_down_says_503_and_starts_nothing(
    app: FastAPI, settings: Settings, engine: Engine
) -> None:
    app.state.settings = settings.model_copy(
        update={"queue_url": f"redis://127.0.0.1:{free_port()}/0", "worker_in_process": False}
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(engine, client)
        network = create_network(world.analyst_a)
        response = import_async(world.analyst_a, network["id"], NODES, EDGES)
        assert response.status_code == 503
        assert response.json()["detail"] == (
            "The job queue cannot be reached; nothing was started. Try again shortly."
        )
        listed = world.analyst_a.get("/api/v1/jobs").json()["items"]
        assert [(job["state"], job["problem"]["status"]) for job in listed] == [("failed", 503)]
        assert world.analyst_a.get(f"/api/v1/networks/{network['id']}/nodes").json()["total"] == 0
