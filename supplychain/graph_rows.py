"""What a graph file's node and edge attributes mean in Fairpath's import columns.

GraphML (Fairpath's own, Gephi's, yEd's) and NetworkX node-link JSON describe the same thing
as the spreadsheets: nodes with attributes, edges between them. A tool's attributes arrive
under the tool's names, though: Gephi and yEd keep the human name as a label (Gephi's
``label`` key, yEd's ``NodeLabel``) and number their nodes and edges, and both add what they
draw with (positions, colours, sizes). Here those become the columns the rules read (the
label fills ``name``, an edge's label fills ``kind``), and what only draws is dropped, so every
graph file is then checked by the one set of rules in ``supplychain.rules``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from core.problems import Location
from supplychain.vocabulary import EdgeKind

RawRow = dict[str, Any]

# What Gephi writes for drawing, on nodes and on edges (names as ``normalise_header`` gives
# them): position, colour, size, and the weight and id every Gephi edge carries.
GEPHI_NODE_KEYS = frozenset({"x", "y", "z", "r", "g", "b", "size", "color", "label"})
GEPHI_EDGE_KEYS = frozenset({"r", "g", "b", "color", "weight", "edge_id", "edge_label", "label"})
_EDGE_KINDS = frozenset(kind.value for kind in EdgeKind)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def node_location(file: str, index: int, ident: Any) -> Location:
    """A node of a graph file has no row number: its place in the file and its id say where."""
    return Location(file=file, index=index, label=None if is_blank(ident) else f"node {ident}")


def edge_location(file: str, index: int, source: Any, target: Any) -> Location:
    return Location(file=file, index=index, label=f"edge {source} -> {target}")


def node_row(
    ident: Any,
    attributes: Mapping[str, Any],
    *,
    label: Any = None,
    drop: Collection[str] = (),
) -> RawRow:
    """A node's import row: its attributes under their own names, the file's id as ``id``,
    and ``label`` as the ``name`` when the file gives no name of its own (a Fairpath export
    re-saved by Gephi keeps both: the name is the user's, the label only what Gephi shows)."""
    row: RawRow = {name: value for name, value in attributes.items() if name not in drop}
    if is_blank(row.get("name")) and not is_blank(label):
        row["name"] = label
    row["id"] = ident
    return row


def edge_row(
    source: Any,
    target: Any,
    attributes: Mapping[str, Any],
    *,
    label: Any = None,
    key: Any = None,
    drop: Collection[str] = (),
) -> RawRow:
    """An edge's import row. Its ``kind`` is its own attribute, else its label (what a Gephi
    or yEd user types on an edge), else its key or GraphML id when that names an edge kind
    (Fairpath's own GraphML and a NetworkX multigraph key edges by kind); a numbering id like
    Gephi's "0" is no kind, so the rules then report the kind as missing, on this edge."""
    row: RawRow = {name: value for name, value in attributes.items() if name not in drop}
    if is_blank(row.get("kind")):
        if not is_blank(label):
            row["kind"] = label
        elif isinstance(key, str) and key.strip().lower() in _EDGE_KINDS:
            row["kind"] = key
    row.update(source=source, target=target)
    return row
