"""Real Fairpath processes for the tests that need several: API servers, workers, a broker.

Each is started on loopback, with its output in a log file the failing assertion can show, and
stopped (SIGTERM, then SIGKILL) when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from api.db import make_engine
from tests.conftest import TEST_DATABASE_URL, _postgres_url_with_schema

ROOT = Path(__file__).resolve().parents[1]
# Generous: only a broken start waits this long; nothing here measures time.
START_SECONDS = 120


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """One command of ours (``python -m api.cli ...``, or a shell line) in its own session."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log_path = logs / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole session: no clean-up code of ours runs."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.running:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def fairpath(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *arguments]


class Server(Process):
    def __init__(self, name: str, env: dict[str, str], logs: Path, *, migrate: bool) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        serve = " ".join(fairpath("serve", "--host", "127.0.0.1", "--port", str(self.port)))
        # As the container starts: migrate (under the lock), then serve.
        line = f"{' '.join(fairpath('db', 'upgrade'))} && exec {serve}" if migrate else serve
        super().__init__(name, ["/bin/sh", "-c", line], env, logs)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"{self.name} exited:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} was not ready in {START_SECONDS} s:\n{self.log()}")


@contextmanager
def redis_server(logs: Path) -> Iterator[str]:
    """A Redis of the test's own, on a free loopback port, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = Process(
        "redis",
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        dict(os.environ),
        logs,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or not server.running:
                    raise AssertionError(f"redis did not start:\n{server.log()}") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.stop()


@contextmanager
def empty_postgres_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL schema no migration has touched, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(_postgres_url_with_schema(TEST_DATABASE_URL, "public"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_url_with_schema(TEST_DATABASE_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def wait_for(predicate: object, what: str, seconds: float = START_SECONDS) -> None:
    """Poll ``predicate()`` until true; the deadline only stops a broken run from hanging."""
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)
