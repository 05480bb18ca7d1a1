"""Importing a network from the dashboard: the API's import behind a form, all or nothing."""

from __future__ import annotations

from html import unescape

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.builders import World, create_network
from tests.web.sessions import csrf_of, session_csrf, signed_in

NODES = (
    "id,kind,name,country,sector,role\n"
    "CO-1,company,Buyer Ltd,GB,,\n"
    "SUP-1,supplier,Plant One,TH,seafood_processing,\n"
    "REC-1,recruiter,Agent One,MM,,origin_agency\n"
)
EDGES = (
    "source,target,kind,origin,destination,workers\n"
    "SUP-1,CO-1,supplies,,,\n"
    "REC-1,SUP-1,recruits_for,MM,TH,120\n"
)


def _count(world: World, network_id: int) -> int:
    listed = world.analyst_a.get(f"/api/v1/networks/{network_id}/nodes")
    assert listed.status_code == 200
    return int(listed.json()["total"])


def _post(
    person: TestClient, network_id: int, csrf: str, nodes: str, edges: str, **fields: str
) -> httpx.Response:
    return person.post(
        f"/dashboard/networks/{network_id}/import",
        data={"csrf": csrf, **fields},
        files={
            "nodes": ("nodes.csv", nodes.encode(), "text/csv"),
            "edges": ("edges.csv", edges.encode(), "text/csv"),
            "file": ("", b"", "application/octet-stream"),  # the input left blank
        },
    )


def test_a_good_import_creates_the_nodes(world: World, client: TestClient, engine: Engine) -> None:
    network_id = create_network(world.analyst_a, "To fill")["id"]
    person = signed_in(client, engine, world.analyst_a.user_id)
    csrf = csrf_of(person.get(f"/dashboard/networks/{network_id}").text)
    trial = _post(person, network_id, csrf, NODES, EDGES, dry_run="yes")
    assert trial.status_code == 200, trial.text
    assert "Dry run: the file is valid, and nothing was written" in unescape(trial.text)
    assert _count(world, network_id) == 0
    done = _post(person, network_id, csrf, NODES, EDGES)
    text = unescape(done.text)
    assert done.status_code == 200 and "Imported." in text
    assert "Nodes: 3 created" in text and "Edges: 2 created" in text
    assert _count(world, network_id) == 3
    overview = unescape(person.get(f"/dashboard/networks/{network_id}").text)
    assert "Nothing is mapped" not in overview and "Agent One" in overview


