"""Hostile network files: bombs, oversized cells and hidden characters are refused with a 4xx
that says what and where, and nothing is written."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from supplychain import formats
from tests.builders import Actor, World, create_network, edge, network_with, node

HEADER = ["id", "kind", "name", "country"]
BASE_NODES = [node("CO", "company", "Brand", "GB"), node("S1", "supplier", "Factory", "TH")]
BASE_EDGES = [edge("S1", "CO", "supplies")]
NODES_CSV = b"id,kind,name,country\nS2,supplier,Shed,TH\n"


def _network(world: World) -> dict:
    return network_with(world.analyst_a, BASE_NODES, BASE_EDGES)


def _upload(actor: Actor, network: dict, files: dict[str, tuple[str, bytes]]) -> httpx.Response:
    return actor.post(f"/api/v1/networks/{network['id']}/import", files=files)


def _node_names(actor: Actor, network: dict) -> set[str]:
    items = actor.get(f"/api/v1/networks/{network['id']}/nodes").json()["items"]
    return {item["name"] for item in items}


def _refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def _xlsx(rows: list[list[Any]], *, dimension: str | None = None, extra_rows: str = "") -> bytes:
    """A workbook with a 'nodes' sheet of ``rows``; ``dimension`` replaces the one the sheet
    declares, ``extra_rows`` is sheet XML added after the rows (a cell far off, say)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "nodes"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = content.decode()
                if dimension:
                    start = text.index('<dimension ref="') + len('<dimension ref="')
                    text = text[:start] + dimension + text[text.index('"', start) :]
                text = text.replace("</sheetData>", extra_rows + "</sheetData>")
                content = text.encode()
            archive.writestr(name, content)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# XLSX -----------------------------------------------------------------------------------------


