"""The rules a network must satisfy, checked on plain records so that the bulk import, the
single-item API and the tests all enforce exactly the same thing.

Pure: no database. Callers hand in raw rows (CSV strings or JSON values) with their location and
get back normalised records, with every problem collected in a ``Problems``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from core.problems import Location, Problems
from supplychain.countries import resolve_country
from supplychain.vocabulary import (
    ACYCLIC_EDGES,
    EDGE_RULES,
    SECTORS,
    EdgeKind,
    NodeKind,
    RecruiterRole,
    describe_rule,
)

NODE_COLUMNS = (
    "id",
    "kind",
    "name",
    "country",
    "sector",
    "tier",
    "role",
    "workers",
    "migrant_workers",
    "licence",
    "licence_country",
    "origin",
    "destination",
    "products",
    "hs_codes",
    "monthly_wage",
    "wage_currency",
)
NODE_REQUIRED = ("id", "kind", "name", "country")
# Stored node columns besides the id, in the order of ``NodeRecord.row``.
NODE_STORED = (
    "kind",
    "name",
    "country",
    "sector",
    "tier",
    "workers",
    "migrant_workers",
    "role",
    "licence",
    "licence_country",
    "origin",
    "destination",
    "products",
    "hs_codes",
    "monthly_wage",
    "wage_currency",
    "attributes",
)
EDGE_STORED = ("origin", "destination", "workers", "share", "attributes")
EDGE_COLUMNS = ("source", "target", "kind", "origin", "destination", "workers", "share")
EDGE_REQUIRED = ("source", "target", "kind")
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 300
MAX_TEXT_LENGTH = 100
MAX_ATTRIBUTE_LENGTH = 2000
_ID_PATTERN = re.compile(r"^[^\x00-\x1f]+$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


@dataclass
class NodeRecord:
    external_id: str
    kind: NodeKind
    name: str
    country: str
    sector: str | None = None
    tier: int | None = None
    workers: int | None = None
    migrant_workers: int | None = None
    role: RecruiterRole | None = None
    licence: str | None = None
    licence_country: str | None = None
    origin: str | None = None
    destination: str | None = None
    products: str | None = None
    hs_codes: str | None = None
    # What a migrant worker earns a month at this employer (or in this worker group), in
    # ``wage_currency``: turns a survey's "months of earnings" into money owed.
    monthly_wage: float | None = None
    wage_currency: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def row(self) -> tuple[Any, ...]:
        """The stored columns in ``NODE_STORED`` order, for cheap change detection."""
        return (
            self.kind.value,
            self.name,
            self.country,
            self.sector,
            self.tier,
            self.workers,
            self.migrant_workers,
            self.role.value if self.role else None,
            self.licence,
            self.licence_country,
            self.origin,
            self.destination,
            self.products,
            self.hs_codes,
            self.monthly_wage,
            self.wage_currency,
            self.attributes,
        )

    def values(self) -> dict[str, Any]:
        """Column values as stored, for inserts and change detection."""
        return {
            "external_id": self.external_id,
            "kind": self.kind.value,
            "name": self.name,
            "country": self.country,
            "sector": self.sector,
            "tier": self.tier,
            "workers": self.workers,
            "migrant_workers": self.migrant_workers,
            "role": self.role.value if self.role else None,
            "licence": self.licence,
            "licence_country": self.licence_country,
            "origin": self.origin,
            "destination": self.destination,
            "products": self.products,
            "hs_codes": self.hs_codes,
            "monthly_wage": self.monthly_wage,
            "wage_currency": self.wage_currency,
            "attributes": self.attributes,
        }


@dataclass
class EdgeRecord:
    source: str
    target: str
    kind: EdgeKind
    origin: str | None = None
    destination: str | None = None
    workers: int | None = None
    share: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    key: tuple[str, str, EdgeKind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = (self.source, self.target, self.kind)

    def row(self) -> tuple[Any, ...]:
        """The stored columns in ``EDGE_STORED`` order, for cheap change detection."""
        return (self.origin, self.destination, self.workers, self.share, self.attributes)

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "origin": self.origin,
            "destination": self.destination,
            "workers": self.workers,
            "share": self.share,
            "attributes": self.attributes,
        }


# Cell parsing ---------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    return str(value).strip()


class _Cells:
    """Reads typed values out of one raw row, recording a problem for each bad cell."""

    def __init__(self, raw: Mapping[str, Any], location: Location, problems: Problems) -> None:
        self.raw = raw
        self.location = location
        self.problems = problems
        self.ok = True

    def fail(self, column: str, message: str, value: Any = None) -> None:
        self.ok = False
        self.problems.add(self.location, column, message, value)

    def text(self, column: str, *, required: bool = False, limit: int = MAX_TEXT_LENGTH) -> str:
        value = self.raw.get(column)
        if _blank(value):
            if required:
                self.fail(column, "required, but empty")
            return ""
        if isinstance(value, (dict, list, bool)):
            self.fail(column, "must be text", value)
            return ""
        text = _text(value)
        if len(text) > limit:
            self.fail(column, f"longer than {limit} characters", text[:40] + "...")
            return ""
        return text

    def optional_text(self, column: str, limit: int = MAX_TEXT_LENGTH) -> str | None:
        return self.text(column, limit=limit) or None

    def integer(self, column: str, *, minimum: int = 0) -> int | None:
        value = self.raw.get(column)
        if _blank(value):
            return None
        if isinstance(value, bool):
            self.fail(column, "must be a whole number", value)
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            number = value
        else:
            text = _text(value).replace(" ", "")
            if _THOUSANDS.match(text):
                text = text.replace(",", "")
            if text.endswith(".0"):
                text = text[:-2]
            if not re.fullmatch(r"-?\d+", text):
                self.fail(column, "must be a whole number", value)
                return None
            number = int(text)
        if number < minimum:
            self.fail(column, f"must be at least {minimum}", value)
            return None
        if number > 2_000_000_000:
            self.fail(column, "is implausibly large", value)
            return None
        return number

    def fraction(self, column: str) -> float | None:
        value = self.raw.get(column)
        if _blank(value):
            return None
        if isinstance(value, bool):
            self.fail(column, "must be a number between 0 and 1", value)
            return None
        try:
            if isinstance(value, (int, float)):
                number = float(value)
            else:
                text = _text(value)
                number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            self.fail(column, "must be a number between 0 and 1 (or a percentage)", value)
            return None
        if math.isnan(number) or not 0 <= number <= 1:
            self.fail(column, "must be between 0 and 1", value)
            return None
        return number

    def amount(self, column: str) -> float | None:
        """A sum of money: a positive number, thousands separators allowed ("1,500.50")."""
        value = self.raw.get(column)
        if _blank(value):
            return None
        if isinstance(value, bool):
            self.fail(column, "must be an amount of money", value)
            return None
        text = _text(value).replace(" ", "")
        try:
            number = (
                float(value) if isinstance(value, int | float) else float(text.replace(",", ""))
            )
        except ValueError:
            self.fail(column, "must be an amount of money, such as 1500 or 1,500.50", value)
            return None
        if math.isnan(number) or number <= 0 or number > 1e12:
            self.fail(column, "must be more than 0", value)
            return None
        return number

    def currency(self, column: str) -> str | None:
        value = self.raw.get(column)
        if _blank(value):
            return None
        code = _text(value).upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            self.fail(column, "must be an ISO 4217 currency code such as MYR or USD", value)
            return None
        return code

    def country(self, column: str, *, required: bool = False) -> str | None:
        value = self.raw.get(column)
        if _blank(value):
            if required:
                self.fail(column, "required, but empty")
            return None
        code = resolve_country(_text(value)) if isinstance(value, str | int) else None
        if code is None:
            self.fail(
                column,
                "unknown country: use an ISO 3166-1 code (TH, THA) or English name (Thailand)",
                value,
            )
        return code

    def choice(self, column: str, enum: type[Any], *, required: bool = False) -> Any:
        value = self.raw.get(column)
        if _blank(value):
            if required:
                self.fail(column, "required, but empty")
            return None
        key = _text(value).lower().replace(" ", "_").replace("-", "_")
        try:
            return enum(key)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.fail(column, f"must be one of: {allowed}", value)
            return None


def _attributes(raw: Mapping[str, Any], known: Iterable[str], cells: _Cells) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    known_set = set(known)
    for column, value in raw.items():
        if column in known_set or column is None or _blank(value):
            continue
        name = str(column).strip()
        if not name:
            continue
        if isinstance(value, str):
            value = value.strip()
            if len(value) > MAX_ATTRIBUTE_LENGTH:
                cells.fail(name, f"longer than {MAX_ATTRIBUTE_LENGTH} characters")
                continue
        attributes[name] = value
    return attributes


# Nodes ---------------------------------------------------------------------------------------


def parse_node(raw: Mapping[str, Any], location: Location, problems: Problems) -> NodeRecord | None:
    """Validate one node row; returns None (and records why) when it cannot be used."""
    cells = _Cells(raw, location, problems)
    external_id = cells.text("id", required=True, limit=MAX_ID_LENGTH)
    if external_id and not _ID_PATTERN.match(external_id):
        cells.fail("id", "must not contain control characters", external_id)
    kind = cells.choice("kind", NodeKind, required=True)
    name = cells.text("name", required=True, limit=MAX_NAME_LENGTH)
    country = cells.country("country", required=True)
    sector = _sector(cells)
    tier = cells.integer("tier", minimum=1)
    workers = cells.integer("workers")
    migrant_workers = cells.integer("migrant_workers")
    role = cells.choice("role", RecruiterRole)
    licence = cells.optional_text("licence")
    licence_country = cells.country("licence_country")
    origin = cells.country("origin")
    destination = cells.country("destination")
    products = _products(cells)
    hs_codes = _hs_codes(cells)
    monthly_wage = cells.amount("monthly_wage")
    wage_currency = cells.currency("wage_currency")
    attributes = _attributes(raw, NODE_COLUMNS, cells)

    if kind is not None:
        _node_kind_rules(
            cells,
            kind,
            tier=tier,
            role=role,
            licence=licence or licence_country,
            worker_group_fields=origin or destination,
            migrant_workers=migrant_workers,
        )
    if workers is not None and migrant_workers is not None and migrant_workers > workers:
        cells.fail("migrant_workers", f"is more than workers ({workers})", migrant_workers)
    _wage_rules(cells, kind, monthly_wage, wage_currency)
    if not cells.ok:
        return None
    return NodeRecord(
        external_id=external_id,
        kind=kind,
        name=name,
        country=country or "",
        sector=sector,
        tier=tier,
        workers=workers,
        migrant_workers=migrant_workers,
        role=role,
        licence=licence,
        licence_country=licence_country,
        origin=origin,
        destination=destination,
        products=products,
        hs_codes=hs_codes,
        monthly_wage=monthly_wage,
        wage_currency=wage_currency,
        attributes=attributes,
    )


WAGE_KINDS = frozenset({NodeKind.supplier, NodeKind.company, NodeKind.worker_group})


def _wage_rules(
    cells: _Cells, kind: NodeKind | None, wage: float | None, currency: str | None
) -> None:
    """A wage means nothing without its currency, and only employers and worker groups pay or
    earn one."""
    if wage is not None and currency is None:
        cells.fail("wage_currency", "required with monthly_wage (e.g. MYR)")
    if currency is not None and wage is None:
        cells.fail("monthly_wage", "required with wage_currency", currency)
    if wage is not None and kind is not None and kind not in WAGE_KINDS:
        cells.fail(
            "monthly_wage", f"applies to suppliers, companies and worker groups, not a {kind.value}"
        )


MAX_PRODUCTS_LENGTH = 500
_HS_CODE = re.compile(r"^\d{4,10}$")


def _products(cells: _Cells) -> str | None:
    """Products as "a; b": separated by semicolons (commas too, as spreadsheets write lists)."""
    text = cells.optional_text("products", limit=MAX_PRODUCTS_LENGTH)
    if not text:
        return None
    items = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
    return "; ".join(dict.fromkeys(items)) or None


def _hs_codes(cells: _Cells) -> str | None:
    """HS codes of 4 to 10 digits ("4015.19" is read as 401519), separated by ; or ,."""
    text = cells.optional_text("hs_codes", limit=200)
    if not text:
        return None
    codes = [c.strip().replace(".", "").replace(" ", "") for c in re.split(r"[;,]", text)]
    bad = [c for c in codes if c and not _HS_CODE.match(c)]
    if bad:
        cells.fail("hs_codes", "each HS code must have 4 to 10 digits", bad[0])
        return None
    return "; ".join(dict.fromkeys(c for c in codes if c)) or None


def _sector(cells: _Cells) -> str | None:
    value = cells.raw.get("sector")
    if _blank(value):
        return None
    key = _text(value).lower().replace(" ", "_").replace("-", "_")
    if key not in SECTORS:
        cells.fail("sector", f"must be one of: {', '.join(SECTORS)}", value)
        return None
    return key


def _node_kind_rules(
    cells: _Cells,
    kind: NodeKind,
    *,
    tier: int | None,
    role: RecruiterRole | None,
    licence: str | None,
    worker_group_fields: str | None,
    migrant_workers: int | None,
) -> None:
    if kind == NodeKind.recruiter and role is None:
        allowed = ", ".join(r.value for r in RecruiterRole)
        cells.fail("role", f"a recruiter needs a role: one of {allowed}")
    if kind != NodeKind.recruiter:
        if role is not None:
            cells.fail("role", f"only recruiters have a role, not a {kind.value}", role.value)
        if licence:
            cells.fail("licence", f"only recruiters hold a recruitment licence, not a {kind.value}")
    if tier is not None and kind != NodeKind.supplier:
        cells.fail("tier", f"only suppliers have a tier, not a {kind.value}", tier)
    if worker_group_fields and kind != NodeKind.worker_group:
        cells.fail("origin", f"origin/destination belong to worker groups, not a {kind.value}")
    if migrant_workers is not None and kind not in (NodeKind.supplier, NodeKind.company):
        cells.fail("migrant_workers", f"applies to suppliers and companies, not a {kind.value}")


# Edges ---------------------------------------------------------------------------------------


def parse_edge(raw: Mapping[str, Any], location: Location, problems: Problems) -> EdgeRecord | None:
    cells = _Cells(raw, location, problems)
    source = cells.text("source", required=True, limit=MAX_ID_LENGTH)
    target = cells.text("target", required=True, limit=MAX_ID_LENGTH)
    kind = cells.choice("kind", EdgeKind, required=True)
    origin = cells.country("origin")
    destination = cells.country("destination")
    workers = cells.integer("workers")
    share = cells.fraction("share")
    attributes = _attributes(raw, EDGE_COLUMNS, cells)
    if source and source == target:
        cells.fail("target", "an edge cannot point to its own source", target)
    if kind == EdgeKind.supplies and (origin or destination):
        cells.fail("origin", "supplies edges carry goods, not a recruitment corridor")
    if not cells.ok:
        return None
    return EdgeRecord(
        source=source,
        target=target,
        kind=kind,
        origin=origin,
        destination=destination,
        workers=workers,
        share=share,
        attributes=attributes,
    )


# The whole network ------------------------------------------------------------------------------


@dataclass
class PlacedEdge:
    """An edge with where it came from, so problems found late still point at the right row."""

    record: EdgeRecord
    location: Location


def check_network(
    kinds: Mapping[str, NodeKind],
    edges: Iterable[PlacedEdge],
    problems: Problems,
    *,
    node_locations: Mapping[str, Location] | None = None,
) -> None:
    """Rules that need the whole network: endpoints, kind combinations, one company, no cycles.

    ``kinds`` maps every node id of the resulting network to its kind; edges are unique by key.
    """
    companies = [ident for ident, kind in kinds.items() if kind == NodeKind.company]
    if len(companies) > 1:
        where = (node_locations or {}).get(companies[1], Location())
        problems.add(
            where,
            "kind",
            f"a network has one buying company; found {len(companies)}: "
            + ", ".join(companies[:5]),
            companies[1],
        )

    acyclic: dict[EdgeKind, dict[tuple[str, str], Location]] = {k: {} for k in ACYCLIC_EDGES}
    for placed in edges:
        edge, location = placed.record, placed.location
        source_kind, target_kind = kinds.get(edge.source), kinds.get(edge.target)
        if source_kind is None:
            problems.add(location, "source", "no node with this id", edge.source)
        if target_kind is None:
            problems.add(location, "target", "no node with this id", edge.target)
        if source_kind is None or target_kind is None:
            continue
        sources, targets = EDGE_RULES[edge.kind]
        if source_kind not in sources or target_kind not in targets:
            problems.add(
                location,
                "kind",
                f"{edge.source} is a {source_kind.value} and {edge.target} a "
                f"{target_kind.value}: {describe_rule(edge.kind)}",
                edge.kind.value,
            )
            continue
        if edge.kind in acyclic:
            acyclic[edge.kind][(edge.source, edge.target)] = location

    for kind, links in acyclic.items():
        for cycle in _cycles(links):
            first = links[(cycle[0], cycle[1])]
            path = " -> ".join([*cycle, cycle[0]])
            problems.add(first, "target", f"{kind.value} edges form a cycle: {path}")
            if problems.full:
                return


def _cycles(links: Mapping[tuple[str, str], Location]) -> list[list[str]]:
    """One representative cycle per tangle. A linear-time topological sort settles the usual
    acyclic case; only what it cannot order is handed to NetworkX to name the cycles."""
    successors: dict[str, list[str]] = {}
    indegree: dict[str, int] = {}
    for source, target in links:
        successors.setdefault(source, []).append(target)
        indegree[target] = indegree.get(target, 0) + 1
        indegree.setdefault(source, 0)
    ready = [node for node, degree in indegree.items() if degree == 0]
    while ready:
        node = ready.pop()
        for target in successors.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    tangled = {node for node, degree in indegree.items() if degree > 0}
    if not tangled:
        return []
    graph = nx.DiGraph((s, t) for s, t in links if s in tangled and t in tangled)
    cycles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        cycle = nx.find_cycle(graph.subgraph(component))
        cycles.append([u for u, _v in cycle])
        if len(cycles) >= 20:
            break
    return cycles
