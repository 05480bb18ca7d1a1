"""Open Supply Hub facility lists imported as supplier nodes, the OS ID kept as their id."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from api.cli import main as cli
from core.problems import Location, Problems
from supplychain import open_supply_hub
from tests.builders import Actor, World, create_network, import_json, node

# Illustrative only: invented facilities in the shape of an OS Hub download (its header row,
# a contributor list, worker bands, a blank count), not real OS IDs or companies.
FACILITIES = "\n".join(
    [
        "os_id,contribution_date,name,address,country_code,country_name,lat,lng,sector,"
        "contributor (list),number_of_workers,parent_company,facility_type,processing_type,"
        "product_type,is_closed",
        'BD2024001ABCD01,2024-03-01,Dhaka Knit Composite Ltd,"Plot 12, Gazipur, Dhaka 1700",'
        "BD,Bangladesh,23.99,90.42,Apparel,Example Brand A|Example Brand B,1001-5000,"
        "Example Textile Group,Final Product Assembly,Cutting|Sewing,Knitwear|T-shirts,False",
        "TH2024002EFGH02,2024-03-01,Samut Sakhon Seafood Co,"
        '"88 Moo 2, Mueang Samut Sakhon 74000",TH,Thailand,13.55,100.27,Seafood Processing,'
        "Example Retailer C,500,,Processing,Peeling,Shrimp,False",
        'MY2024003IJKL03,2024-03-02,Penang Gloves Sdn Bhd,"Lot 5, Bayan Lepas, 11900 Penang",'
        ",Malaysia,5.30,100.28,Rubber Products,Example Brand A,,Example Holdings Berhad,"
        "Manufacturing,Dipping,Rubber gloves,False",
        "",
    ]
)


def _url(network: dict[str, Any]) -> str:
    return f"/api/v1/networks/{network['id']}"


def _upload(actor: Actor, network: dict[str, Any], csv: str, **params: Any) -> httpx.Response:
    return actor.post(
        f"{_url(network)}/import",
        files={"nodes": ("osh_facilities.csv", csv.encode())},
        params=params,
    )


def _nodes(actor: Actor, network: dict[str, Any]) -> dict[str, dict[str, Any]]:
    items = actor.get(f"{_url(network)}/nodes", params={"limit": 500}).json()["items"]
    return {n["external_id"]: n for n in items}


def test_facilities_become_supplier_nodes_with_their_os_ids(world: World) -> None:
    network = create_network(world.analyst_a)
    response = _upload(world.analyst_a, network, FACILITIES)
    assert response.status_code == 200, response.text
    assert response.json()["nodes"]["created"] == 3
    assert response.json()["edges"]["created"] == 0  # a facility list has no relationships
    nodes = _nodes(world.analyst_a, network)
    assert {k: (n["kind"], n["country"], n["workers"], n["sector"]) for k, n in nodes.items()} == {
        "BD2024001ABCD01": ("supplier", "BD", None, "garments"),  # a band: count unknown
        "TH2024002EFGH02": ("supplier", "TH", 500, "seafood_processing"),
        "MY2024003IJKL03": ("supplier", "MY", None, None),  # country from its name
    }
    dhaka = nodes["BD2024001ABCD01"]
    assert dhaka["name"] == "Dhaka Knit Composite Ltd"
    assert dhaka["products"] == "Knitwear; T-shirts"
    assert dhaka["attributes"]["os_id"] == "BD2024001ABCD01"
    assert dhaka["attributes"]["number_of_workers"] == "1001-5000"
    assert dhaka["attributes"]["parent_company"] == "Example Textile Group"
    assert dhaka["attributes"]["osh_sector"] == "Apparel"
    assert dhaka["attributes"]["contributors"] == "Example Brand A|Example Brand B"
    assert "number_of_workers" not in nodes["MY2024003IJKL03"]["attributes"]  # blank: unknown
    assert nodes["MY2024003IJKL03"]["attributes"]["osh_sector"] == "Rubber Products"

    one = world.viewer_a.get(f"{_url(network)}/nodes/{dhaka['id']}").json()
    assert (one["external_id"], one["attributes"]["os_id"]) == ("BD2024001ABCD01",) * 2
    exported = world.analyst_a.get(f"{_url(network)}/export", params={"format": "json"}).json()
    by_id = {n["id"]: n for n in exported["nodes"]}
    assert by_id["TH2024002EFGH02"]["os_id"] == "TH2024002EFGH02"


def test_a_newer_download_updates_the_same_nodes(world: World) -> None:
    network = create_network(world.analyst_a)
    assert _upload(world.analyst_a, network, FACILITIES).status_code == 200
    newer = FACILITIES.replace(",500,", ",650,")
    result = _upload(world.analyst_a, network, newer).json()
    assert result["nodes"] == {"created": 0, "updated": 1, "unchanged": 2, "deleted": 0}
    assert _nodes(world.analyst_a, network)["TH2024002EFGH02"]["workers"] == 650


def test_an_unknown_country_names_the_row_and_the_column(world: World) -> None:
    network = create_network(world.analyst_a)
    bad = FACILITIES.replace(",TH,Thailand,", ",XX,Atlantis,")
    response = _upload(world.analyst_a, network, bad)
    assert response.status_code == 422, response.text
    assert [(e["file"], e["row"], e["column"], e["value"]) for e in response.json()["errors"]] == [
        ("osh_facilities.csv", 3, "country_code", "XX")
    ]
    assert _nodes(world.analyst_a, network) == {}


def test_a_missing_os_id_or_duplicate_is_reported_in_os_id(world: World) -> None:
    network = create_network(world.analyst_a)
    bad = FACILITIES.replace("TH2024002EFGH02", "").replace("MY2024003IJKL03", "BD2024001ABCD01")
    response = _upload(world.analyst_a, network, bad)
    assert response.status_code == 422, response.text
    found = [(e["row"], e["column"], e["message"]) for e in response.json()["errors"]]
    assert (3, "os_id", "required, but empty") in found
    assert (4, "os_id", "duplicate id (first used on row 2)") in found


def test_a_dry_run_equals_the_import(world: World) -> None:
    network = create_network(world.analyst_a)
    dry = _upload(world.analyst_a, network, FACILITIES, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert _nodes(world.analyst_a, network) == {}
    real = _upload(world.analyst_a, network, FACILITIES)
    assert (dry.json()["nodes"], dry.json()["edges"]) == (
        real.json()["nodes"],
        real.json()["edges"],
    )
    assert real.json()["nodes"]["created"] == 3


def test_facilities_join_a_network_the_buyer_then_links(world: World) -> None:
    network = create_network(world.analyst_a)
    response = import_json(world.analyst_a, network["id"], [node("CO", "company", "Brand")], [])
    assert response.status_code == 200, response.text
    assert _upload(world.analyst_a, network, FACILITIES).status_code == 200
    link = {"source": "BD2024001ABCD01", "target": "CO", "kind": "supplies"}
    assert world.analyst_a.post(f"{_url(network)}/edges", json=link).status_code == 201
    assert set(_nodes(world.analyst_a, network)) == {
        "CO",
        "BD2024001ABCD01",
        "TH2024002EFGH02",
        "MY2024003IJKL03",
    }


def test_a_fairpath_nodes_file_with_an_os_id_column_is_not_a_facility_list(world: World) -> None:
    network = create_network(world.analyst_a)
    csv = "id,kind,name,country,os_id\nS1,supplier,Gulf,TH,TH2024002EFGH02\n"
    assert _upload(world.analyst_a, network, csv).status_code == 200
    assert _nodes(world.analyst_a, network)["S1"]["attributes"] == {"os_id": "TH2024002EFGH02"}


def test_the_cli_imports_a_facility_list(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "facilities.csv"
    path.write_text(FACILITIES, encoding="utf-8")
    db = ["--database-url", database_url]
    assert cli(["import", str(path), "--new", "OSH", "--organisation", "Brand", *db]) == 0
    assert "nodes: 3 created" in capsys.readouterr().out
    exported = tmp_path / "out.json"
    assert cli(["export", "--network", "1", "-o", str(exported), *db]) == 0
    ids = {n["id"] for n in json.loads(exported.read_text())["nodes"]}
    assert ids == {"BD2024001ABCD01", "TH2024002EFGH02", "MY2024003IJKL03"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("500", (500, None)),
        ("1,200", (1200, None)),
        ("1001-5000", (None, "1001-5000")),
        ("1001 - 5000", (None, "1001 - 5000")),
        ("250-250", (250, None)),
        ("Less than 1000", (None, "Less than 1000")),
        ("100|100", (100, None)),
        ("100|2000", (None, "100|2000")),
        ("", (None, None)),
        (None, (None, None)),
        (0, (0, None)),
    ],
)
def test_worker_counts_are_kept_exact_or_as_the_band_given(
    given: Any, expected: tuple[int | None, str | None]
) -> None:
    assert open_supply_hub.workers_of(given) == expected


def test_recognition_and_sectors() -> None:
    assert open_supply_hub.is_facility_list(["os_id", "name", "country_code"])
    assert not open_supply_hub.is_facility_list(["os_id", "name"])
    assert not open_supply_hub.is_facility_list(["id", "kind", "name", "country", "os_id"])
    assert open_supply_hub.sector_of("Food & Beverage|Textiles") == "textiles"
    assert open_supply_hub.sector_of("Food & Beverage") is None
    problems = Problems()
    row = {"os_id": "X1", "name": "N", "country_name": "Viet Nam"}
    assert open_supply_hub.facility_node(row, Location(file="f", row=2), problems) == {
        "id": "X1",
        "kind": "supplier",
        "name": "N",
        "country": "VN",
        "os_id": "X1",
    }
    assert not problems


def test_a_facility_list_sent_as_the_one_file_or_as_a_one_sheet_workbook(world: World) -> None:
    """An OS Hub download is one CSV, or one sheet named as OS Hub names it: both are the
    nodes file, as `fairpath import facilities.csv` reads it."""
    as_file = create_network(world.analyst_a, "One file")
    sent = world.analyst_a.post(
        f"{_url(as_file)}/import", files={"file": ("facilities.csv", FACILITIES.encode())}
    )
    assert sent.status_code == 200, sent.text
    assert sorted(_nodes(world.analyst_a, as_file)) == [
        "BD2024001ABCD01",
        "MY2024003IJKL03",
        "TH2024002EFGH02",
    ]

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Facilities"
    for line in csv.reader(io.StringIO(FACILITIES)):
        if line:
            sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    as_sheet = create_network(world.analyst_a, "One sheet")
    sent = world.analyst_a.post(
        f"{_url(as_sheet)}/import",
        files={"file": ("facilities.xlsx", buffer.getvalue())},
    )
    assert sent.status_code == 200, sent.text
    nodes = _nodes(world.analyst_a, as_sheet)
    assert nodes["TH2024002EFGH02"]["workers"] == 500
    assert nodes["BD2024001ABCD01"]["attributes"]["os_id"] == "BD2024001ABCD01"