def test_a_bad_import_names_file_row_and_column_and_writes_nothing(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = create_network(world.analyst_a, "To fill")["id"]
    version = world.analyst_a.get(f"/api/v1/networks/{network_id}").json()["version"]
    person = signed_in(client, engine, world.analyst_a.user_id)
    csrf = csrf_of(person.get(f"/dashboard/networks/{network_id}").text)
    bad = NODES.replace("SUP-1,supplier,Plant One,TH", "SUP-1,supplier,Plant One,Atlantis")
    refused = _post(person, network_id, csrf, bad, EDGES)
    text = unescape(refused.text)
    assert refused.status_code == 422
    assert "Nothing was imported." in text
    assert "nodes.csv row 3, column country: " in text, text[-3000:]
    # The API refuses the same file with the same problem.
    api = world.analyst_a.post(
        f"/api/v1/networks/{network_id}/import",
        files={"nodes": ("nodes.csv", bad.encode()), "edges": ("edges.csv", EDGES.encode())},
    )
    assert api.status_code == 422
    problem = next(e for e in api.json()["errors"] if e.get("column") == "country")
    assert problem["row"] == 3 and problem["message"] in text
    assert _count(world, network_id) == 0
    assert world.analyst_a.get(f"/api/v1/networks/{network_id}").json()["version"] == version
    # The form is shown again beside the problems, ready for the corrected file.
    assert f'action="/dashboard/networks/{network_id}/import"' in refused.text
    # Neither file, or both kinds at once: refused as the API refuses them.
    nothing = person.post(
        f"/dashboard/networks/{network_id}/import",
        data={"csrf": csrf},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert nothing.status_code == 400 and "no network file received" in unescape(nothing.text)
    assert _post(person, network_id, csrf, NODES, EDGES, mode="merge").status_code == 400


def test_a_viewer_cannot_import_and_a_forged_form_is_refused(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = create_network(world.analyst_a, "To fill")["id"]
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert "/import" not in viewer.get(f"/dashboard/networks/{network_id}").text
    refused = _post(viewer, network_id, session_csrf(viewer), NODES, EDGES)
    assert refused.status_code == 403
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    assert _post(analyst, network_id, "forged", NODES, EDGES).status_code == 403
    other = signed_in(client, engine, world.analyst_b.user_id)
    assert _post(other, network_id, session_csrf(other), NODES, EDGES).status_code == 404
    assert _count(world, network_id) == 0


def test_a_large_import_runs_as_a_job(
    world: World, client: TestClient, engine: Engine, app: FastAPI
) -> None:
    network_id = create_network(world.analyst_a, "To fill")["id"]
    person = signed_in(client, engine, world.analyst_a.user_id)
    csrf = csrf_of(person.get(f"/dashboard/networks/{network_id}").text)
    app.state.settings.inline_import_bytes = 10  # every file is "large"
    queued = person.post(
        f"/dashboard/networks/{network_id}/import",
        data={"csrf": csrf},
        files={
            "nodes": ("nodes.csv", NODES.encode(), "text/csv"),
            "edges": ("edges.csv", EDGES.encode(), "text/csv"),
        },
        follow_redirects=False,
    )
    assert queued.status_code == 303 and queued.headers["location"].startswith("/dashboard/jobs")
    jobs = unescape(person.get(queued.headers["location"]).text)
    assert "runs as a job" in jobs and "Nodes: 3 created" in jobs  # the test queue runs at once
    assert _count(world, network_id) == 3


def test_a_saved_column_mapping_reads_foreign_headers_and_an_unknown_one_is_named(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = create_network(world.analyst_a, "Mapped")["id"]
    saved = world.analyst_a.put(
        "/api/v1/import-mappings/erp",
        json={"nodes": {"Supplier ID": "id", "Type": "kind", "Land": "country"}},
    )
    assert saved.status_code in (200, 201), saved.text
    person = signed_in(client, engine, world.analyst_a.user_id)
    overview = person.get(f"/dashboard/networks/{network_id}").text
    assert '<option value="erp">erp</option>' in overview  # offered on the form
    csrf = csrf_of(overview)
    foreign = NODES.replace("id,kind,name,country", "Supplier ID,Type,name,Land")
    done = _post(person, network_id, csrf, foreign, EDGES, mapping_name="erp")
    assert done.status_code == 200, unescape(done.text)[-2000:]
    assert "Nodes: 3 created" in unescape(done.text)
    assert _count(world, network_id) == 3

    # Without the mapping the same file is refused (its headers are not Fairpath's).
    other = create_network(world.analyst_a, "Unmapped")["id"]
    refused = _post(person, other, csrf, foreign, EDGES)
    assert refused.status_code == 422 and _count(world, other) == 0
    # A mapping the organisation has not saved is named, and nothing is written.
    unknown = _post(person, other, csrf, foreign, EDGES, mapping_name="nope")
    text = unescape(unknown.text)
    assert unknown.status_code == 422
    assert "No import mapping named 'nope'" in text and _count(world, other) == 0


def test_an_open_supply_hub_list_imports_from_the_dashboard(
    world: World, client: TestClient, engine: Engine
) -> None:
    """Illustrative facilities, not real Open Supply Hub records."""
    network_id = create_network(world.analyst_a, "Facilities")["id"]
    person = signed_in(client, engine, world.analyst_a.user_id)
    csrf = csrf_of(person.get(f"/dashboard/networks/{network_id}").text)
    facilities = (
        "os_id,name,address,country_code,country_name,sector,number_of_workers,parent_company\n"
        "BD2026001ABCDEF,Example Knit Ltd,Gazipur,BD,Bangladesh,Apparel,1001-5000,Example Group\n"
        "TH2026002GHIJKL,Example Gloves Co,Songkhla,TH,Thailand,Rubber,850,\n"
    )
    done = person.post(
        f"/dashboard/networks/{network_id}/import",
        data={"csrf": csrf},
        files={"nodes": ("facilities.csv", facilities.encode(), "text/csv")},
    )
    assert done.status_code == 200, unescape(done.text)[-2000:]
    nodes = world.analyst_a.get(f"/api/v1/networks/{network_id}/nodes").json()["items"]
    by_id = {node["external_id"]: node for node in nodes}
    assert set(by_id) == {"BD2026001ABCDEF", "TH2026002GHIJKL"}
    assert by_id["TH2026002GHIJKL"]["workers"] == 850
    assert by_id["BD2026001ABCDEF"]["workers"] is None  # a band is not a count
    assert {node["kind"] for node in nodes} == {"supplier"}
