"""Column mappings: files whose headers differ from Fairpath's, mapped in the request or by a
mapping saved per organisation, through the API (inline and as a job) and the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from api.cli import main as cli
from core.errors import InvalidInput
from core.problems import Location
from supplychain import column_mapping
from supplychain.column_mapping import ColumnMapping, MappedProblems, parse_mapping
from tests.builders import ASYNC, Actor, World, create_network, finished_job

# An ERP's supplier export, headers as it writes them.
ERP_NODES = """Supplier ID,Supplier name,Type,Country of operation,Head count
CO,Northwind Foods,company,United Kingdom,
S1,Gulf Processing,supplier,Thailand,"1,200"
S2,Andaman Peeling Shed,supplier,MY,80
"""
ERP_EDGES = """From,To,Relationship
S2,S1,supplies
S1,CO,supplies
"""
MAPPING: dict[str, dict[str, str]] = {
    "nodes": {
        "Supplier ID": "id",
        "Supplier name": "name",
        "Type": "kind",
        "Country of operation": "country",
        "Head count": "workers",
    },
    "edges": {"From": "source", "To": "target", "Relationship": "kind"},
}


def _url(network: dict[str, Any]) -> str:
    return f"/api/v1/networks/{network['id']}"


def _upload(
    actor: Actor,
    network: dict[str, Any],
    nodes: str = ERP_NODES,
    edges: str | None = ERP_EDGES,
    data: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    files = {"nodes": ("suppliers.csv", nodes.encode())}
    if edges is not None:
        files["edges"] = ("links.csv", edges.encode())
    return actor.post(f"{_url(network)}/import", files=files, data=data, params=params)


def _nodes(actor: Actor, network: dict[str, Any]) -> dict[str, dict[str, Any]]:
    items = actor.get(f"{_url(network)}/nodes", params={"limit": 500}).json()["items"]
    return {n["external_id"]: n for n in items}


def _edges(actor: Actor, network: dict[str, Any]) -> set[tuple[str, str, str]]:
    items = actor.get(f"{_url(network)}/edges", params={"limit": 500}).json()["items"]
    return {(e["source"], e["target"], e["kind"]) for e in items}


def _errors(response: httpx.Response, status: int = 422) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    return response.json()["errors"]


# The mapping on its own ----------------------------------------------------------------------


def test_a_mapping_is_checked_whole_naming_each_bad_entry() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_mapping(
            {
                "nodes": {"Supplier ID": "id", "Code": "ID", "Land": "nation", "Typ": 3},
                "edges": {"From": "source"},
                "sheets": {},
            }
        )
    errors = {e["field"]: e["message"] for e in refused.value.errors}
    assert set(errors) == {
        "mapping.sheets",
        "mapping.nodes.Code",
        "mapping.nodes.Land",
        "mapping.nodes.Typ",
    }
    assert errors["mapping.nodes.Code"].startswith("'Supplier ID' is mapped to 'id' as well")
    assert errors["mapping.nodes.Land"].startswith("unknown nodes column 'nation'")
    assert errors["mapping.nodes.Typ"] == "the column must be text"


def test_headers_match_whatever_their_case_and_spacing_and_problems_use_them() -> None:
    mapping = parse_mapping({"nodes": {"Country of operation": "Country"}})
    assert mapping.nodes == {"Country of operation": "country"}
    problems = MappedProblems()
    with column_mapping.reading(mapping, problems):
        header, required = column_mapping.map_header(
            ["id", "kind", "name", "country_of_operation"],
            ("id", "kind", "name", "country"),
            "s.csv",
            problems,
        )
    assert header == ["id", "kind", "name", "country"]
    assert required == ("id", "kind", "name", "country")
    problems.add(Location(file="s.csv", row=3), "country", "unknown country")
    problems.add(Location(file="other.csv", row=3), "country", "unknown country")
    assert [p["column"] for p in problems.items] == ["Country of operation", "country"]


def test_outside_an_import_the_header_is_left_as_read() -> None:
    problems = MappedProblems()
    header, required = column_mapping.map_header(["os_id", "name"], ("id",), "f.csv", problems)
    assert (header, required, problems.count) == (["os_id", "name"], ("id",), 0)


# Imports with a mapping ----------------------------------------------------------------------


def test_a_csv_with_its_own_headers_imports_through_a_mapping(world: World) -> None:
    network = create_network(world.analyst_a)
    response = _upload(world.analyst_a, network, data={"mapping": json.dumps(MAPPING)})
    assert response.status_code == 200, response.text
    assert response.json()["nodes"]["created"] == 3
    nodes = _nodes(world.analyst_a, network)
    assert {k: (n["kind"], n["name"], n["country"], n["workers"]) for k, n in nodes.items()} == {
        "CO": ("company", "Northwind Foods", "GB", None),
        "S1": ("supplier", "Gulf Processing", "TH", 1200),
        "S2": ("supplier", "Andaman Peeling Shed", "MY", 80),
    }
    assert all(n["attributes"] == {} for n in nodes.values())  # nothing left unmapped
    assert _edges(world.analyst_a, network) == {("S2", "S1", "supplies"), ("S1", "CO", "supplies")}


def test_without_the_mapping_the_file_is_refused_naming_the_missing_columns(world: World) -> None:
    network = create_network(world.analyst_a)
    errors = _errors(_upload(world.analyst_a, network))
    missing = {(e["file"], e["column"]) for e in errors if "missing" in e["message"]}
    assert ("suppliers.csv", "id") in missing and ("links.csv", "source") in missing


def test_an_unknown_target_column_is_a_422_naming_it(world: World) -> None:
    network = create_network(world.analyst_a)
    bad = {"nodes": {**MAPPING["nodes"], "Head count": "headcount"}}
    errors = _errors(_upload(world.analyst_a, network, data={"mapping": json.dumps(bad)}))
    assert [(e["field"], e["value"]) for e in errors] == [("mapping.nodes.Head count", "headcount")]
    assert "unknown nodes column 'headcount'" in errors[0]["message"]
    assert _nodes(world.analyst_a, network) == {}


def test_a_mapping_that_is_not_json_is_refused(world: World) -> None:
    network = create_network(world.analyst_a)
    errors = _errors(_upload(world.analyst_a, network, data={"mapping": "{nodes:"}))
    assert errors[0]["field"] == "mapping" and errors[0]["message"].startswith("not valid JSON")


def test_a_header_the_file_lacks_is_named_with_its_file(world: World) -> None:
    network = create_network(world.analyst_a)
    mapping = {"nodes": {**MAPPING["nodes"], "Vendor ref": "licence"}, "edges": MAPPING["edges"]}
    errors = _errors(_upload(world.analyst_a, network, data={"mapping": json.dumps(mapping)}))
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [
        ("suppliers.csv", 1, "Vendor ref")
    ]
    assert "the file has no such column" in errors[0]["message"]


def test_a_mapped_required_header_missing_is_reported_once(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes = ERP_NODES.replace("Supplier ID", "Vendor")
    errors = _errors(
        _upload(world.analyst_a, network, nodes=nodes, data={"mapping": json.dumps(MAPPING)})
    )
    header = [(e["row"], e["column"]) for e in errors if e["file"] == "suppliers.csv"]
    assert header[0] == (1, "Supplier ID")
    assert "the file has no such column" in errors[0]["message"]
    assert [place for place in header if place[0] == 1] == [(1, "Supplier ID")]  # said once


def test_a_bad_value_is_reported_under_the_files_own_header(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes = ERP_NODES.replace("S2,Andaman Peeling Shed,supplier,MY", "S2,Andaman,supplier,Atlantis")
    errors = _errors(
        _upload(world.analyst_a, network, nodes=nodes, data={"mapping": json.dumps(MAPPING)})
    )
    assert [(e["file"], e["row"], e["column"], e["value"]) for e in errors] == [
        ("suppliers.csv", 4, "Country of operation", "Atlantis")
    ]


def test_a_dry_run_with_a_mapping_counts_what_the_import_writes(world: World) -> None:
    network = create_network(world.analyst_a)
    data = {"mapping": json.dumps(MAPPING)}
    dry = _upload(world.analyst_a, network, data=data, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert _nodes(world.analyst_a, network) == {}
    real = _upload(world.analyst_a, network, data=data)
    assert real.status_code == 200, real.text
    dry_counts, real_counts = dry.json(), real.json()
    assert dry_counts["dry_run"] is True and real_counts["dry_run"] is False
    assert (dry_counts["nodes"], dry_counts["edges"]) == (
        real_counts["nodes"],
        real_counts["edges"],
    )
    assert real_counts["nodes"]["created"] == 3 and real_counts["edges"]["created"] == 2


def test_a_mapping_applies_to_xlsx_sheets(world: World) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "nodes"
    sheet.append(["Supplier ID", "Supplier name", "Type", "Country of operation", "Head count"])
    sheet.append(["S1", "Gulf Processing", "supplier", "Thailand", 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    network = create_network(world.analyst_a)
    response = world.analyst_a.post(
        f"{_url(network)}/import",
        files={"file": ("suppliers.xlsx", buffer.getvalue())},
        params={"mapping": json.dumps({"nodes": {**MAPPING["nodes"], "Head count": "tier"}})},
    )
    assert response.status_code == 200, response.text
    s1 = _nodes(world.analyst_a, network)["S1"]
    assert (s1["country"], s1["tier"]) == ("TH", 2)


def test_a_json_body_may_carry_its_mapping(world: World) -> None:
    network = create_network(world.analyst_a)
    document: dict[str, Any] = {
        "mapping": {"nodes": {"code": "id", "type": "kind"}},
        "nodes": [{"code": "S1", "type": "supplier", "name": "Gulf", "country": "TH"}],
    }
    response = world.analyst_a.post(f"{_url(network)}/import", json=document)
    assert response.status_code == 200, response.text
    assert _nodes(world.analyst_a, network)["S1"]["kind"] == "supplier"
    document["nodes"][0]["type"] = "factory"
    errors = _errors(world.analyst_a.post(f"{_url(network)}/import", json=document))
    assert [(e["file"], e["index"], e["column"]) for e in errors] == [("nodes", 0, "type")]


def test_a_mapping_applies_to_an_import_run_as_a_job(world: World) -> None:
    network = create_network(world.analyst_a)
    response = world.analyst_a.post(
        f"{_url(network)}/import",
        files={
            "nodes": ("suppliers.csv", ERP_NODES.encode()),
            "edges": ("links.csv", ERP_EDGES.encode()),
        },
        data={"mapping": json.dumps(MAPPING)},
        headers=ASYNC,
    )
    assert response.status_code == 202, response.text
    job = finished_job(world.analyst_a, response.headers["Location"])
    assert job["state"] == "done", job
    assert job["result"]["import"]["nodes"]["created"] == 3
    assert set(_nodes(world.analyst_a, network)) == {"CO", "S1", "S2"}


# Saved mappings ------------------------------------------------------------------------------


def _save(actor: Actor, name: str, mapping: dict[str, Any]) -> httpx.Response:
    return actor.put(f"/api/v1/import-mappings/{name}", json=mapping)


def test_a_saved_mapping_is_used_by_name(world: World) -> None:
    saved = _save(world.analyst_a, "erp-export", MAPPING)
    assert saved.status_code == 201, saved.text
    assert saved.json()["nodes"]["Country of operation"] == "country"
    assert _save(world.analyst_a, "erp-export", MAPPING).status_code == 200  # replaced
    network = create_network(world.analyst_a)
    response = _upload(world.analyst_a, network, data={"mapping_name": "erp-export"})
    assert response.status_code == 200, response.text
    assert set(_nodes(world.analyst_a, network)) == {"CO", "S1", "S2"}
    # ... in the query as well, and as a job (resolved when the job is submitted).
    again = _upload(world.analyst_a, network, mapping_name="erp-export", dry_run="true")
    assert again.json()["nodes"]["unchanged"] == 3
    listing = world.viewer_a.get("/api/v1/import-mappings").json()
    assert [m["name"] for m in listing] == ["erp-export"]


def test_a_saved_mapping_with_an_unknown_target_is_refused_naming_it(world: World) -> None:
    response = _save(world.analyst_a, "bad", {"nodes": {"Land": "nation"}})
    errors = _errors(response)
    assert [e["field"] for e in errors] == ["nodes.Land"]
    assert world.analyst_a.get("/api/v1/import-mappings/bad").status_code == 404


def test_an_unknown_mapping_name_is_a_422_naming_the_field(world: World) -> None:
    network = create_network(world.analyst_a)
    errors = _errors(_upload(world.analyst_a, network, data={"mapping_name": "nope"}))
    assert [(e["field"], e["value"]) for e in errors] == [("mapping_name", "nope")]


def test_mapping_and_mapping_name_together_are_refused(world: World) -> None:
    _save(world.analyst_a, "erp", MAPPING)
    network = create_network(world.analyst_a)
    response = _upload(
        world.analyst_a, network, data={"mapping": json.dumps(MAPPING), "mapping_name": "erp"}
    )
    assert response.status_code == 400, response.text
    assert "not both" in response.json()["detail"]


def test_a_viewer_reads_but_cannot_save_or_delete(world: World) -> None:
    assert _save(world.viewer_a, "erp", MAPPING).status_code == 403
    assert _save(world.analyst_a, "erp", MAPPING).status_code == 201
    assert world.viewer_a.get("/api/v1/import-mappings/erp").json()["edges"]["From"] == "source"
    assert world.viewer_a.delete("/api/v1/import-mappings/erp").status_code == 403
    assert world.analyst_a.delete("/api/v1/import-mappings/erp").status_code == 204
    assert world.viewer_a.get("/api/v1/import-mappings/erp").status_code == 404


def test_another_organisation_cannot_see_or_use_a_saved_mapping(world: World) -> None:
    assert _save(world.analyst_a, "erp", MAPPING).status_code == 201
    assert world.analyst_b.get("/api/v1/import-mappings/erp").status_code == 404
    assert world.analyst_b.get("/api/v1/import-mappings").json() == []
    assert world.analyst_b.delete("/api/v1/import-mappings/erp").status_code == 404
    other = f"/api/v1/import-mappings/erp?organisation_id={world.org_a}"
    assert world.analyst_b.get(other).status_code == 404
    network_b = create_network(world.analyst_b)
    errors = _errors(_upload(world.analyst_b, network_b, data={"mapping_name": "erp"}))
    assert errors[0]["field"] == "mapping_name"
    # Organisation B may save its own under the same name; A's is untouched.
    assert _save(world.analyst_b, "erp", {"nodes": {"Code": "id"}}).status_code == 201
    assert world.analyst_a.get("/api/v1/import-mappings/erp").json()["nodes"] == MAPPING["nodes"]
    # An admin reaches either organisation's mappings by naming it.
    assert world.admin.get(other).json()["nodes"] == MAPPING["nodes"]


# The command line ----------------------------------------------------------------------------


def test_the_cli_imports_with_a_mapping_file(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "suppliers_nodes.csv").write_text(ERP_NODES, encoding="utf-8")
    (tmp_path / "links_edges.csv").write_text(ERP_EDGES, encoding="utf-8")
    mapping_file = tmp_path / "erp.json"
    mapping_file.write_text(json.dumps(MAPPING), encoding="utf-8")
    db = ["--database-url", database_url]
    files = [str(tmp_path / "suppliers_nodes.csv"), str(tmp_path / "links_edges.csv")]
    new = ["--new", "ERP", "--organisation", "Northwind"]

    assert cli(["import", *files, *new, *db]) == 2  # refused without the mapping
    assert "required column is missing" in capsys.readouterr().err

    assert cli(["import", *files, *new, "--mapping", str(mapping_file), "--dry-run", *db]) == 0
    assert "3 created" in capsys.readouterr().out
    assert cli(["import", *files, *new, "--mapping", str(mapping_file), *db]) == 0
    out = capsys.readouterr().out
    assert "nodes: 3 created" in out and "edges: 2 created" in out

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nodes": {"Type": "category"}}), encoding="utf-8")
    assert cli(["import", *files, "--network", "1", "--mapping", str(bad), *db]) == 2
    assert "--mapping.nodes.Type" in capsys.readouterr().err


def test_the_cli_uses_a_saved_mapping_by_name(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _save(world.analyst_a, "erp", MAPPING).status_code == 201
    network = create_network(world.analyst_a)
    nodes = tmp_path / "suppliers.csv"  # one CSV alone is the node list
    nodes.write_text(ERP_NODES, encoding="utf-8")
    db = ["--database-url", database_url]
    args = ["import", str(nodes), "--network", str(network["id"]), *db]
    assert cli([*args, "--mapping-name", "erp"]) == 0
    assert "nodes: 3 created" in capsys.readouterr().out
    assert cli([*args, "--mapping-name", "missing"]) == 2
    assert "mapping_name" in capsys.readouterr().err


def test_mapping_document_round_trips() -> None:
    mapping = parse_mapping(MAPPING)
    assert parse_mapping(mapping.document()) == mapping
    assert not ColumnMapping() and mapping