def test_a_sheet_declaring_every_cell_with_one_in_the_far_corner_is_refused(world: World) -> None:
    """The 4.7 KB workbook that kept a core busy for minutes: refused by its row count, read
    from the rows present rather than padded to the declared dimension."""
    network = _network(world)
    bomb = _xlsx(
        [HEADER],
        dimension="A1:XFD1048576",
        extra_rows='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )
    assert len(bomb) < 10_000
    problem = _refused(_upload(world.analyst_a, network, {"file": ("n.xlsx", bomb)}), 413)
    assert "n.xlsx:nodes has more than 1,000,000 rows" in problem["detail"]
    assert problem["errors"] == [
        {"file": "n.xlsx:nodes", "message": "has more than 1,000,000 rows"}
    ]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_a_sheet_declaring_a_huge_dimension_is_read_by_the_cells_it_has(world: World) -> None:
    network = _network(world)
    rows = [HEADER, ["S2", "supplier", "Shed", "TH"], ["S3", "supplier", "Cold store", "MY"]]
    workbook = _xlsx(rows, dimension="A1:XFD1048576")
    response = _upload(world.analyst_a, network, {"file": ("n.xlsx", workbook)})
    assert response.status_code == 200, response.text
    assert response.json()["nodes"]["created"] == 2
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory", "Shed", "Cold store"}


def test_a_value_beyond_the_column_limit_is_refused_naming_sheet_and_row(world: World) -> None:
    network = _network(world)
    far = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
    workbook = _xlsx([HEADER, ["S2", "supplier", "Shed", "TH"]], extra_rows=far)
    problem = _refused(_upload(world.analyst_a, network, {"file": ("n.xlsx", workbook)}), 422)
    assert problem["errors"] == [
        {"file": "n.xlsx:nodes", "row": 3, "message": "a value beyond column 1,000"}
    ]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_a_header_wider_than_the_column_limit_is_refused(world: World) -> None:
    network = _network(world)
    wide = [*HEADER, *(f"c{i}" for i in range(formats.MAX_COLUMNS))]
    problem = _refused(_upload(world.analyst_a, network, {"file": ("n.xlsx", _xlsx([wide]))}), 422)
    assert "n.xlsx:nodes has 1,004 columns" in problem["detail"]
    assert problem["errors"][0]["row"] == 1


# ZIP and CSV ----------------------------------------------------------------------------------


def test_a_zip_member_past_the_uncompressed_limit_is_refused_by_name(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "MAX_UNCOMPRESSED_BYTES", 100_000)
    network = _network(world)
    nodes = NODES_CSV + b"S3,supplier,Shed,TH\n" * 10_000  # 200 KB, a few hundred zipped
    archive = _zip({"nodes.csv": nodes})
    assert len(archive) < 5_000
    problem = _refused(_upload(world.analyst_a, network, {"file": ("n.zip", archive)}), 413)
    assert "nodes.csv in n.zip" in problem["detail"] and "100,000 bytes" in problem["detail"]
    assert [e["file"] for e in problem["errors"]] == ["nodes.csv"]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_a_zip_member_larger_than_it_declares_is_refused(world: World) -> None:
    """Declared sizes are claims: a member inflating past its own is never read to the end."""
    network = _network(world)
    archive = bytearray(_zip({"nodes.csv": NODES_CSV + b"S3,supplier,Shed,TH\n" * 50_000}))
    directory = archive.rfind(b"PK\x01\x02")
    struct.pack_into("<I", archive, directory + 24, 100)  # central directory: 100 bytes
    struct.pack_into("<I", archive, 22, 100)  # local header too
    response = _upload(world.analyst_a, network, {"file": ("n.zip", bytes(archive))})
    problem = _refused(response, 400)
    assert "nodes.csv in n.zip cannot be read" in problem["detail"]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_a_csv_is_counted_while_read(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_UNCOMPRESSED_BYTES", 10_000)
    network = _network(world)
    nodes = NODES_CSV + b"S3,supplier,Shed,TH\n" * 1_000
    problem = _refused(_upload(world.analyst_a, network, {"nodes": ("nodes.csv", nodes)}), 413)
    assert problem["errors"] == [{"file": "nodes.csv", "message": "is more than 10,000 bytes"}]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_past_the_row_limit_are_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(formats, "MAX_ROWS", 5)
    network = _network(world)
    rows = [["S2", "supplier", f"Shed {i}", "TH"] for i in range(6)]
    if fmt == "csv":
        content = "\n".join(",".join(row) for row in [HEADER, *rows]).encode()
        files, where = {"nodes": ("nodes.csv", content)}, "nodes.csv"
    else:
        files, where = {"file": ("n.xlsx", _xlsx([HEADER, *rows]))}, "n.xlsx:nodes"
    problem = _refused(_upload(world.analyst_a, network, files), 413)
    assert problem["errors"] == [{"file": where, "message": "has more than 5 rows"}]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


@pytest.mark.parametrize("row", [1, 3])
def test_a_cell_longer_than_the_csv_field_limit_is_a_400_naming_file_and_row(
    world: World, row: int
) -> None:
    network = _network(world)
    huge = "x" * 140_000
    lines = ["id,kind,name,country", "S2,supplier,Shed,TH", f"S3,supplier,{huge},TH"]
    if row == 1:
        lines[0] += f",{huge}"
    content = "\n".join(lines).encode()
    problem = _refused(_upload(world.analyst_a, network, {"nodes": ("nodes.csv", content)}), 400)
    assert f"nodes.csv is not valid CSV near row {row}" in problem["detail"]
    message = "a cell is longer than 131,072 characters"
    assert problem["errors"] == [{"file": "nodes.csv", "row": row, "message": message}]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


# Hidden characters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Gulf\x07Processing", "must not contain control characters (found U+0007)"),
        ("Gulf\tProcessing", "must not contain control characters (found U+0009)"),
        ("Gulf\x85Processing", "must not contain control characters (found U+0085)"),
        (
            "invoice\u202efdp.exe",
            "must not contain bidirectional-override characters (found U+202E)",
        ),
        (
            "Gulf\u2067Processing",
            "must not contain bidirectional-override characters (found U+2067)",
        ),
    ],
)
def test_hidden_characters_in_a_name_are_refused_on_import(
    world: World, name: str, message: str
) -> None:
    network = _network(world)
    content = f'id,kind,name,country\nS2,supplier,Shed,TH\nS3,supplier,"{name}",TH\n'.encode()
    problem = _refused(_upload(world.analyst_a, network, {"nodes": ("nodes.csv", content)}), 422)
    assert problem["errors"] == [
        {"file": "nodes.csv", "row": 3, "column": "name", "value": name, "message": message}
    ]
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import",
        json={"nodes": [node("S3", "supplier", name)], "edges": []},
    )
    errors = _refused(response, 422)["errors"]
    assert [(e["file"], e["index"], e["column"]) for e in errors] == [("nodes", 0, "name")]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_hidden_characters_in_ids_licences_and_attributes_are_refused(world: World) -> None:
    network = _network(world)
    nodes = [
        node("S\x1b2", "supplier", "Shed"),
        node("R1", "recruiter", "Agent", role="sub_agent", licence="TH\u202e-1"),
        node("S3", "supplier", "Store", notes="bell\x07"),
        {**node("S4", "supplier", "Pier"), "no\x07tes": "x"},
    ]
    response = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import", json={"nodes": nodes, "edges": []}
    )
    errors = _refused(response, 422)["errors"]
    assert [(e["index"], e["column"]) for e in errors] == [
        (0, "id"),
        (1, "licence"),
        (2, "notes"),
        (3, "no\x07tes"),
    ]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_notes_keep_their_tabs_and_line_breaks(world: World) -> None:
    network = _network(world)
    content = b'id,kind,name,country,notes\nS2,supplier,Shed,TH,"first\tsecond\r\nthird"\n'
    response = _upload(world.analyst_a, network, {"nodes": ("nodes.csv", content)})
    assert response.status_code == 200, response.text
    items = world.analyst_a.get(f"/api/v1/networks/{network['id']}/nodes").json()["items"]
    shed = next(item for item in items if item["external_id"] == "S2")
    assert shed["attributes"] == {"notes": "first\tsecond\r\nthird"}


