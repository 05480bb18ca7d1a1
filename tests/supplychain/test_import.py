"""Bulk import: every validation rule, all-or-nothing, upsert, replace, and every format."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from tests.builders import Actor, World, create_network, edge, import_json, node
from tests.supplychain.sample import EDGES, NODES

NODES_CSV = """id,kind,name,country,sector,tier,role,workers,migrant_workers,licence,city
CO,company,Northwind Foods,GBR,,,,,,,London
S1,supplier,Gulf Processing,Thailand,seafood_processing,1,,"1,200",300,,Samut Sakhon
DA,recruiter,Siam Manpower,TH,,,destination_agency,,,TH-1001,Bangkok
SA,recruiter,Hpa-An Sub-agent,Myanmar (Burma),,,sub agent,,,,Hpa-An
"""
EDGES_CSV = """source,target,kind,origin,destination,workers,share
S1,CO,supplies,,,,0.4
DA,S1,recruits_for,MM,TH,250,
SA,DA,refers_to,Myanmar,,60,
"""


def _url(network: dict) -> str:
    return f"/api/v1/networks/{network['id']}"


def _upload(actor: Actor, network: dict, files: dict, **params) -> object:  # type: ignore[no-untyped-def]
    return actor.post(f"{_url(network)}/import", files=files, params=params)


def _export(actor: Actor, network: dict) -> dict:
    return actor.get(f"{_url(network)}/export", params={"format": "json"}).json()


def _errors(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    return response.json()["errors"]


# Formats ------------------------------------------------------------------------------------


def test_csv_pair_normalises_countries_roles_and_numbers(world: World) -> None:
    network = create_network(world.analyst_a)
    response = _upload(
        world.analyst_a,
        network,
        {
            "nodes": ("nodes.csv", NODES_CSV.encode()),
            "edges": ("edges.csv", EDGES_CSV.encode()),
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["nodes"] == {"created": 4, "updated": 0, "unchanged": 0, "deleted": 0}
    assert result["edges"]["created"] == 3
    assert result["network_version"] == network["version"] + 1
    nodes = {
        n["external_id"]: n for n in world.analyst_a.get(f"{_url(network)}/nodes").json()["items"]
    }
    assert nodes["CO"]["country"] == "GB"  # alpha-3
    assert nodes["S1"]["country"] == "TH"  # English name
    assert nodes["SA"]["country"] == "MM"  # "Myanmar (Burma)"
    assert nodes["SA"]["role"] == "sub_agent"  # "sub agent"
    assert nodes["S1"]["workers"] == 1200  # "1,200"
    assert nodes["S1"]["attributes"] == {"city": "Samut Sakhon"}
    edges = world.analyst_a.get(f"{_url(network)}/edges").json()["items"]
    by_kind = {e["kind"]: e for e in edges}
    assert by_kind["supplies"]["share"] == 0.4
    assert by_kind["refers_to"]["origin"] == "MM"
    assert (by_kind["recruits_for"]["source"], by_kind["recruits_for"]["target"]) == ("DA", "S1")


def test_zip_xlsx_json_and_graphml_give_the_same_network(world: World) -> None:
    reference = create_network(world.analyst_a, "csv")
    _upload(
        world.analyst_a,
        reference,
        {"nodes": ("nodes.csv", NODES_CSV.encode()), "edges": ("edges.csv", EDGES_CSV.encode())},
    )
    expected = _export(world.analyst_a, reference)

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("export/nodes.csv", NODES_CSV)
        z.writestr("export/edges.csv", EDGES_CSV)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "nodes"
    for line in NODES_CSV.strip().splitlines():
        sheet.append(next(iter([_split(line)])))
    edge_sheet = workbook.create_sheet("Edges")
    for line in EDGES_CSV.strip().splitlines():
        edge_sheet.append(_split(line))
    xlsx = io.BytesIO()
    workbook.save(xlsx)

    uploads = {
        "zip": ("network.zip", archive.getvalue()),
        "xlsx": ("network.xlsx", xlsx.getvalue()),
        "json": (
            "network.json",
            json.dumps({"nodes": expected["nodes"], "edges": expected["edges"]}).encode(),
        ),
        "graphml": (
            "network.graphml",
            world.analyst_a.get(f"{_url(reference)}/export", params={"format": "graphml"}).content,
        ),
    }
    for label, upload in uploads.items():
        network = create_network(world.analyst_a, label)
        response = _upload(world.analyst_a, network, {"file": upload})
        assert response.status_code == 200, (label, response.text)
        got = _export(world.analyst_a, network)
        assert _normalised(got) == _normalised(expected), label


def _split(line: str) -> list[object]:
    import csv

    cells = next(csv.reader([line]))
    return [int(c) if c.isdigit() else (c or None) for c in cells]


def _normalised(document: dict) -> tuple:
    """Numbers typed in a spreadsheet and numbers typed as text are the same value."""

    def norm(row: dict) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in row.items()))

    return (sorted(norm(n) for n in document["nodes"]), sorted(norm(e) for e in document["edges"]))


def test_json_body_import(world: World) -> None:
    network = create_network(world.analyst_a)
    response = import_json(world.analyst_a, network["id"], NODES, EDGES)
    assert response.status_code == 200
    assert response.json()["nodes"]["created"] == len(NODES)
    assert response.json()["edges"]["created"] == len(EDGES)


def test_unreadable_inputs_are_clear_4xx(world: World) -> None:
    network = create_network(world.analyst_a)
    # 0x81 is a byte no text encoding a spreadsheet saves with can hold there.
    undecodable = b"id,kind,name,country\nS1,supplier,Caf\x81,TH\n"
    response = _upload(world.analyst_a, network, {"nodes": ("nodes.csv", undecodable)})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "nodes.csv is not UTF-8, UTF-16 or Windows-1252 text (near byte 36); save it as "
        "'CSV UTF-8' and try again"
    )
    response = _upload(world.analyst_a, network, {"file": ("net.pdf", b"%PDF-1.4 ...")})
    assert response.status_code == 415
    response = _upload(world.analyst_a, network, {"file": ("net.zip", b"PK\x03\x04broken")})
    assert response.status_code == 400
    response = world.analyst_a.post(
        f"{_url(network)}/import", content=b"{bad", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    response = world.analyst_a.post(f"{_url(network)}/import", json={"people": []})
    assert response.status_code == 422
    response = world.analyst_a.post(
        f"{_url(network)}/import", content=b"x", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    nothing = world.analyst_a.post(f"{_url(network)}/import", files={"other": ("a", b"b")})
    assert nothing.status_code == 400


# Validation rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_node", "column", "fragment"),
    [
        ({"country": "Atlantis"}, "country", "unknown country"),
        ({"kind": "factory"}, "kind", "must be one of"),
        ({"name": ""}, "name", "required"),
        ({"sector": "space"}, "sector", "must be one of"),
        ({"workers": "12a"}, "workers", "whole number"),
        ({"workers": -3}, "workers", "at least 0"),
        ({"tier": 0}, "tier", "at least 1"),
        ({"workers": 10, "migrant_workers": 11}, "migrant_workers", "more than workers"),
        ({"role": "sub_agent"}, "role", "only recruiters"),
        ({"licence": "X-1"}, "licence", "only recruiters"),
        ({"origin": "MM"}, "origin", "worker groups"),
    ],
)
def test_each_node_rule_names_row_and_column(
    world: World, bad_node: dict, column: str, fragment: str
) -> None:
    network = create_network(world.analyst_a)
    nodes = [node("CO", "company", country="GB"), {**node("S1", "supplier"), **bad_node}]
    errors = _errors(import_json(world.analyst_a, network["id"], nodes, []))
    assert any(e["column"] == column and fragment in e["message"] for e in errors), errors
    assert all(e["file"] == "nodes" and e["index"] == 1 for e in errors)


def test_recruiter_rules(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes = [
        node("R1", "recruiter"),
        node("R2", "recruiter", role="broker"),
        node("R3", "recruiter", role="sub_agent", tier=2),
    ]
    errors = _errors(import_json(world.analyst_a, network["id"], nodes, []))
    assert {(e["index"], e["column"]) for e in errors} == {(0, "role"), (1, "role"), (2, "tier")}


def test_csv_errors_point_at_spreadsheet_rows(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes_csv = "id,kind,name,country,workers\nCO,company,Co,GB,\nS1,supplier,S,Narnia,lots\n"
    edges_csv = "source,target,kind\nS1,CO,supplies\nS9,CO,supplies\n"
    errors = _errors(
        _upload(
            world.analyst_a,
            network,
            {
                "nodes": ("nodes.csv", nodes_csv.encode()),
                "edges": ("edges.csv", edges_csv.encode()),
            },
        )
    )
    located = {(e["file"], e["row"], e["column"]) for e in errors}
    assert ("nodes.csv", 3, "country") in located
    assert ("nodes.csv", 3, "workers") in located
    # S1 itself is broken (already reported), so its edge is not reported again; S9 is missing.
    assert ("edges.csv", 3, "source") in located
    assert not any(e["file"] == "edges.csv" and e["row"] == 2 for e in errors)


def test_missing_required_column_is_reported_on_the_header(world: World) -> None:
    network = create_network(world.analyst_a)
    errors = _errors(
        _upload(
            world.analyst_a, network, {"nodes": ("nodes.csv", b"id,kind,name\nS1,supplier,S\n")}
        )
    )
    assert {
        "file": "nodes.csv",
        "row": 1,
        "column": "country",
        "message": "required column is missing from the header",
    } in errors


def test_network_rules(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes = [
        node("CO", "company", country="GB"),
        node("CO2", "company", country="US"),
        node("S1", "supplier"),
        node("S2", "supplier"),
        node("S1", "supplier", "dup"),
        node("A", "recruiter", role="destination_agency"),
        node("B", "recruiter", role="origin_agency", country="MM"),
        node("C", "recruiter", role="sub_agent", country="MM"),
    ]
    edges = [
        edge("A", "CO", "supplies"),  # recruiters do not supply
        edge("S1", "A", "recruits_for"),  # suppliers do not recruit
        edge("A", "B", "refers_to"),
        edge("B", "C", "refers_to"),
        edge("C", "A", "refers_to"),
        edge("S1", "S2", "supplies"),
        edge("S2", "S1", "supplies"),
        edge("S1", "S1", "supplies"),  # self-loop
        edge("S1", "NOPE", "supplies"),  # missing node
        edge("S1", "CO", "supplies"),
        edge("S1", "CO", "supplies"),  # duplicate
        edge("A", "S1", "recruits_for", workers="many"),
        edge("S2", "CO", "supplies", share=1.5),
    ]
    errors = _errors(import_json(world.analyst_a, network["id"], nodes, edges))
    messages = [(e["file"], e.get("index"), e.get("column"), e["message"]) for e in errors]

    def has(file: str, index: int | None, column: str, fragment: str) -> bool:
        return any(
            m[0] == file
            and (index is None or m[1] == index)
            and m[2] == column
            and fragment in m[3]
            for m in messages
        )

    assert has("nodes", 1, "kind", "one buying company")
    assert has("nodes", 4, "id", "duplicate id")
    assert has("edges", 0, "kind", "supplies goes from supplier")
    assert has("edges", 1, "kind", "recruits_for goes from recruiter")
    assert has("edges", None, "target", "refers_to edges form a cycle")
    assert has("edges", None, "target", "supplies edges form a cycle")
    assert has("edges", 7, "target", "own source")
    assert has("edges", 8, "target", "no node with this id")
    assert has("edges", 10, "target", "duplicate edge")
    assert has("edges", 11, "workers", "whole number")
    assert has("edges", 12, "share", "between 0 and 1")


def test_problem_list_is_capped(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes = [node(f"S{i}", "supplier", country="Nowhere") for i in range(250)]
    response = import_json(world.analyst_a, network["id"], nodes, [])
    body = response.json()
    assert response.status_code == 422
    assert len(body["errors"]) == 200
    assert "250 problems" in body["detail"] and "first 200" in body["detail"]


def test_one_bad_row_writes_nothing(world: World) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.analyst_a, network["id"], NODES, EDGES).status_code == 200
    before = _export(world.analyst_a, network)
    version = world.analyst_a.get(_url(network)).json()["version"]
    changed = [dict(n) for n in NODES]
    changed[1]["name"] = "Renamed processor"
    changed.append(node("S9", "supplier", country="Mordor"))
    response = import_json(
        world.analyst_a, network["id"], changed, [*EDGES, edge("S9", "CO", "supplies")]
    )
    assert response.status_code == 422
    assert _export(world.analyst_a, network) == before
    assert world.analyst_a.get(_url(network)).json()["version"] == version


# Upsert, replace, dry run -----------------------------------------------------------------------


def test_reimport_upserts_in_place(world: World) -> None:
    network = create_network(world.analyst_a)
    import_json(world.analyst_a, network["id"], NODES, EDGES)
    ids_before = {
        n["external_id"]: n["id"]
        for n in world.analyst_a.get(f"{_url(network)}/nodes").json()["items"]
    }
    again = import_json(world.analyst_a, network["id"], NODES, EDGES).json()
    assert again["nodes"] == {"created": 0, "updated": 0, "unchanged": 11, "deleted": 0}
    assert again["edges"]["unchanged"] == 9

    renamed = [dict(n) for n in NODES]
    renamed[1]["name"] = "Gulf Processing (Mahachai)"
    new_edges = [dict(e) for e in EDGES]
    new_edges[3]["workers"] = 140
    result = import_json(world.analyst_a, network["id"], renamed[:3], new_edges[3:4]).json()
    assert result["nodes"] == {"created": 0, "updated": 1, "unchanged": 2, "deleted": 0}
    assert result["edges"] == {"created": 0, "updated": 1, "unchanged": 0, "deleted": 0}
    nodes = {
        n["external_id"]: n for n in world.analyst_a.get(f"{_url(network)}/nodes").json()["items"]
    }
    assert nodes["S1"]["name"] == "Gulf Processing (Mahachai)"
    assert {k: v["id"] for k, v in nodes.items()} == ids_before  # updated in place
    assert len(nodes) == 11  # upsert keeps nodes missing from the file


def test_upsert_checks_the_resulting_network(world: World) -> None:
    network = create_network(world.analyst_a)
    import_json(world.analyst_a, network["id"], NODES, EDGES)
    # Turning DA into a supplier would break its stored recruits_for and refers_to edges.
    errors = _errors(
        import_json(world.analyst_a, network["id"], [node("DA", "supplier", "Siam Manpower")], [])
    )
    assert any(e.get("where") == "existing edge DA -> S1 (recruits_for)" for e in errors)


def test_replace_mode_and_dry_run(world: World) -> None:
    network = create_network(world.analyst_a)
    import_json(world.analyst_a, network["id"], NODES, EDGES)
    keep = [n for n in NODES if n["id"] in {"CO", "S1", "DA"}]
    kept_edges = [e for e in EDGES if e["source"] in {"S1", "DA"} and e["target"] in {"CO", "S1"}]
    dry = import_json(
        world.analyst_a, network["id"], keep, kept_edges, mode="replace", dry_run=True
    ).json()
    assert dry["dry_run"] is True
    assert dry["nodes"] == {"created": 0, "updated": 0, "unchanged": 3, "deleted": 8}
    assert dry["edges"] == {"created": 0, "updated": 0, "unchanged": 2, "deleted": 7}
    assert world.analyst_a.get(f"{_url(network)}/nodes").json()["total"] == 11
    real = import_json(world.analyst_a, network["id"], keep, kept_edges, mode="replace").json()
    assert real["nodes"]["deleted"] == 8
    assert world.analyst_a.get(f"{_url(network)}/nodes").json()["total"] == 3
    assert world.analyst_a.get(f"{_url(network)}/edges").json()["total"] == 2


# Access ---------------------------------------------------------------------------------------


def test_import_is_scoped_and_needs_write_access(world: World) -> None:
    network = create_network(world.analyst_a)
    assert import_json(world.viewer_a, network["id"], NODES, EDGES).status_code == 403
    assert import_json(world.analyst_b, network["id"], NODES, EDGES).status_code == 404
    assert world.analyst_a.get(f"{_url(network)}/nodes").json()["total"] == 0
