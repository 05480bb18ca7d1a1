"""Acceptance for several replicas: three API processes and one worker over one PostgreSQL and
one Redis, started as an operator would (each API container migrates, then serves).

- the three start at once against an empty database, and all become ready;
- evidence uploaded through A downloads, byte for byte, through B;
- an import posted to B is done by the worker, and its scores read through C.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders import Actor, create_network, edge, finished_job, import_async, node
from tests.conftest import TEST_DATABASE_URL
from tests.processes import (
    Process,
    Server,
    empty_postgres_schema,
    fairpath,
    redis_server,
)
from tests.questionnaires.builders import assign, publish_mini, recruiter_network

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="replicas share a PostgreSQL: set TEST_DATABASE_URL"
)
SECRET = "replicas-share-this-secret-key-of-48-characters!!"
PDF = b"%PDF-1.4\n% a passport scan, illustrative\n%%EOF\n"


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[list[Server], Process, dict[str, str]]]:
    with empty_postgres_schema("fp_replicas") as database_url, redis_server(tmp_path) as queue:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "FAIRPATH_QUEUE_URL": queue,
            "FAIRPATH_SECRET_KEY": SECRET,
            "FAIRPATH_WORKER_IN_PROCESS": "false",
            "FAIRPATH_LOG_LEVEL": "INFO",
        }
        servers = [
            Server(
                name,
                {**env, "FAIRPATH_DATA_DIR": str(tmp_path / f"data-{name}")},
                tmp_path,
                migrate=True,
            )
            for name in ("api-a", "api-b", "api-c")
        ]
        worker: Process | None = None
        try:
            for server in servers:
                server.wait_ready()
            worker = Process(
                "worker",
                fairpath("worker", "--threads", "1"),
                {**env, "FAIRPATH_DATA_DIR": str(tmp_path / "data-worker")},
                tmp_path,
            )
            yield servers, worker, env
        finally:
            for process in [*servers, *([worker] if worker else [])]:
                process.stop()


def _analyst(env: dict[str, str]) -> str:
    created = subprocess.run(
        fairpath(
            "users",
            "create",
            "--email",
            "analyst@example.org",
            "--role",
            "analyst",
            "--organisation",
            "Org A",
        ),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = re.search(r"^(fp\S+)$", created.stdout, re.MULTILINE)
    assert token is not None, created.stdout
    return token.group(1)


def test_three_replicas_and_a_worker_share_the_database_files_and_queue(
    deployment: tuple[list[Server], Process, dict[str, str]],
) -> None:
    (a, b, c), worker, env = deployment
    token = _analyst(env)
    with (
        httpx.Client(base_url=a.url, timeout=60) as via_a,
        httpx.Client(base_url=b.url, timeout=60) as via_b,
        httpx.Client(base_url=c.url, timeout=60) as via_c,
    ):
        on_a, on_b, on_c = (Actor(client, token) for client in (via_a, via_b, via_c))  # type: ignore[arg-type]

        # Evidence uploaded through A downloads through B.
        questionnaire = publish_mini(on_a)
        network_id, ids = recruiter_network(on_a)
        assessment = assign(on_a, network_id, ids["DA"], questionnaire_id=questionnaire)
        base = f"/api/v1/networks/{network_id}/assessments/{assessment['id']}/evidence"
        uploaded = on_a.post(
            base, data={"question_id": "F1"}, files={"file": ("scan.pdf", PDF, "application/pdf")}
        )
        assert uploaded.status_code == 201, uploaded.text
        downloaded = on_b.get(f"{base}/{uploaded.json()['id']}")
        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.content == PDF

        # An import posted to B is done by the worker; its scores read through C.
        network = create_network(on_b, "Imported through B")
        accepted = import_async(
            on_b,
            network["id"],
            [
                node("CO-1", "company", country="GB"),
                node("SUP-1", "supplier", sector="seafood_processing", tier=1),
                node("REC-1", "recruiter", role="destination_agency"),
            ],
            [
                edge("SUP-1", "CO-1", "supplies"),
                edge("REC-1", "SUP-1", "recruits_for", origin="MM", destination="TH"),
            ],
        )
        assert accepted.status_code == 202, accepted.text
        job = finished_job(on_c, accepted.headers["Location"], deadline_seconds=120)
        assert job["state"] == "done", (job, worker.log())
        assert "fairpath.run_job" in worker.log()
        scores = on_c.get(f"/api/v1/networks/{network['id']}/scores")
        assert scores.status_code == 200, scores.text
        assert scores.json()["total"] == 3