def test_node_and_edge_crud_refuse_hidden_characters(world: World) -> None:
    network = _network(world)
    base = f"/api/v1/networks/{network['id']}"
    for body, field in (
        ({**node("S2", "supplier", "Shed\x07"), "external_id": "S2"}, "name"),
        ({**node("S2", "supplier", "Shed"), "external_id": "S2\u202e"}, "external_id"),
        ({**node("S2", "supplier", "Shed"), "external_id": "S2", "attributes": {"n": "\x07"}}, ""),
    ):
        body.pop("id")
        response = world.analyst_a.post(f"{base}/nodes", json=body)
        errors = _refused(response, 422)["errors"]
        assert [e["field"] for e in errors] == [field or "attributes"], errors
    items = world.analyst_a.get(f"{base}/nodes").json()["items"]
    factory = next(item for item in items if item["external_id"] == "S1")
    response = world.analyst_a.patch(
        f"{base}/nodes/{factory['id']}", json={"name": "invoice\u202efdp.exe"}
    )
    errors = _refused(response, 422)["errors"]
    assert [e["field"] for e in errors] == ["name"]
    assert "bidirectional-override" in errors[0]["message"]
    edge_id = world.analyst_a.get(f"{base}/edges").json()["items"][0]["id"]
    response = world.analyst_a.patch(
        f"{base}/edges/{edge_id}", json={"attributes": {"note\u202e": "x"}}
    )
    assert [e["field"] for e in _refused(response, 422)["errors"]] == ["attributes"]
    assert _node_names(world.analyst_a, network) == {"Brand", "Factory"}


def test_exported_column_names_are_escaped_and_round_trip(world: World) -> None:
    hostile = {**node("S2", "supplier", "Shed"), "=cmd": "value"}
    network = network_with(world.analyst_a, [*BASE_NODES, hostile], BASE_EDGES)
    exported = world.analyst_a.get(
        f"/api/v1/networks/{network['id']}/export", params={"format": "csv"}
    ).content
    header = zipfile.ZipFile(io.BytesIO(exported)).read("nodes.csv").split(b"\r\n")[0]
    assert header.endswith(b",'=cmd")
    copy = create_network(world.analyst_a, "copy")
    assert _upload(world.analyst_a, copy, {"file": ("n.zip", exported)}).status_code == 200
    items = world.analyst_a.get(f"/api/v1/networks/{copy['id']}/nodes").json()["items"]
    assert next(i for i in items if i["external_id"] == "S2")["attributes"] == {"=cmd": "value"}
