"""Reading NetworkX node-link JSON (``networkx.node_link_data``) into import rows.

The shape is close to Fairpath's own JSON (``nodes`` and edges with ``source``/``target``),
but NetworkX adds ``directed``, ``multigraph`` and ``graph``, calls the edges ``links`` before
3.4 and ``edges`` from it, and keys a multigraph's parallel edges with ``key``. Those keys are
what tells the two apart; each node and edge then becomes a row as a GraphML one does
(``supplychain.graph_rows``), so the rules that read them are the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import InvalidInput
from core.problems import Location, Problems
from supplychain.formats import MAX_ROWS, RawNetwork, RawRow, _too_large, normalise_header
from supplychain.graph_rows import edge_location, edge_row, is_blank, node_location, node_row

NODE_LINK_KEYS = frozenset({"directed", "multigraph", "graph", "nodes", "links", "edges"})
_MARKS = frozenset({"directed", "multigraph", "graph", "links"})


def is_node_link(document: Mapping[str, Any]) -> bool:
    """True for what ``node_link_data`` writes: Fairpath's own JSON never has these keys."""
    return bool(_MARKS & set(document))


def _items(
    document: Mapping[str, Any], section: str, problems: Problems
) -> list[tuple[int, Mapping[str, Any]]]:
    items = document.get(section, [])
    if not isinstance(items, list):
        problems.add(Location(file=section), None, "must be an array")
        return []
    if len(items) > MAX_ROWS:
        raise _too_large(section, f"has more than {MAX_ROWS:,} items")
    objects: list[tuple[int, Mapping[str, Any]]] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            objects.append((index, item))
        else:
            problems.add(Location(file=section, index=index), None, "must be an object")
    return objects


def _attributes(item: Mapping[str, Any], *leave_out: str) -> dict[str, Any]:
    return {normalise_header(k): v for k, v in item.items() if k not in leave_out}


def network_from_node_link(
    document: Mapping[str, Any], problems: Problems, file: str = "body"
) -> RawNetwork:
    """The rows of a node-link document; problems are placed by section and index (the
    section named as the file names it, ``links`` or ``edges``) and by the node's id."""
    unknown = set(document) - NODE_LINK_KEYS
    if unknown:
        raise InvalidInput(
            f"{file} has unknown top-level keys for NetworkX node-link JSON",
            errors=[{"field": key, "message": "unknown key"} for key in sorted(unknown)],
        )
    if "links" in document and "edges" in document:
        raise InvalidInput(
            f'{file} has both "links" and "edges"; node-link JSON has one of them',
            errors=[{"field": "links", "message": 'send the edges once, as "edges"'}],
        )
    section = "links" if "links" in document else "edges"
    nodes: list[tuple[RawRow, Location]] = []
    for index, item in _items(document, "nodes", problems):
        ident = item.get("id")
        attributes = _attributes(item, "id")
        label = attributes.get("label")
        # A label standing in for a missing name is not kept as an attribute as well.
        named = is_blank(attributes.get("name")) and not is_blank(label)
        row = node_row(ident, attributes, label=label, drop={"label"} if named else ())
        nodes.append((row, node_location("nodes", index, ident)))
    edges: list[tuple[RawRow, Location]] = []
    for index, item in _items(document, section, problems):
        source, target = item.get("source"), item.get("target")
        row = edge_row(
            source, target, _attributes(item, "source", "target", "key"), key=item.get("key")
        )
        edges.append((row, edge_location(section, index, source, target)))
    return RawNetwork(nodes=nodes, edges=edges, sources=[file])
