"""`fairpath worker` refuses, in one line, what it cannot work with."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from api.jobs.queue import OneLineErrors
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
