"""The ``fairpath`` command as an operator runs it: in a real process."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.cli import main as cli
from core.version import fairpath_version


def _command() -> list[str]:
    """The installed ``fairpath`` script when there is one, else the same CLI as a module."""
    script = Path(sys.executable).with_name("fairpath")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def _fairpath(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_unmigrated_database_then_serves_after_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    refused = _fairpath("serve", "--database-url", url, cwd=tmp_path)
    assert refused.returncode != 0
    assert "fairpath db upgrade" in refused.stderr

    upgraded = _fairpath("db", "upgrade", "--database-url", url, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "upgraded" in upgraded.stdout

    port = _free_port()
    server = subprocess.Popen(
        [*_command(), "serve", "--port", str(port), "--database-url", url],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        # A respondent's link: the page answers, the access log never shows the secret.
        secret = "fpi_" + "S3cr3tT0k3n" * 4
        link = httpx.get(f"http://127.0.0.1:{port}/respond/{secret}", timeout=5)
        assert link.status_code == 401
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    log = output.decode()
    assert "/respond/fpi_[redacted]" in log
    assert "S3cr3tT0k3n" not in log
    # No secret was configured: a random one was made, kept owner-only, and the log says so.
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "FAIRPATH_SECRET_KEY" in log


def test_db_status_reports_pending_then_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert cli(["db", "status", "--database-url", url]) == 1
    assert cli(["db", "upgrade", "--database-url", url]) == 0
    assert cli(["db", "status", "--database-url", url]) == 0


def test_users_commands(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "a@x.example",
                "--role",
                "admin",
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "b@x.example",
                "--role",
                "analyst",
                "--organisation",
                "Acme",
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert cli(["users", "list", "--database-url", database_url]) == 0
    listing = capsys.readouterr().out
    assert "a@x.example" in listing and "Fairpath programme" in listing
    assert "b@x.example" in listing and "Acme" in listing
    assert cli(["users", "revoke", "b@x.example", "--database-url", database_url]) == 0
    assert "Revoked 1 token" in capsys.readouterr().out


def test_users_create_errors_are_clear(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "c@x.example",
                "--role",
                "viewer",
                "--database-url",
                database_url,
            ]
        )
        == 1
    )
    assert "--organisation is required" in capsys.readouterr().err
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "nope",
                "--role",
                "admin",
                "--database-url",
                database_url,
            ]
        )
        == 1
    )
    assert "--email" in capsys.readouterr().err
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "d@x.example",
                "--role",
                "admin",
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "d@x.example",
                "--role",
                "admin",
                "--database-url",
                database_url,
            ]
        )
        == 2
    )
    assert "already exists" in capsys.readouterr().err


def test_a_closed_pipe_ends_a_command_quietly(tmp_path: Path) -> None:
    """`fairpath reference | head -1`: the reader leaves early; no traceback, exit 141."""
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the command's first write meets a closed pipe
    try:
        finished = subprocess.run(
            [*_command(), "reference"],
            cwd=tmp_path,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
            check=False,
        )
    finally:
        os.close(writer)
    assert "Traceback" not in finished.stderr
    assert finished.returncode == 141


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"fairpath {fairpath_version()}"
