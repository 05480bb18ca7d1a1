"""Exports round-trip in every format: export, import into a new network, export again, and
the second file is the first (byte for byte where the format has no timestamps); and what
Gephi and NetworkX write, once imported, exports as the network it described."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import networkx as nx
import pytest
from openpyxl import load_workbook

from tests.builders import Actor, World, create_network, edge, network_with, node
from tests.supplychain.sample import EDGES, NODES
from tests.supplychain.test_import_tools import GEPHI, YED

# The sample network, plus what stresses an export: typed, nested and multi-line attributes,
# cells a spreadsheet would run as formulas, text outside Latin-1.
EXTRA_NODES = [
    node(
        "S5",
        "supplier",
        '=HYPERLINK("http://x","y")',
        "VN",
        products="rubber gloves; latex",
        hs_codes="4015.19; 4001",
        notes="+1 call now\nsecond line\tand a tab",
        city="-Hà Nội",
        audit_score=0.75,
        audited=True,
        certifications=["SA8000", "BSCI"],
        contact={"name": "Nguyễn", "phone": "@84"},
        capacity=1200,
    ),
    node(
        "WG2", "worker_group", "Cohort ミャンマー", "MM", origin="MM", destination="TH", workers=7
    ),
]
EXTRA_EDGES = [
    edge("S5", "S1", "supplies", share=0.25, note="by boat"),
    edge("WG2", "S5", "employed_by"),
]
FORMATS = {"json": "n.json", "csv": "n.zip", "xlsx": "n.xlsx", "graphml": "n.graphml"}


def _export(world: World, network: dict, fmt: str, actor: Actor | None = None) -> bytes:
    response = (actor or world.viewer_a).get(
        f"/api/v1/networks/{network['id']}/export", params={"format": fmt}
    )
    assert response.status_code == 200, response.text
    return response.content


def _import(
    world: World, network: dict, filename: str, content: bytes, actor: Actor | None = None
) -> None:
    response = (actor or world.analyst_a).post(
        f"/api/v1/networks/{network['id']}/import", files={"file": (filename, content)}
    )
    assert response.status_code == 200, (filename, response.text)


def _members(content: bytes, *, leave_out: tuple[str, ...] = ()) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name not in leave_out}


def _sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_import_export_gives_the_same_file(world: World, fmt: str) -> None:
    original = network_with(
        world.analyst_a, [*NODES, *EXTRA_NODES], [*EDGES, *EXTRA_EDGES], name="Seafood"
    )
    first = _export(world, original, fmt)
    # The name is in the JSON and GraphML, and names are unique within an organisation.
    copy = create_network(world.analyst_b, "Seafood")
    _import(world, copy, FORMATS[fmt], first, world.analyst_b)
    second = _export(world, copy, fmt, world.analyst_b)
    if fmt == "csv":
        # The archive's entries carry the time they were written; the files in it do not.
        assert _members(second) == _members(first)
        assert set(_members(first)) == {"nodes.csv", "edges.csv"}
    elif fmt == "xlsx":
        # Only the workbook's creation time differs: every sheet is the same XML.
        assert _members(second, leave_out=("docProps/core.xml",)) == _members(
            first, leave_out=("docProps/core.xml",)
        )
        assert _sheets(second) == _sheets(first)
    else:
        assert second == first


def _json(world: World, network: dict) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_export(world, network, "json"))
    return document


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _text_valued(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A spreadsheet keeps every attribute as the text it shows: 0.75 is read back as "0.75"."""
    return [{key: _as_text(value) for key, value in row.items()} for row in rows]


