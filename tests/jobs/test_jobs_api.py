"""Long work as jobs, through the API: 202, the job resource, results, problems, scope.

The app's queue here is "immediate" (tests/conftest.py): a job runs inside the request that
starts it, so each test sees its end state at once; tests/jobs/test_consumer.py and
test_replicas.py run real consumers and workers.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.refresh import refresh_network
from api.settings import Settings
from core.clock import utcnow
from core.jobs import service as jobs
from core.jobs.models import Job, JobState
from supplychain.models import Node
from tests.audit.test_reads_never_write import snapshot
from tests.builders import (
    ASYNC,
    World,
    create_network,
    edge,
    import_async,
    import_json,
    node,
)

NODES = [
    node("CO-1", "company", country="GB"),
    node("SUP-1", "supplier", sector="seafood_processing", tier=1, migrant_workers=800),
    node("REC-1", "recruiter", role="destination_agency"),
]
EDGES = [
    edge("SUP-1", "CO-1", "supplies"),
    edge("REC-1", "SUP-1", "recruits_for", origin="MM", destination="TH", workers=450),
]


def _import_async(world: World, network_id: int, nodes: list[dict], edges: list[dict]) -> dict:
    response = import_async(world.analyst_a, network_id, nodes, edges)
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/api/v1/jobs/{response.json()['id']}"
    assert response.headers["Preference-Applied"] == "respond-async"
    return response.json()


def test_an_import_run_as_a_job_imports_what_the_inline_import_would(world: World) -> None:
    inline = create_network(world.analyst_a, "Inline")
    expected = import_json(world.analyst_a, inline["id"], NODES, EDGES)
    assert expected.status_code == 200

    network = create_network(world.analyst_a, "As a job")
    accepted = _import_async(world, network["id"], NODES, EDGES)
    job = world.analyst_a.get(accepted["links"]["self"]).json()

    assert job["state"] == "done"
    assert job["kind"] == "network-import"
    assert job["network_id"] == network["id"]
    assert job["attempts"] == 1
    assert job["progress"]["percent"] == 100.0
    counts = job["result"]["import"]
    assert (
        counts["nodes"]
        == expected.json()["nodes"]
        == {"created": 3, "updated": 0, "unchanged": 0, "deleted": 0}
    )
    assert counts["edges"]["created"] == 2
    assert job["links"]["scores"] == f"/api/v1/networks/{network['id']}/scores"
    nodes = world.analyst_a.get(f"/api/v1/networks/{network['id']}/nodes").json()
    assert sorted(n["external_id"] for n in nodes["items"]) == ["CO-1", "REC-1", "SUP-1"]


def test_a_refused_import_fails_the_job_with_every_row_s_problem_and_writes_nothing(
    world: World, engine: Engine
) -> None:
    network = create_network(world.analyst_a)
    bad = [*NODES, node("SUP-2", "supplier", country="XX"), node("SUP-1", "supplier")]
    job = _import_async(world, network["id"], bad, EDGES)

    assert job["state"] == "failed"
    problem = job["problem"]
    assert (problem["status"], problem["type"]) == (422, "urn:fairpath:problem:invalid-input")
    assert problem["errors"] == [
        {
            "file": "nodes",
            "index": 3,
            "column": "country",
            "value": "XX",
            "message": "unknown country: use an ISO 3166-1 code (TH, THA) or English name "
            "(Thailand)",
        },
        {
            "file": "nodes",
            "index": 4,
            "column": "id",
            "value": "SUP-1",
            "message": "duplicate id (first used on row 1)",
        },
    ]
    inline = import_json(world.analyst_a, network["id"], bad, EDGES)
    assert (inline.status_code, inline.json()["errors"]) == (422, problem["errors"])
    with Session(engine) as session:
        assert session.exec(select(Node).where(Node.network_id == network["id"])).all() == []


def test_a_body_over_the_inline_limit_runs_as_a_job_without_asking(
    world: World, client: TestClient, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(update={"inline_import_bytes": 100})
    network = create_network(world.analyst_a)
    response = import_json(world.analyst_a, network["id"], NODES, EDGES)
    assert response.status_code == 202
    assert "Preference-Applied" not in response.headers
    assert response.json()["state"] == "done"


def test_a_csv_upload_runs_as_a_job(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes_csv = b"id,kind,name,country\nCO-1,company,Buyer,GB\nSUP-1,supplier,Plant,TH\n"
    edges_csv = b"source,target,kind\nSUP-1,CO-1,supplies\n"
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import",
        files={"nodes": ("nodes.csv", nodes_csv), "edges": ("edges.csv", edges_csv)},
        headers=ASYNC,
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["state"] == "done", job
    assert job["result"]["import"]["sources"] == ["nodes.csv", "edges.csv"]
    assert job["result"]["import"]["nodes"]["created"] == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"other": ("x.csv", b"a")}, "Unexpected form fields: other"),
        (
            {"file": ("n.zip", b"PK"), "nodes": ("nodes.csv", b"id")},
            "send either one 'file' or the 'nodes'/'edges' CSV pair, not both",
        ),
    ],
)
def test_a_malformed_upload_is_refused_before_any_job_exists(
    world: World, engine: Engine, files: dict, message: str
) -> None:
    network = create_network(world.analyst_a)
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import", files=files, headers=ASYNC
    )
    assert response.status_code == 400
    assert response.json()["detail"] == message
    with Session(engine) as session:
        assert session.exec(select(Job)).all() == []


def test_another_organisation_s_job_is_not_found(world: World) -> None:
    network = create_network(world.analyst_a)
    job = _import_async(world, network["id"], NODES, EDGES)
    assert world.viewer_a.get(f"/api/v1/jobs/{job['id']}").status_code == 200
    for actor in (world.analyst_b, world.viewer_b):
        response = actor.get(f"/api/v1/jobs/{job['id']}")
        assert response.status_code == 404
        assert response.json()["detail"] == f"Job {job['id']} was not found"
        assert actor.get("/api/v1/jobs").json()["total"] == 0
    assert world.admin.get(f"/api/v1/jobs/{job['id']}").status_code == 200


def test_jobs_are_listed_newest_first_and_filtered(world: World) -> None:
    first = create_network(world.analyst_a, "One")
    second = create_network(world.analyst_a, "Two")
    done = _import_async(world, first["id"], NODES, EDGES)
    failed = _import_async(world, second["id"], [node("X", "company", country="XX")], [])

    listing = world.analyst_a.get("/api/v1/jobs").json()
    assert [item["id"] for item in listing["items"]] == [failed["id"], done["id"]]
    assert listing["total"] == 2
    only_failed = world.analyst_a.get("/api/v1/jobs", params={"state": "failed"}).json()
    assert [item["id"] for item in only_failed["items"]] == [failed["id"]]
    by_network = world.analyst_a.get("/api/v1/jobs", params={"network_id": first["id"]}).json()
    assert [item["id"] for item in by_network["items"]] == [done["id"]]
    none = world.analyst_a.get("/api/v1/jobs", params={"kind": "report"}).json()
    assert none == {"items": [], "total": 0, "limit": 50, "offset": 0}
    wrong = world.analyst_a.get("/api/v1/jobs", params={"state": "lost"})
    assert wrong.status_code == 422


def test_a_viewer_cannot_start_an_import(world: World) -> None:
    network = create_network(world.analyst_a)
    assert import_async(world.viewer_a, network["id"], NODES, EDGES).status_code == 403


def test_a_report_job_produces_the_pdf_to_download(world: World) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    response = world.viewer_a.post(
        f"/api/v1/networks/{network['id']}/reports", json={"format": "pdf"}
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["state"] == "done", job
    assert job["kind"] == "report"
    download = world.viewer_a.get(job["links"]["download"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert len(download.content) == job["result"]["file"]["size"]
    assert world.analyst_b.get(job["links"]["download"]).status_code == 404


def test_a_report_job_refuses_an_unknown_format(world: World) -> None:
    network = create_network(world.analyst_a)
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/reports", json={"format": "docx"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"


def test_an_unfinished_job_has_no_result_to_download(world: World, engine: Engine) -> None:
    with Session(engine) as session:
        job = jobs.create_job(
            session, organisation_id=world.org_a, kind="report", params={"format": "pdf"}
        )
        session.commit()
        job_id = job.id
    response = world.analyst_a.get(f"/api/v1/jobs/{job_id}/result")
    assert response.status_code == 409
    assert response.json()["detail"] == f"Job {job_id} is queued and has no file to download"
    shown = world.analyst_a.get(f"/api/v1/jobs/{job_id}").json()
    assert (shown["state"], shown["progress"]["percent"], shown["stalled"]) == (
        "queued",
        None,
        False,
    )
    assert shown["links"] == {"self": f"/api/v1/jobs/{job_id}"}


def test_a_job_whose_worker_went_quiet_is_shown_stalled_without_being_changed(
    world: World, engine: Engine, client: TestClient, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(update={"job_lease_seconds": 30})
    with Session(engine) as session:
        job = jobs.create_job(session, organisation_id=world.org_a, kind="report", params={})
        jobs.claim(session, job.id or 0, utcnow() - timedelta(seconds=31), timedelta(seconds=30))
        session.commit()
        job_id = job.id
    shown = world.analyst_a.get(f"/api/v1/jobs/{job_id}").json()
    assert (shown["state"], shown["stalled"]) == ("running", True)
    with Session(engine) as session:
        assert session.get(Job, job_id).state == JobState.running  # type: ignore[union-attr]


def test_an_export_job_produces_the_same_file_as_the_export(world: World) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    for format_ in ("json", "graphml"):
        response = world.viewer_a.post(
            f"/api/v1/networks/{network['id']}/exports", json={"format": format_}
        )
        assert response.status_code == 202, response.text
        job = response.json()
        assert (job["state"], job["kind"]) == ("done", "network-export"), job
        download = world.viewer_a.get(job["links"]["download"])
        direct = world.viewer_a.get(
            f"/api/v1/networks/{network['id']}/export", params={"format": format_}
        )
        assert download.status_code == 200
        assert download.content == direct.content
        assert download.headers["content-type"] == direct.headers["content-type"]
        assert job["result"]["file"]["filename"] == (
            f"network-{network['id']}-v{network['version'] + 1}.{format_}"  # after the import
        )


def test_reading_jobs_writes_nothing(world: World, engine: Engine) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    job = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/reports", json={"format": "html"}
    ).json()
    before = snapshot(engine)
    for path in (
        "/api/v1/jobs",
        "/api/v1/jobs?state=done",
        f"/api/v1/jobs/{job['id']}",
        f"/api/v1/jobs/{job['id']}/result",
    ):
        assert world.viewer_a.get(path).status_code == 200, path
    assert snapshot(engine) == before


def test_the_findings_refresh_after_an_import_reports_its_two_steps(
    world: World, engine: Engine
) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    heard: list[tuple[str, int, int | None]] = []
    refresh_network(engine, network["id"], utcnow(), lambda *report: heard.append(report))
    assert heard == [
        ("refreshing findings", 0, 2),
        ("preparing the first reads", 1, 2),
        ("preparing the first reads", 2, 2),
    ]


def test_a_findings_refresh_runs_as_a_job_when_asked(world: World) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    url = f"/api/v1/networks/{network['id']}/findings/refresh"
    inline = world.analyst_a.post(url)
    assert inline.status_code == 200
    response = world.analyst_a.post(url, headers=ASYNC)
    assert response.status_code == 202, response.text
    assert response.headers["Preference-Applied"] == "respond-async"
    job = response.json()
    assert (job["state"], job["kind"]) == ("done", "findings-refresh"), job
    refreshed = job["result"]["findings"]
    assert refreshed["refreshed"] is False  # nothing changed since the inline refresh
    assert refreshed["counts"] == inline.json()["counts"]
    assert job["links"]["findings"] == f"/api/v1/networks/{network['id']}/findings"
    assert world.viewer_a.post(url, headers=ASYNC).status_code == 403


def _zip_and_xlsx() -> dict[str, bytes]:
    nodes = [["id", "kind", "name", "country"], ["CO-1", "company", "Buyer", "GB"]]
    nodes.append(["SUP-1", "supplier", "Plant", "TH"])
    edges = [["source", "target", "kind"], ["SUP-1", "CO-1", "supplies"]]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("nodes.csv", "\n".join(",".join(row) for row in nodes) + "\n")
        zipped.writestr("edges.csv", "\n".join(",".join(row) for row in edges) + "\n")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "nodes"
    for row in nodes:
        sheet.append(row)
    edge_sheet = workbook.create_sheet("edges")
    for row in edges:
        edge_sheet.append(row)
    book = io.BytesIO()
    workbook.save(book)
    return {"network.zip": archive.getvalue(), "network.xlsx": book.getvalue()}


@pytest.mark.parametrize("name", ["network.zip", "network.xlsx"])
def test_a_zip_or_workbook_job_reads_the_stored_file_as_the_inline_import_does(
    world: World, name: str
) -> None:
    content = _zip_and_xlsx()[name]
    inline_network = create_network(world.analyst_a, "Inline")
    inline = world.analyst_a.post(
        f"/api/v1/networks/{inline_network['id']}/import", files={"file": (name, content)}
    )
    assert inline.status_code == 200, inline.text
    network = create_network(world.analyst_a, "Job")
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import",
        files={"file": (name, content)},
        headers=ASYNC,
    )
    job = response.json()
    assert job["state"] == "done", job
    assert job["result"]["import"]["nodes"] == inline.json()["nodes"]
    assert job["result"]["import"]["nodes"]["created"] == 2
    assert job["result"]["import"]["edges"]["created"] == 1
    assert job["result"]["import"]["sources"] == inline.json()["sources"]
