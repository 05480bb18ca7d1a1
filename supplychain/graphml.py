"""Reading GraphML as Fairpath, NetworkX, Gephi and yEd write it, into import rows.

Read here rather than by ``networkx.read_graphml``, which gets three things wrong for an
import: an edge naming an undeclared node silently adds that node (then refused for its missing
kind, name and country, though the file never had it); a key's ``<default>`` is never applied
to the nodes that leave it out (yEd declares custom properties that way); and keys are looked
up by id alone, while NetworkX's own writer (so Fairpath's export) gives a node key and an edge
key of the same name the same id. Each data value is read by the key declared for its kind of
element, typed as the key says, and what only Gephi and yEd draw with is dropped
(``supplychain.graph_rows``).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, NoReturn

from core.errors import BadRequest
from core.problems import Location, Problems
from supplychain.formats import (
    MAX_ROWS,
    RawNetwork,
    RawRow,
    _too_large,
    normalise_header,
)
from supplychain.graph_rows import (
    GEPHI_EDGE_KEYS,
    GEPHI_NODE_KEYS,
    edge_location,
    edge_row,
    node_location,
    node_row,
)

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
_NUMBERS = {"int": "whole number", "long": "whole number", "float": "number", "double": "number"}


@dataclass(frozen=True)
class _Key:
    """One ``<key>``: the attribute it names (normalised), its type, yEd's graphics type."""

    name: str
    type: str
    yfiles: str | None
    default: str | None


def _local(tag: Any) -> str:
    """An element's name without its namespace: Gephi, yEd and NetworkX all write GraphML's,
    and a hand-written file may leave it out."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _keys(root: ET.Element) -> dict[tuple[str, str], _Key]:
    """The declared keys by (domain, id): GraphML says ids are unique, but NetworkX's writer
    gives ``<key id="name" for="node">`` and ``<key id="name" for="graph">`` alike."""
    keys: dict[tuple[str, str], _Key] = {}
    for element in _children(root, "key"):
        ident = element.get("id") or ""
        default = next(iter(_children(element, "default")), None)
        keys[(element.get("for") or "all", ident)] = _Key(
            name=normalise_header(element.get("attr.name") or ident),
            type=(element.get("attr.type") or "string").lower(),
            yfiles=element.get("yfiles.type"),
            default=None if default is None else (default.text or ""),
        )
    return keys


def _label(data: ET.Element, yfiles: str) -> str | None:
    """The text yEd shows on a node or an edge: the first non-empty label of its graphics."""
    wanted = "NodeLabel" if yfiles == "nodegraphics" else "EdgeLabel"
    for element in data.iter():
        if _local(element.tag) == wanted and element.text and element.text.strip():
            return element.text.strip()
    return None


def _typed(key: _Key, text: str) -> tuple[Any, str | None]:
    """A value as its key's type says, or the reason it is not one (a blank is no value)."""
    if key.type in _NUMBERS:
        stripped = text.strip()
        if not stripped:
            return None, None
        try:
            number = float(stripped) if key.type in ("float", "double") else int(stripped)
        except ValueError:
            return text, f"must be a {_NUMBERS[key.type]}, as its GraphML key declares"
        if isinstance(number, float) and not math.isfinite(number):
            return text, "must be a finite number"
        return number, None
    if key.type == "boolean":
        if not text.strip():
            return None, None
        value = _BOOLEANS.get(text.strip().lower())
        if value is None:
            return text, "must be true or false, as its GraphML key declares"
        return value, None
    return text, None