def _edge_key(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["source"], row["target"], row["kind"]


def _nested_as_text(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GraphML has numbers and booleans but no lists or objects: those are kept as JSON text."""
    return [
        {k: _as_text(v) if isinstance(v, dict | list) else v for k, v in row.items()}
        for row in rows
    ]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_export_imports_as_the_original_network(world: World, fmt: str) -> None:
    original = network_with(world.analyst_a, [*NODES, *EXTRA_NODES], [*EDGES, *EXTRA_EDGES])
    expected = _json(world, original)
    copy = create_network(world.analyst_a, "copy")
    _import(world, copy, FORMATS[fmt], _export(world, original, fmt))
    got = _json(world, copy)
    assert [n["id"] for n in got["nodes"]] == [n["id"] for n in expected["nodes"]]
    if fmt in ("csv", "xlsx"):
        assert _text_valued(got["nodes"]) == _text_valued(expected["nodes"])
        assert _text_valued(got["edges"]) == _text_valued(expected["edges"])
    elif fmt == "graphml":
        assert got["nodes"] == _nested_as_text(expected["nodes"])
        # NetworkX writes the edges grouped by their source node, not in the order made.
        assert sorted(got["edges"], key=_edge_key) == sorted(expected["edges"], key=_edge_key)
    else:
        assert got["nodes"] == expected["nodes"]
        assert got["edges"] == expected["edges"]


def test_a_gephi_file_exports_as_the_network_it_drew_and_then_round_trips(world: World) -> None:
    network = create_network(world.analyst_a, "From Gephi")
    _import(world, network, "gephi.graphml", GEPHI.encode())
    document = _json(world, network)
    assert document["nodes"] == [
        {
            "id": "n0",
            "kind": "company",
            "name": "Northwind Foods",
            "country": "GB",
            "modularity_class": 0,
        },
        {
            "id": "n1",
            "kind": "supplier",
            "name": "Gulf Processing",
            "country": "TH",
            "workers": 500,
            "modularity_class": 1,
        },
        {
            "id": "n2",
            "kind": "recruiter",
            "name": "Siam Manpower",
            "country": "TH",
            "role": "destination_agency",
            "modularity_class": 1,
        },
    ]
    assert document["edges"] == [
        {"source": "n1", "target": "n0", "kind": "supplies"},
        {"source": "n2", "target": "n1", "kind": "recruits_for", "workers": 100},
    ]
    graphml = _export(world, network, "graphml")
    again = create_network(world.analyst_b, "From Gephi")
    _import(world, again, "again.graphml", graphml, world.analyst_b)
    assert _export(world, again, "graphml", world.analyst_b) == graphml


def test_a_yed_diagram_exports_as_the_network_it_drew(world: World) -> None:
    network = create_network(world.analyst_a, "From yEd")
    _import(world, network, "diagram.graphml", YED.encode())
    document = _json(world, network)
    assert document["nodes"] == [
        {"id": "n0", "kind": "company", "name": "Northwind Foods", "country": "GB"},
        {
            "id": "n1",
            "kind": "supplier",
            "name": "Gulf Processing",
            "country": "TH",
            "description": "Audited in May",
        },
    ]
    assert document["edges"] == [{"source": "n1", "target": "n0", "kind": "supplies"}]


def test_a_networkx_graph_comes_back_out_of_the_graphml_export(world: World) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("CO", kind="company", name="Northwind Foods", country="GB")
    graph.add_node("S1", kind="supplier", name="Gulf Processing", country="TH", workers=500)
    graph.add_node("DA", kind="recruiter", name="Siam Manpower", country="TH", role="sub_agent")
    graph.add_edge("S1", "CO", key="supplies", share=0.5)
    graph.add_edge("DA", "S1", key="recruits_for", workers=100, origin="MM", destination="TH")
    network = create_network(world.analyst_a, "From NetworkX")
    _import(world, network, "graph.json", json.dumps(nx.node_link_data(graph)).encode())
    exported = nx.read_graphml(
        io.BytesIO(_export(world, network, "graphml")), force_multigraph=True
    )
    assert dict(exported.nodes(data=True)) == dict(graph.nodes(data=True))
    # The export writes each edge's kind as its id (NetworkX's key) and as an attribute.
    assert sorted(exported.edges(keys=True, data=True)) == sorted(
        (s, t, k, {"kind": k, **data}) for s, t, k, data in graph.edges(keys=True, data=True)
    )
    # And its node-link JSON, once more through Fairpath, is the same graph again.
    again = create_network(world.analyst_a, "again")
    _import(world, again, "again.json", json.dumps(nx.node_link_data(exported)).encode())
    assert _json(world, again)["nodes"] == _json(world, network)["nodes"]
    assert _json(world, again)["edges"] == _json(world, network)["edges"]
