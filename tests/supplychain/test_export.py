"""Exports round-trip: what Fairpath writes, it (and NetworkX) can read back unchanged."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session

from supplychain import export
from supplychain.models import Network
from supplychain.service import load_state
from tests.builders import World, create_network, import_json, network_with
from tests.supplychain.sample import EDGES, NODES

HOSTILE = {
    "id": "S5",
    "kind": "supplier",
    "name": '=HYPERLINK("http://x","y")',
    "country": "TH",
    "products": "rubber gloves; latex",
    "hs_codes": "4015.19; 4001",
    "notes": "+1 call now",
    "city": "-Hat Yai",
}


def _download(world: World, network_id: int, fmt: str) -> bytes:
    response = world.viewer_a.get(f"/api/v1/networks/{network_id}/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def _graph(world: World, network_id: int) -> tuple[set, set]:
    document = json.loads(_download(world, network_id, "json"))
    nodes = {json.dumps(n, sort_keys=True) for n in document["nodes"]}
    edges = {json.dumps(e, sort_keys=True) for e in document["edges"]}
    return nodes, edges


def test_every_format_round_trips_to_the_same_graph(world: World) -> None:
    original = network_with(world.analyst_a, [*NODES, HOSTILE], EDGES, name="original")
    expected = _graph(world, original["id"])
    for fmt, filename in (
        ("json", "n.json"),
        ("csv", "n.zip"),
        ("xlsx", "n.xlsx"),
        ("graphml", "n.graphml"),
    ):
        content = _download(world, original["id"], fmt)
        copy = create_network(world.analyst_a, f"copy-{fmt}")
        response = world.analyst_a.post(
            f"/api/v1/networks/{copy['id']}/import", files={"file": (filename, content)}
        )
        assert response.status_code == 200, (fmt, response.text)
        assert _graph(world, copy["id"]) == expected, fmt


def test_csv_and_xlsx_cells_are_safe_from_formula_injection(world: World) -> None:
    network = network_with(world.analyst_a, [*NODES, HOSTILE], EDGES)
    archive = zipfile.ZipFile(io.BytesIO(_download(world, network["id"], "csv")))
    rows = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode())))
    hostile = next(r for r in rows if r["id"] == "S5")
    assert hostile["name"].startswith("'=")
    assert hostile["notes"] == "'+1 call now"
    assert hostile["city"] == "'-Hat Yai"
    workbook = load_workbook(io.BytesIO(_download(world, network["id"], "xlsx")))
    names = [row[2] for row in workbook["nodes"].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x","y")' in names


def test_graphml_reads_in_networkx_with_the_same_structure(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    graph = nx.read_graphml(
        io.BytesIO(_download(world, network["id"], "graphml")), force_multigraph=True
    )
    assert set(graph.nodes) == {n["id"] for n in NODES}
    assert {(s, t, k) for s, t, k in graph.edges(keys=True)} == {
        (e["source"], e["target"], e["kind"]) for e in EDGES
    }
    assert graph.nodes["SA"]["role"] == "sub_agent"
    assert graph.nodes["S1"]["migrant_workers"] == 120
    assert graph.edges["DA", "S1", "recruits_for"]["workers"] == 100


def test_json_export_uses_the_import_format(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    document = json.loads(_download(world, network["id"], "json"))
    assert document["network"]["name"] == "N"
    assert {n["id"] for n in document["nodes"]} == {n["id"] for n in NODES}
    again = import_json(world.analyst_a, network["id"], document["nodes"], document["edges"])
    assert again.json()["nodes"]["unchanged"] == len(NODES)


def test_the_json_export_is_streamed_byte_for_byte_as_rendered(
    world: World, engine: Engine
) -> None:
    network = network_with(world.analyst_a, NODES, EDGES, name="Streamed")
    with world.viewer_a.client.stream(
        "GET",
        f"/api/v1/networks/{network['id']}/export",
        params={"format": "json"},
        headers={"Authorization": f"Bearer {world.viewer_a.token}"},
    ) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # sent as it is encoded
        streamed = b"".join(response.iter_bytes())
    with Session(engine) as session:
        stored = session.get(Network, network["id"])
        assert stored is not None
        state = load_state(session, stored.id or 0)
        rendered, media, _ext = export.render(stored, state, "json")
        chunks = list(export.stream_json(stored, state, chunk=256))
    assert media == "application/json" and streamed == rendered
    assert len(chunks) > 3 and b"".join(chunks) == rendered