class _Reader:
    """One file's keys, and what its elements' data mean."""

    def __init__(self, root: ET.Element, file: str, problems: Problems) -> None:
        self.keys = _keys(root)
        self.file = file
        self.problems = problems
        # yEd declares its graphics as keys with a ``yfiles.type``; Gephi always writes a node
        # key "label" and an edge key "weight" (with its positions, colours and sizes).
        self.yed = any(key.yfiles for key in self.keys.values())
        self.gephi = ("node", "label") in self.keys and any(
            domain in ("edge", "all") and key.name == "weight"
            for (domain, _ident), key in self.keys.items()
        )
        # What a node or an edge holds where it leaves a key out (yEd declares its custom
        # properties with their defaults), worked out once rather than per element.
        self.defaults = {
            domain: {
                key.name: _typed(key, key.default)[0]
                for (key_domain, _ident), key in self.keys.items()
                if key_domain in (domain, "all") and key.default is not None and not key.yfiles
            }
            for domain in ("node", "edge")
        }

    def _key(self, domain: str, ident: str) -> _Key | None:
        return self.keys.get((domain, ident)) or self.keys.get(("all", ident))

    def data(
        self, element: ET.Element, domain: str, location: Location
    ) -> tuple[dict[str, Any], str | None]:
        """An element's attributes by name (its keys' defaults first) and its yEd label."""
        attributes = dict(self.defaults[domain])
        label = None
        for data in _children(element, "data"):
            ident = data.get("key") or ""
            found = self._key(domain, ident)
            if found is None:
                self.problems.add(location, ident, f"no <key> is declared for this {domain} data")
                continue
            key = found
            if key.yfiles:
                if key.yfiles in ("nodegraphics", "edgegraphics"):
                    label = _label(data, key.yfiles) or label
                continue
            value, problem = _typed(key, data.text or "")
            if problem:
                self.problems.add(location, key.name, problem, value)
                continue
            attributes[key.name] = value
        return attributes, label

    def node(self, element: ET.Element, index: int) -> tuple[RawRow, Location] | None:
        ident = element.get("id")
        location = node_location(f"{self.file}:nodes", index, ident)
        if not ident:
            self.problems.add(location, "id", "a <node> without an id")
            return None
        attributes, label = self.data(element, "node", location)
        drop: frozenset[str] = frozenset()
        if self.gephi:
            label, drop = attributes.get("label"), GEPHI_NODE_KEYS
        elif not self.yed and "label" in attributes and "name" not in attributes:
            label, drop = attributes["label"], frozenset({"label"})  # NetworkX users' name
        return node_row(ident, attributes, label=label, drop=drop), location

    def edge(self, element: ET.Element, index: int) -> tuple[RawRow, Location] | None:
        source, target = element.get("source"), element.get("target")
        location = edge_location(f"{self.file}:edges", index, source, target)
        for end, value in (("source", source), ("target", target)):
            if not value:
                self.problems.add(location, end, f"an <edge> without a {end}")
        if not source or not target:
            return None
        attributes, label = self.data(element, "edge", location)
        drop: frozenset[str] = frozenset()
        if self.gephi:
            label = attributes.get("edge_label") or attributes.get("label")
            drop = GEPHI_EDGE_KEYS
        # A tool numbers its edges; only Fairpath's (and NetworkX's) GraphML keys them by kind.
        key = None if self.gephi or self.yed else element.get("id")
        return edge_row(source, target, attributes, label=label, key=key, drop=drop), location


class _Declared(Exception):
    """A DOCTYPE: GraphML needs none, and the entities declared in one are how an XML file of
    a few kilobytes expands to gigabytes."""


class _Builder(ET.TreeBuilder):
    """ElementTree's own (C) tree builder, refusing a DOCTYPE the moment the parser meets it,
    before any entity in it is declared: a check of the bytes for "<!DOCTYPE" would miss a
    UTF-16 file, the parser does not."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> NoReturn:
        raise _Declared


def _parse(data: bytes, file: str) -> ET.Element:
    parser = ET.XMLParser(target=_Builder())  # noqa: S314 - a DOCTYPE is refused (_Builder)
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except _Declared as exc:
        raise BadRequest(f"{file}: GraphML with a DOCTYPE or entities is not accepted") from exc
    except ET.ParseError as exc:
        raise BadRequest(f"{file} is not readable GraphML: {exc}") from exc
    return root


def read_graphml(data: bytes, file: str, problems: Problems) -> RawNetwork:
    """Every ``<node>`` and ``<edge>`` of the file, nested yEd groups included, as rows."""
    root = _parse(data, file)
    if _local(root.tag) != "graphml":
        raise BadRequest(
            f"{file} is not GraphML: its root element is <{_local(root.tag)}>, not <graphml>"
        )
    if any(_local(element.tag) == "hyperedge" for element in root.iter()):
        raise BadRequest(f"{file}: GraphML hyperedges are not supported; use edges")
    reader = _Reader(root, file, problems)
    nodes: list[tuple[RawRow, Location]] = []
    edges: list[tuple[RawRow, Location]] = []
    counts = {"node": 0, "edge": 0}
    for element in root.iter():
        name = _local(element.tag)
        if name not in counts:
            continue
        index = counts[name]
        if index >= MAX_ROWS:
            raise _too_large(f"{file}:{name}s", f"has more than {MAX_ROWS:,} {name}s")
        counts[name] += 1
        if name == "node":
            node = reader.node(element, index)
            if node is not None:
                nodes.append(node)
        else:
            edge = reader.edge(element, index)
            if edge is not None:
                edges.append(edge)
    return RawNetwork(nodes=nodes, edges=edges, sources=[file])
