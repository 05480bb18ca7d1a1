"""The dashboard's Jobs page: what is under way, with progress; what finished, with results."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import utcnow
from core.jobs import service as jobs
from tests.builders import World, create_network, import_async, import_json, node
from tests.jobs.test_jobs_api import EDGES, NODES
from tests.web.sessions import signed_in


def _running(engine: Engine, organisation_id: int, network_id: int) -> int:
    with Session(engine) as session:
        job = jobs.create_job(
            session,
            organisation_id=organisation_id,
            kind="network-import",
            params={},
            network_id=network_id,
        )
        jobs.claim(session, job.id or 0, utcnow(), timedelta(seconds=60))
        jobs.save_progress(
            session,
            job.id or 0,
            stage="validating nodes",
            done=40_000,
            total=100_000,
            now=utcnow(),
        )
        session.commit()
        return job.id or 0


def test_the_page_shows_progress_and_refreshes_while_work_is_under_way(
    world: World, engine: Engine, client: TestClient
) -> None:
    network = create_network(world.analyst_a)
    job_id = _running(engine, world.org_a, network["id"])
    person = signed_in(client, engine, world.viewer_a.user_id)
    page = person.get("/dashboard/jobs")
    assert page.status_code == 200
    html = unescape(page.text)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert f'Import <span class="muted">#{job_id}</span>' in html
    assert f'<a href="/dashboard/networks/{network["id"]}">Test network</a>' in html
    assert (
        '<progress max="100000" value="40000" aria-label="validating nodes">40.0 %</progress>'
        in (html)
    )
    assert "40,000 / 100,000" in html
    assert "No job has finished yet." in html
    assert (
        '<a class="nav" href="/dashboard/jobs">Jobs</a>' in html
    )  # reachable from every page's bar


def test_finished_jobs_show_their_result_or_their_problem(
    world: World, engine: Engine, client: TestClient
) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    report = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/reports", json={"format": "pdf"}
    ).json()
    refused = import_async(
        world.analyst_a, network["id"], [node("X", "company", country="XX")], []
    ).json()
    person = signed_in(client, engine, world.viewer_a.user_id)
    html = unescape(person.get("/dashboard/jobs").text)
    assert "http-equiv" not in html  # nothing under way: no refreshing
    assert "Nothing is running now." in html
    filename = report["result"]["file"]["filename"]
    link = f'<a href="/dashboard/jobs/{report["id"]}/result" title="{filename}">Download PDF</a>'
    assert link in html
    assert "The import was refused: 1 problem found; nothing was written" in html
    assert "<summary>1 problem</summary>" in html
    assert "file nodes, index 0, column country, value XX: unknown country" in html
    assert refused["state"] == "failed"
    download = person.get(f"/dashboard/jobs/{report['id']}/result")
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")


def test_another_organisation_sees_none_of_it(
    world: World, engine: Engine, client: TestClient
) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    report = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/reports", json={"format": "pdf"}
    ).json()
    _running(engine, world.org_a, network["id"])
    person = signed_in(client, engine, world.analyst_b.user_id)
    html = unescape(person.get("/dashboard/jobs").text)
    assert "Nothing is running now." in html and "No job has finished yet." in html
    assert person.get(f"/dashboard/jobs/{report['id']}/result").status_code == 404
