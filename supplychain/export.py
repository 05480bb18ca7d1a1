"""Writing a network out in the formats it can be imported from, plus GraphML for Gephi/yEd.

Exports use the import column names, so an exported file can be edited and imported again.
Every text written to a CSV, XLSX or GraphML file, column names included, goes through
``core.spreadsheet.escape_cell`` or ``core.text.xml_safe``: one control character stored before
input was checked must not fail every XLSX export or make the GraphML malformed. The JSON export
is left exact: JSON escapes every control character itself.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import networkx as nx

from core.spreadsheet import escape_cell
from core.text import xml_safe
from supplychain.models import Network
from supplychain.rules import EDGE_COLUMNS, NODE_COLUMNS, EdgeRecord, NodeRecord
from supplychain.service import StoredState


def node_row(record: NodeRecord) -> dict[str, Any]:
    values = record.values()
    row: dict[str, Any] = {"id": values.pop("external_id")}
    attributes = values.pop("attributes") or {}
    row.update(values)
    for key, value in attributes.items():
        if key not in row:
            row[key] = value
    return row


def edge_row(record: EdgeRecord) -> dict[str, Any]:
    values = record.values()
    attributes = values.pop("attributes") or {}
    row: dict[str, Any] = {"source": record.source, "target": record.target, **values}
    for key, value in attributes.items():
        if key not in row:
            row[key] = value
    return row


def _rows(state: StoredState) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [node_row(record) for record in state.node_records()]
    edges = [edge_row(record) for record in state.edge_records()]
    return nodes, edges


def to_json(network: Network, state: StoredState) -> dict[str, Any]:
    nodes, edges = _rows(state)
    compact_nodes = [{k: v for k, v in row.items() if v is not None} for row in nodes]
    compact_edges = [{k: v for k, v in row.items() if v is not None} for row in edges]
    return {
        "network": {
            "name": network.name,
            "description": network.description,
            "version": network.version,
        },
        "nodes": compact_nodes,
        "edges": compact_edges,
    }


def _columns(base: tuple[str, ...], rows: list[dict[str, Any]]) -> list[str]:
    extra = sorted({key for row in rows for key in row} - set(base))
    return [*base, *extra]


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return escape_cell(json.dumps(value, ensure_ascii=False))
    return escape_cell(value)


def _header(columns: list[str]) -> list[str]:
    """Column names are text from the file too (attribute names): escaped like any cell."""
    return [escape_cell(column) for column in columns]


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_header(columns))
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def to_csv_zip(state: StoredState) -> bytes:
    nodes, edges = _rows(state)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", _csv(_columns(NODE_COLUMNS, nodes), nodes))
        archive.writestr("edges.csv", _csv(_columns(EDGE_COLUMNS, edges), edges))
    return buffer.getvalue()


def to_xlsx(state: StoredState) -> bytes:
    from openpyxl import Workbook

    nodes, edges = _rows(state)
    workbook = Workbook(write_only=True)
    for title, base, rows in (("nodes", NODE_COLUMNS, nodes), ("edges", EDGE_COLUMNS, edges)):
        sheet = workbook.create_sheet(title)
        columns = _columns(base, rows)
        sheet.append(_header(columns))
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _graphml_value(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return xml_safe(value)
    return xml_safe(json.dumps(value, ensure_ascii=False))


def _graphml_attributes(row: dict[str, Any]) -> dict[str, Any]:
    return {xml_safe(k): _graphml_value(v) for k, v in row.items() if v is not None}


def to_graphml(network: Network, state: StoredState) -> bytes:
    """GraphML keyed by the user's own ids; empty values are left out (GraphML has no null)."""
    graph = nx.MultiDiGraph(name=xml_safe(network.name))
    for record in state.node_records():
        row = node_row(record)
        ident = xml_safe(row.pop("id"))
        graph.add_node(ident, **_graphml_attributes(row))
    for edge in state.edge_records():
        row = edge_row(edge)
        source, target = xml_safe(row.pop("source")), xml_safe(row.pop("target"))
        graph.add_edge(source, target, key=edge.kind.value, **_graphml_attributes(row))
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buffer.getvalue()


EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("application/json", "json"),
    "csv": ("application/zip", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "graphml": ("application/graphml+xml", "graphml"),
}


def stream_json(network: Network, state: StoredState, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The JSON export in pieces of about ``chunk`` bytes, byte for byte what ``render`` gives:
    a 100,000-node network is never held as one 40 MB string."""
    pieces: list[str] = []
    size = 0
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1)
    for piece in encoder.iterencode(to_json(network, state)):
        pieces.append(piece)
        size += len(piece)
        if size >= chunk:
            yield "".join(pieces).encode()
            pieces, size = [], 0
    if pieces:
        yield "".join(pieces).encode()


def render(network: Network, state: StoredState, fmt: str) -> tuple[bytes, str, str]:
    """The exported file as (content, media type, file extension)."""
    if fmt == "json":
        content = json.dumps(to_json(network, state), ensure_ascii=False, indent=1).encode()
    elif fmt == "csv":
        content = to_csv_zip(state)
    elif fmt == "xlsx":
        content = to_xlsx(state)
    elif fmt == "graphml":
        content = to_graphml(network, state)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    media, extension = EXPORT_FORMATS[fmt]
    return content, media, extension
