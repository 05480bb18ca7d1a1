"""Networks, nodes and edges: the rules applied to the database.

Every change bumps the network's version (graph and score caches are keyed by it). Bulk imports
validate the whole resulting network before writing anything (a CSV file column by column), then
hand the new rows to the driver as plain tuples, COPY on PostgreSQL and ``executemany`` on
SQLite, inside the session's transaction, so that a 100,000-node file imports in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, delete, func, or_, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlmodel import Session, col, select

from core import changes
from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.locking import lock_row
from core.problems import BODY, Location, Problems
from core.progress import Progress, no_progress
from core.tenancy import Scope
from supplychain.column_mapping import ColumnMapping, parse_mapping
from supplychain.formats import RawNetwork, RawRows, RawTable, without_cyclic_gc
from supplychain.models import Edge, ImportMapping, Network, Node
from supplychain.registry import service as registry
from supplychain.rules import (
    EDGE_STORED,
    NODE_STORED,
    EdgeRecord,
    Link,
    NodeRecord,
    check_links,
    parse_edge,
    parse_edge_columns,
    parse_node,
    parse_node_columns,
)
from supplychain.schemas import (
    EdgeCreate,
    EdgeUpdate,
    ImportMode,
    ImportResult,
    NetworkCreate,
    NetworkUpdate,
    NodeCreate,
    NodeUpdate,
)
from supplychain.vocabulary import (
    ACYCLIC_EDGES,
    EDGE_RULES,
    EdgeKind,
    NodeKind,
    RecruiterRole,
    describe_rule,
)

_CHUNK = 500
# Rows an import validates or writes between two progress reports: a 100,000-node import
# reports some fifty times, and validating in slices of this size is no slower than whole
# columns at once (it measured a little faster: smaller sets and lists).
_PROGRESS_ROWS = 5000


# Networks ------------------------------------------------------------------------------------


def create_network(
    session: Session, *, scope: Scope, own_organisation_id: int, data: NetworkCreate
) -> Network:
    organisation_id = data.organisation_id or own_organisation_id
    if not scope.allows(organisation_id):
        raise InvalidInput(
            "You can only create networks in your own organisation",
            errors=[{"field": "organisation_id", "message": "not your organisation"}],
        )
    _refuse_duplicate_name(session, organisation_id, data.name)
    network = Network(organisation_id=organisation_id, name=data.name, description=data.description)
    session.add(network)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise InvalidInput(
            f"Organisation {organisation_id} does not exist",
            errors=[{"field": "organisation_id", "message": "no such organisation"}],
        ) from exc
    return network


def _refuse_duplicate_name(session: Session, organisation_id: int, name: str) -> None:
    clash = session.exec(
        select(Network.id).where(Network.organisation_id == organisation_id, Network.name == name)
    ).first()
    if clash is not None:
        raise Conflict(f"Your organisation already has a network named {name!r}")


def list_networks(
    session: Session,
    *,
    scope: Scope,
    organisation_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Network], int]:
    query = scope.filter(select(Network), Network.organisation_id)
    if organisation_id is not None:
        query = query.where(Network.organisation_id == organisation_id)
    if q:
        query = query.where(func.lower(Network.name).contains(q.lower()))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Network.id)).limit(limit).offset(offset)).all()
    return rows, total


def get_network(session: Session, *, scope: Scope, network_id: int) -> Network:
    network = session.get(Network, network_id)
    return scope.require(
        network, network.organisation_id if network else None, "Network", network_id
    )


def update_network(session: Session, *, network: Network, data: NetworkUpdate) -> Network:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes and changes["name"] != network.name:
        _refuse_duplicate_name(session, network.organisation_id, changes["name"])
    for key, value in changes.items():
        setattr(network, key, value)
    touch(session, network)
    return network


def delete_network(session: Session, *, network: Network) -> None:
    try:
        with session.begin_nested():
            changes.removing_network(session, network.id or 0)
            session.execute(delete(Edge).where(col(Edge.network_id) == network.id))
            session.execute(delete(Node).where(col(Node.network_id) == network.id))
            session.delete(network)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"Network {network.id} still has assessments, findings or plans attached; "
            "delete those first"
        ) from exc


def touch(session: Session, network: Network) -> None:
    """Record a change: the version increases atomically even under concurrent writers."""
    session.execute(
        update(Network)
        .where(col(Network.id) == network.id)
        .values(version=Network.version + 1, updated_at=utcnow())
    )
    session.flush()
    session.refresh(network)
    changes.network_changed(session, network.id)


# Nodes ---------------------------------------------------------------------------------------


@dataclass
class NodeFilters:
    kind: NodeKind | None = None
    country: str | None = None
    sector: str | None = None
    role: str | None = None
    tier: int | None = None
    external_id: str | None = None
    q: str | None = None


def list_nodes(
    session: Session, *, network: Network, filters: NodeFilters, limit: int, offset: int
) -> tuple[Sequence[Node], int]:
    query = select(Node).where(Node.network_id == network.id)
    if filters.kind is not None:
        query = query.where(Node.kind == filters.kind)
    if filters.country:
        query = query.where(Node.country == filters.country.upper())
    if filters.sector:
        query = query.where(Node.sector == filters.sector)
    if filters.role:
        query = query.where(Node.role == filters.role)
    if filters.tier is not None:
        query = query.where(Node.tier == filters.tier)
    if filters.external_id:
        query = query.where(Node.external_id == filters.external_id)
    if filters.q:
        query = query.where(func.lower(Node.name).contains(filters.q.lower()))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Node.id)).limit(limit).offset(offset)).all()
    return rows, total


def get_node(session: Session, *, network: Network, node_id: int) -> Node:
    node = session.get(Node, node_id)
    if node is None or node.network_id != network.id:
        raise NotFound(f"Node {node_id} was not found in network {network.id}")
    return node


def find_node(session: Session, *, network: Network, external_id: str) -> Node | None:
    return session.exec(
        select(Node).where(Node.network_id == network.id, Node.external_id == external_id)
    ).first()


def record_of(node: Node) -> NodeRecord:
    return NodeRecord(
        external_id=node.external_id,
        kind=NodeKind(node.kind),
        name=node.name,
        country=node.country,
        sector=node.sector,
        tier=node.tier,
        workers=node.workers,
        migrant_workers=node.migrant_workers,
        role=node.role,
        licence=node.licence,
        licence_country=node.licence_country,
        origin=node.origin,
        destination=node.destination,
        products=node.products,
        hs_codes=node.hs_codes,
        monthly_wage=node.monthly_wage,
        wage_currency=node.wage_currency,
        attributes=dict(node.attributes or {}),
    )


def _raw_node(values: dict[str, Any]) -> dict[str, Any]:
    """API fields in the shape of an import row, so both go through the same rules."""
    raw = {k: v for k, v in values.items() if k not in ("attributes", "external_id")}
    raw["id"] = values.get("external_id")
    for key in ("kind", "role"):
        if raw.get(key) is not None:
            raw[key] = str(getattr(raw[key], "value", raw[key]))
    return raw


def _validated_node(values: dict[str, Any], attributes: dict[str, Any]) -> NodeRecord:
    problems = Problems()
    record = parse_node(_raw_node(values), BODY, problems)
    # The rules name the import column "id"; in the API that field is "external_id".
    for item in problems.items:
        if item.get("field") == "id":
            item["field"] = "external_id"
    problems.raise_if_any("The node is invalid")
    assert record is not None
    record.attributes = attributes
    return record


def _other_company(session: Session, network: Network, except_id: int | None) -> Node | None:
    query = select(Node).where(Node.network_id == network.id, Node.kind == NodeKind.company)
    if except_id is not None:
        query = query.where(Node.id != except_id)
    return session.exec(query).first()


def create_node(session: Session, *, network: Network, data: NodeCreate) -> Node:
    values = data.model_dump(exclude={"attributes"})
    record = _validated_node(values, data.attributes or {})
    if find_node(session, network=network, external_id=record.external_id) is not None:
        raise Conflict(f"Network {network.id} already has a node with id {record.external_id!r}")
    if record.kind == NodeKind.company and _other_company(session, network, None) is not None:
        raise InvalidInput(
            "A network has one buying company, and this one already has it",
            errors=[{"field": "kind", "message": "the network already has a company node"}],
        )
    now = utcnow()
    node = Node(network_id=network.id or 0, created_at=now, updated_at=now, **_columns(record))
    session.add(node)
    session.flush()
    touch(session, network)
    return node


def _columns(record: NodeRecord) -> dict[str, Any]:
    values = record.values()
    values["kind"] = record.kind
    values["role"] = record.role
    return values


def update_node(session: Session, *, network: Network, node: Node, data: NodeUpdate) -> Node:
    changes = data.model_dump(exclude_unset=True)
    current = record_of(node).values()
    merged = {**current, **{k: v for k, v in changes.items() if k != "attributes"}}
    attributes = (
        changes["attributes"] if changes.get("attributes") is not None else (current["attributes"])
    )
    record = _validated_node(merged, attributes)
    if record.external_id != node.external_id and find_node(
        session, network=network, external_id=record.external_id
    ):
        raise Conflict(f"Network {network.id} already has a node with id {record.external_id!r}")
    if record.kind == NodeKind.company and _other_company(session, network, node.id):
        raise InvalidInput(
            "A network has one buying company, and this one already has it",
            errors=[{"field": "kind", "message": "the network already has a company node"}],
        )
    if record.kind != node.kind:
        _check_incident_edges(session, node, record.kind)
    for key, value in _columns(record).items():
        setattr(node, key, value)
    node.updated_at = utcnow()
    session.add(node)
    session.flush()
    touch(session, network)
    return node


def _check_incident_edges(session: Session, node: Node, new_kind: NodeKind) -> None:
    """Changing a node's kind must not leave an edge that breaks the kind rules."""
    problems = Problems()
    edges = session.exec(
        select(Edge).where(or_(col(Edge.source_id) == node.id, col(Edge.target_id) == node.id))
    ).all()
    for edge in edges:
        other = session.get(Node, edge.target_id if edge.source_id == node.id else edge.source_id)
        assert other is not None
        source_kind = new_kind if edge.source_id == node.id else other.kind
        target_kind = new_kind if edge.target_id == node.id else other.kind
        sources, targets = EDGE_RULES[EdgeKind(edge.kind)]
        if source_kind not in sources or target_kind not in targets:
            problems.add(
                BODY,
                "kind",
                f"edge {edge.id} ({edge.kind}) with {other.external_id} would break the rule: "
                f"{describe_rule(EdgeKind(edge.kind))}",
            )
    problems.raise_if_any("The node's kind cannot change while its edges need the old kind")


def delete_node(session: Session, *, network: Network, node: Node) -> None:
    try:
        with session.begin_nested():
            changes.removing_nodes(session, network.id or 0, [node.id or 0])
            session.execute(
                delete(Edge).where(
                    or_(col(Edge.source_id) == node.id, col(Edge.target_id) == node.id)
                )
            )
            session.delete(node)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"Node {node.external_id!r} has assessments or findings; it cannot be deleted"
        ) from exc
    touch(session, network)


# Edges ---------------------------------------------------------------------------------------


@dataclass
class EdgeFilters:
    kind: EdgeKind | None = None
    source_id: int | None = None
    target_id: int | None = None
    origin: str | None = None
    destination: str | None = None


def list_edges(
    session: Session, *, network: Network, filters: EdgeFilters, limit: int, offset: int
) -> tuple[Sequence[Edge], int]:
    query = select(Edge).where(Edge.network_id == network.id)
    if filters.kind is not None:
        query = query.where(Edge.kind == filters.kind)
    if filters.source_id is not None:
        query = query.where(Edge.source_id == filters.source_id)
    if filters.target_id is not None:
        query = query.where(Edge.target_id == filters.target_id)
    if filters.origin:
        query = query.where(Edge.origin == filters.origin.upper())
    if filters.destination:
        query = query.where(Edge.destination == filters.destination.upper())
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Edge.id)).limit(limit).offset(offset)).all()
    return rows, total


def get_edge(session: Session, *, network: Network, edge_id: int) -> Edge:
    edge = session.get(Edge, edge_id)
    if edge is None or edge.network_id != network.id:
        raise NotFound(f"Edge {edge_id} was not found in network {network.id}")
    return edge


def external_ids(session: Session, node_ids: set[int]) -> dict[int, str]:
    if not node_ids:
        return {}
    rows = session.exec(select(col(Node.id), Node.external_id).where(col(Node.id).in_(node_ids)))
    return {node_id: external for node_id, external in rows.all() if node_id is not None}


def _validated_edge(raw: dict[str, Any], attributes: dict[str, Any]) -> EdgeRecord:
    problems = Problems()
    record = parse_edge(raw, BODY, problems)
    problems.raise_if_any("The edge is invalid")
    assert record is not None
    record.attributes = attributes
    return record


def create_edge(session: Session, *, network: Network, data: EdgeCreate) -> Edge:
    raw = data.model_dump(exclude={"attributes"})
    raw["kind"] = data.kind.value
    record = _validated_edge(raw, data.attributes or {})
    lock_row(session, network)  # two edges added at once could together close a cycle
    source = find_node(session, network=network, external_id=record.source)
    target = find_node(session, network=network, external_id=record.target)
    missing = [
        {"field": name, "message": f"no node with id {ident!r} in this network"}
        for name, ident, node in (
            ("source", record.source, source),
            ("target", record.target, target),
        )
        if node is None
    ]
    if missing:
        raise InvalidInput("The edge refers to nodes that do not exist", errors=missing)
    assert source is not None and target is not None
    sources, targets = EDGE_RULES[record.kind]
    if source.kind not in sources or target.kind not in targets:
        raise InvalidInput(
            f"{source.external_id} is a {source.kind} and {target.external_id} a {target.kind}",
            errors=[{"field": "kind", "message": describe_rule(record.kind)}],
        )
    duplicate = session.exec(
        select(Edge.id).where(
            Edge.network_id == network.id,
            Edge.source_id == source.id,
            Edge.target_id == target.id,
            Edge.kind == record.kind,
        )
    ).first()
    if duplicate is not None:
        raise Conflict(f"This edge already exists (edge {duplicate})")
    if record.kind in ACYCLIC_EDGES:
        _refuse_cycle(session, network, record.kind, source, target)
    now = utcnow()
    edge = Edge(
        network_id=network.id or 0,
        source_id=source.id or 0,
        target_id=target.id or 0,
        created_at=now,
        updated_at=now,
        **{**record.values(), "kind": record.kind},
    )
    session.add(edge)
    session.flush()
    touch(session, network)
    return edge


def _refuse_cycle(
    session: Session, network: Network, kind: EdgeKind, source: Node, target: Node
) -> None:
    """Adding source -> target closes a cycle if target already reaches source."""
    successors: dict[int, list[int]] = {}
    for s, t in session.exec(
        select(Edge.source_id, Edge.target_id).where(
            Edge.network_id == network.id, Edge.kind == kind
        )
    ).all():
        successors.setdefault(s, []).append(t)
    frontier, seen = [target.id], {target.id}
    while frontier:
        current = frontier.pop()
        if current == source.id:
            raise InvalidInput(
                f"{kind.value} edges may not form a cycle",
                errors=[
                    {
                        "field": "target",
                        "message": f"{target.external_id} already leads back to "
                        f"{source.external_id} through {kind.value} edges",
                    }
                ],
            )
        for nxt in successors.get(current or 0, []):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)


def update_edge(session: Session, *, network: Network, edge: Edge, data: EdgeUpdate) -> Edge:
    changes = data.model_dump(exclude_unset=True)
    lock_row(session, network)
    ids = external_ids(session, {edge.source_id, edge.target_id})
    raw = {
        "source": ids[edge.source_id],
        "target": ids[edge.target_id],
        "kind": str(edge.kind),
        "origin": edge.origin,
        "destination": edge.destination,
        "workers": edge.workers,
        "share": edge.share,
    }
    raw.update({k: v for k, v in changes.items() if k != "attributes"})
    attributes = (
        changes["attributes"]
        if changes.get("attributes") is not None
        else dict(edge.attributes or {})
    )
    record = _validated_edge(raw, attributes)
    for key, value in record.values().items():
        if key != "kind":
            setattr(edge, key, value)
    edge.updated_at = utcnow()
    session.add(edge)
    session.flush()
    touch(session, network)
    return edge


def delete_edge(session: Session, *, network: Network, edge: Edge) -> None:
    session.delete(edge)
    session.flush()
    touch(session, network)


# Bulk import ---------------------------------------------------------------------------------


@dataclass
class StoredState:
    """The network as stored, keyed the way import files name things (external ids).

    Rows stay plain tuples (``NODE_STORED`` / ``EDGE_STORED`` order): comparing tuples is what
    makes re-importing a 100,000-node file cheap. Records are built only when needed.
    """

    nodes: dict[str, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)
    edges: dict[tuple[str, str, EdgeKind], tuple[int, tuple[Any, ...]]] = field(
        default_factory=dict
    )

    def kinds(self) -> dict[str, NodeKind]:
        return {ident: row[0] for ident, (_id, row) in self.nodes.items()}

    def node_record(self, ident: str) -> NodeRecord:
        values = dict(zip(NODE_STORED, self.nodes[ident][1], strict=True))
        values["kind"] = NodeKind(values["kind"])
        values["role"] = RecruiterRole(values["role"]) if values["role"] else None
        values["attributes"] = dict(values["attributes"] or {})
        return NodeRecord(external_id=ident, **values)

    def edge_record(self, key: tuple[str, str, EdgeKind]) -> EdgeRecord:
        values = dict(zip(EDGE_STORED, self.edges[key][1], strict=True))
        values["attributes"] = dict(values["attributes"] or {})
        return EdgeRecord(source=key[0], target=key[1], kind=EdgeKind(key[2]), **values)

    def node_records(self) -> list[NodeRecord]:
        """In creation order, as exports list them."""
        order = sorted(self.nodes, key=lambda ident: self.nodes[ident][0])
        return [self.node_record(ident) for ident in order]

    def edge_records(self) -> list[EdgeRecord]:
        order = sorted(self.edges, key=lambda key: self.edges[key][0])
        return [self.edge_record(key) for key in order]


def load_state(session: Session, network_id: int) -> StoredState:
    """Two set-based queries, no ORM objects: fast enough for networks of 100,000 nodes."""
    node_table, edge_table = Node.__table__, Edge.__table__  # type: ignore[attr-defined]
    state = StoredState()
    by_id: dict[int, str] = {}
    node_columns = [node_table.c.id, node_table.c.external_id] + [
        node_table.c[name] for name in NODE_STORED
    ]
    for row in session.execute(
        select(*node_columns).where(node_table.c.network_id == network_id)
    ).all():
        state.nodes[row[1]] = (row[0], tuple(row[2:]))
        by_id[row[0]] = row[1]
    edge_columns = [
        edge_table.c.id,
        edge_table.c.source_id,
        edge_table.c.target_id,
        edge_table.c.kind,
    ] + [edge_table.c[name] for name in EDGE_STORED]
    for row in session.execute(
        select(*edge_columns).where(edge_table.c.network_id == network_id)
    ).all():
        key = (by_id[row[1]], by_id[row[2]], row[3])
        state.edges[key] = (row[0], tuple(row[4:]))
    return state


_Key = TypeVar("_Key")
_Record = TypeVar("_Record", NodeRecord, EdgeRecord)


def _compare(
    file_records: dict[_Key, _Record],
    stored: dict[_Key, tuple[int, tuple[Any, ...]]],
    *,
    replace: bool,
) -> tuple[list[_Record], list[tuple[int, _Record]], list[int], dict[str, int]]:
    """What the file changes: its new records, its changed ones with their stored ids, the ids
    of stored rows it leaves out (deleted in replace mode), and the counts of each."""
    if not stored:  # a new network: everything is new, and there is nothing to compare
        new = list(file_records.values())
        return new, [], [], {"created": len(new), "updated": 0, "unchanged": 0, "deleted": 0}
    new, changed = [], []
    unchanged = 0
    for key, record in file_records.items():
        existing = stored.get(key)
        if existing is None:
            new.append(record)
        elif existing[1] != record.row():
            changed.append((existing[0], record))
        else:
            unchanged += 1
    removed = (
        [row_id for key, (row_id, _row) in stored.items() if key not in file_records]
        if replace
        else []
    )
    counts = {
        "created": len(new),
        "updated": len(changed),
        "unchanged": unchanged,
        "deleted": len(removed),
    }
    return new, changed, removed, counts


def _fast_records(
    rows: RawRows, parse_columns: Callable[..., list[Any]]
) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows in slices of ``_PROGRESS_ROWS``, each with its first row's index: the rows of a
    CSV file validated column by column (``rules.parse_node_columns``), None for each row that
    must go through the single-row rules, which is every row of the other formats (their cells
    are typed values in rows of their own shape). Every rule is about one row, so a slice
    validates as it would within the whole file."""
    columns = rows.columns() if isinstance(rows, RawTable) else None
    count = len(rows)
    for start in range(0, count, _PROGRESS_ROWS):
        stop = min(start + _PROGRESS_ROWS, count)
        if columns is None:
            yield start, [None] * (stop - start)
        else:
            part = {name: cells[start:stop] for name, cells in columns.items()}
            yield start, parse_columns(part, stop - start)


def _where(location: Location) -> int | None:
    return location.row or location.index


def _file_nodes(
    rows: RawRows, problems: Problems, progress: Progress = no_progress
) -> tuple[dict[str, NodeRecord], dict[str, int], set[str]]:
    """The file's usable nodes by id, the index of the row each came from, and the ids of rows
    that cannot be used (their problems are recorded)."""
    file_nodes: dict[str, NodeRecord] = {}
    node_rows: dict[str, int] = {}
    unusable_ids: set[str] = set()
    progress("validating nodes", 0, len(rows))
    for start, fast_nodes in _fast_records(rows, parse_node_columns):
        for index, fast_node in enumerate(fast_nodes, start):
            record: NodeRecord | None = fast_node
            if record is None:
                row, location = rows[index]
                record = parse_node(row, location, problems)
                if record is None:
                    ident = str(row.get("id") or "").strip()
                    if ident:
                        unusable_ids.add(ident)
                    continue
            first = node_rows.get(record.external_id)
            if first is not None:
                problems.add(
                    rows[index][1],
                    "id",
                    f"duplicate id (first used on row {_where(rows[first][1])})",
                    record.external_id,
                )
                continue
            file_nodes[record.external_id] = record
            node_rows[record.external_id] = index
        progress("validating nodes", start + len(fast_nodes), len(rows))
    return file_nodes, node_rows, unusable_ids


def _file_edges(
    rows: RawRows, unusable_ids: set[str], problems: Problems, progress: Progress = no_progress
) -> tuple[dict[Link, EdgeRecord], dict[Link, int]]:
    """The file's usable edges by key, and the index of the row each came from; an edge to a
    node whose row is unusable is left out unreported (that row's problem says it all)."""
    file_edges: dict[Link, EdgeRecord] = {}
    edge_rows: dict[Link, int] = {}
    progress("validating edges", 0, len(rows))
    for start, fast_edges in _fast_records(rows, parse_edge_columns):
        for index, fast_edge in enumerate(fast_edges, start):
            edge: EdgeRecord | None = fast_edge
            if edge is None:
                row, location = rows[index]
                edge = parse_edge(row, location, problems)
                if edge is None:
                    continue
            first = edge_rows.get(edge.key)
            if first is not None:
                problems.add(
                    rows[index][1],
                    "target",
                    "duplicate edge (same source, target and kind as row "
                    f"{_where(rows[first][1])})",
                )
                continue
            if unusable_ids and (edge.source in unusable_ids or edge.target in unusable_ids):
                continue  # its node row is already reported; do not repeat the error here
            file_edges[edge.key] = edge
            edge_rows[edge.key] = index
        progress("validating edges", start + len(fast_edges), len(rows))
    return file_edges, edge_rows


@without_cyclic_gc
def import_network(
    session: Session,
    *,
    network: Network,
    raw: RawNetwork,
    mode: ImportMode = "upsert",
    dry_run: bool = False,
    problems: Problems | None = None,
    progress: Progress = no_progress,
) -> ImportResult:
    """Validate the network the file would produce, then write it in one go, or nothing.

    Rows are validated column by column where the file allows it (CSV); a row with any problem
    is then validated on its own, so the problems listed are the same either way. Locations are
    looked up only for the rows a problem is reported on.

    ``progress`` hears, in order: "validating nodes" and "validating edges" (rows of the file,
    every ``_PROGRESS_ROWS``), "checking links" (the edges of the resulting network, once the
    stored network is loaded and once checked) and, unless a dry run, "writing" (rows inserted,
    updated or deleted, in chunks). Each stage's last report has ``done == total``.
    """
    problems = problems if problems is not None else Problems()  # an empty one is falsy
    file_nodes, node_rows, unusable_ids = _file_nodes(raw.nodes, problems, progress)
    file_edges, edge_rows = _file_edges(raw.edges, unusable_ids, problems, progress)

    progress("checking links", 0, None)  # the total is known once the stored edges are
    if not dry_run:
        # Two imports into one network at once would each compare the file against the same
        # stored state and write the union; the second waits here and compares against the
        # first one's result instead.
        lock_row(session, network)
    stored = load_state(session, network.id or 0)
    kinds = {} if mode == "replace" else stored.kinds()
    kinds.update({ident: record.kind for ident, record in file_nodes.items()})
    for ident in unusable_ids:
        kinds.pop(ident, None)
    # The edges of the resulting network: the stored ones the file leaves alone, then the file's.
    kept: list[Link] = []
    if mode == "upsert":
        for key in stored.edges:
            if key[0] in unusable_ids or key[1] in unusable_ids or key in file_edges:
                continue
            kept.append((key[0], key[1], EdgeKind(key[2])))
    file_rows = list(edge_rows.values())
    links = len(kept) + len(file_edges)
    progress("checking links", 0, links)

    def locate_edge(index: int) -> Location:
        if index < len(kept):
            source, target, kind = kept[index]
            return Location(label=f"existing edge {source} -> {target} ({kind.value})")
        return raw.edges[file_rows[index - len(kept)]][1]

    def locate_node(ident: str) -> Location:
        index = node_rows.get(ident)
        return Location() if index is None else raw.nodes[index][1]

    check_links(kinds, [*kept, *file_edges], problems, locate=locate_edge, locate_node=locate_node)
    progress("checking links", links, links)
    problems.raise_if_any("The import was refused")

    replace = mode == "replace"
    if not dry_run:
        progress("writing", 0, None)  # what to write is worked out first
    new_nodes, changed_nodes, removed_nodes, node_counts = _compare(
        file_nodes, stored.nodes, replace=replace
    )
    new_edges, changed_edges, removed_edges, edge_counts = _compare(
        file_edges, stored.edges, replace=replace
    )

    if not dry_run:
        changing = ("created", "updated", "deleted")
        written = _Written(
            progress, total=sum(c[k] for c in (node_counts, edge_counts) for k in changing)
        )
        if written.total:
            _write_import(
                session,
                network,
                new_nodes=new_nodes,
                changed_nodes=changed_nodes,
                removed_nodes=removed_nodes,
                new_edges=new_edges,
                changed_edges=changed_edges,
                removed_edges=removed_edges,
                written=written,
            )
            touch(session, network)
            if registry.has_entries(session):
                progress("linking recruiters to the registry", 0, None)
                registry.match_network(session, network)
    return ImportResult(
        dry_run=dry_run,
        mode=mode,
        sources=raw.sources,
        nodes=node_counts,
        edges=edge_counts,
        network_version=network.version,
    )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Written:
    """The rows an import has inserted, updated or deleted so far, reported as "writing" from
    0 to ``total`` as each chunk goes to the database."""

    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self.total = total
        self.done = 0
        progress("writing", 0, total)

    def add(self, rows: int) -> None:
        self.done += rows
        self._progress("writing", self.done, self.total)


# The columns of new rows, in the order ``_write_rows`` builds their tuples.
_NODE_INSERT = ("network_id", "external_id", *NODE_STORED, "created_at", "updated_at")
_EDGE_INSERT = (
    "network_id",
    "source_id",
    "target_id",
    "kind",
    *EDGE_STORED,
    "created_at",
    "updated_at",
)
# Changed rows: ``row()`` (``NODE_STORED``, ``EDGE_STORED``), then the stamp and the row's id.
_NODE_UPDATE = (*NODE_STORED, "updated_at")
_EDGE_UPDATE = (*EDGE_STORED, "updated_at")
# Each vocabulary member's stored text (and None for no role), looked up in a dict:
# ``member.value`` is a Python-level property in 3.11, and an import reads it 350,000 times.
_TEXT: dict[Any, str | None] = {
    member: member.value
    for vocabulary in (NodeKind, RecruiterRole, EdgeKind)
    for member in vocabulary
}
_TEXT[None] = None


class _DriverValues:
    """Values as SQLAlchemy would bind them (its type processing on this dialect), worked out
    once per import instead of once per cell: the timestamp, and the attributes as JSON, with
    the empty attributes of most rows serialised only once."""

    def __init__(self, connection: Connection, table: Table, now: datetime) -> None:
        dialect = connection.dialect
        stamp = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        to_json = table.c.attributes.type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp = stamp(now) if stamp else now
        self._to_json = to_json or (lambda value: value)
        self._empty = self._to_json({})

    def json(self, attributes: dict[str, Any]) -> Any:
        return self._to_json(attributes) if attributes else self._empty

    def stored(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """A record's ``row()`` as the driver takes it: its last value, the attributes, as JSON."""
        return (*row[:-1], self.json(row[-1]))


def _driver_error(connection: Connection, statement: str, exc: Exception) -> StatementError:
    """A driver error as SQLAlchemy raises it (``IntegrityError`` and so on), so that callers
    see the same exceptions whichever way the rows were written."""
    dialect = connection.dialect
    return DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, dialect=dialect)


def _insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """New rows through the driver's fastest path, with no per-value work in SQLAlchemy:
    ``COPY ... FROM STDIN`` on PostgreSQL (psycopg), one prepared ``INSERT`` run by
    ``executemany`` with plain tuples elsewhere (SQLite)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(column) for column in columns)
    target = quote.format_table(table)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        statement = f"COPY {target} ({names}) FROM STDIN"
        driver = connection.connection.driver_connection
        assert driver is not None
        try:
            with (
                driver.cursor() as cursor,
                cursor.copy(statement) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as exc:
            raise _driver_error(connection, statement, exc) from exc
        return
    marks = ", ".join([_placeholder(connection)] * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {target} ({names}) VALUES ({marks})",  # noqa: S608 (constant column names)
        rows,
    )


def _update_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Changed rows by id (the last value of each tuple), with ``executemany`` and plain
    tuples, as for inserts."""
    quote = connection.dialect.identifier_preparer
    mark = _placeholder(connection)
    assignments = ", ".join(f"{quote.quote(column)} = {mark}" for column in columns)
    connection.exec_driver_sql(
        f"UPDATE {quote.format_table(table)} SET {assignments} "  # noqa: S608 (constant column names)
        f"WHERE {quote.quote('id')} = {mark}",
        rows,
    )


def _placeholder(connection: Connection) -> str:
    """A positional parameter in the driver's own SQL: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _write_import(
    session: Session,
    network: Network,
    *,
    new_nodes: list[NodeRecord],
    changed_nodes: list[tuple[int, NodeRecord]],
    removed_nodes: list[int],
    new_edges: list[EdgeRecord],
    changed_edges: list[tuple[int, EdgeRecord]],
    removed_edges: list[int],
    written: _Written,
) -> None:
    now = utcnow()
    network_id = network.id or 0
    try:
        with session.begin_nested():
            for chunk in _chunks(removed_edges):
                session.execute(delete(Edge).where(Edge.id.in_(chunk)))  # type: ignore[union-attr]
                written.add(len(chunk))
            for chunk in _chunks(removed_nodes):
                changes.removing_nodes(session, network_id, chunk)
                session.execute(delete(Node).where(Node.id.in_(chunk)))  # type: ignore[union-attr]
                written.add(len(chunk))
    except IntegrityError as exc:
        raise Conflict(
            "The replace import would delete nodes that have assessments or findings; keep "
            "those nodes in the file or import with mode=upsert"
        ) from exc
    # The rows go to the driver as tuples, in the session's transaction (its connection): a
    # failure anywhere still rolls the whole import back.
    connection = session.connection()
    with _sqlite_page_cache(connection):
        _write_rows(
            connection,
            network_id,
            now,
            new_nodes=new_nodes,
            changed_nodes=changed_nodes,
            new_edges=new_edges,
            changed_edges=changed_edges,
            written=written,
        )
    session.flush()


# SQLite's page cache while an import writes: its default 2 MB holds a fraction of the indexes
# a 100,000-node network fills, and evicting their pages made the inserts a third slower.
_SQLITE_IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def _sqlite_page_cache(connection: Connection) -> Iterator[None]:
    """A larger page cache on SQLite for the duration of the writes, then the connection's own
    setting again (pages are only taken as they are used)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _write_rows(
    connection: Connection,
    network_id: int,
    now: datetime,
    *,
    new_nodes: list[NodeRecord],
    changed_nodes: list[tuple[int, NodeRecord]],
    new_edges: list[EdgeRecord],
    changed_edges: list[tuple[int, EdgeRecord]],
    written: _Written,
) -> None:
    """New and changed nodes, then (with the new nodes' ids) new and changed edges, each in
    chunks of ``_PROGRESS_ROWS`` (one COPY or ``executemany`` each) so that progress moves."""
    node_table, edge_table = Node.__table__, Edge.__table__  # type: ignore[attr-defined]
    nodes, edges = (
        _DriverValues(connection, node_table, now),
        _DriverValues(connection, edge_table, now),
    )
    stamp, json = nodes.stamp, nodes.json
    for chunk in _chunks(new_nodes, _PROGRESS_ROWS):
        _insert_rows(
            connection,
            node_table,
            _NODE_INSERT,
            [
                (
                    network_id,
                    r.external_id,
                    _TEXT[r.kind],
                    r.name,
                    r.country,
                    r.sector,
                    r.tier,
                    r.workers,
                    r.migrant_workers,
                    _TEXT[r.role],
                    r.licence,
                    r.licence_country,
                    r.origin,
                    r.destination,
                    r.products,
                    r.hs_codes,
                    r.monthly_wage,
                    r.wage_currency,
                    json(r.attributes),
                    stamp,
                    stamp,
                )
                for r in chunk
            ],
        )
        written.add(len(chunk))
    for chunk in _chunks(changed_nodes, _PROGRESS_ROWS):
        _update_rows(
            connection,
            node_table,
            _NODE_UPDATE,
            [(*nodes.stored(r.row()), nodes.stamp, node_id) for node_id, r in chunk],
        )
        written.add(len(chunk))
    if new_edges:
        ids: dict[str, int] = dict(
            connection.execute(
                select(node_table.c.external_id, node_table.c.id).where(
                    node_table.c.network_id == network_id
                )
            ).all()
        )
        stamp, json = edges.stamp, edges.json
        for chunk in _chunks(new_edges, _PROGRESS_ROWS):
            _insert_rows(
                connection,
                edge_table,
                _EDGE_INSERT,
                [
                    (
                        network_id,
                        ids[e.source],
                        ids[e.target],
                        _TEXT[e.kind],
                        e.origin,
                        e.destination,
                        e.workers,
                        e.share,
                        json(e.attributes),
                        stamp,
                        stamp,
                    )
                    for e in chunk
                ],
            )
            written.add(len(chunk))
    for chunk in _chunks(changed_edges, _PROGRESS_ROWS):
        _update_rows(
            connection,
            edge_table,
            _EDGE_UPDATE,
            [(*edges.stored(e.row()), edges.stamp, edge_id) for edge_id, e in chunk],
        )
        written.add(len(chunk))


# Saved column mappings -------------------------------------------------------------------------


def list_import_mappings(session: Session, *, organisation_id: int) -> list[ImportMapping]:
    statement = select(ImportMapping).where(ImportMapping.organisation_id == organisation_id)
    return list(session.exec(statement.order_by(col(ImportMapping.name))).all())


def find_import_mapping(
    session: Session, *, organisation_id: int, name: str
) -> ImportMapping | None:
    statement = select(ImportMapping).where(
        ImportMapping.organisation_id == organisation_id, ImportMapping.name == name
    )
    return session.exec(statement).first()


def get_import_mapping(session: Session, *, organisation_id: int, name: str) -> ImportMapping:
    """The organisation's mapping of that name; another organisation's is "not found" too."""
    row = find_import_mapping(session, organisation_id=organisation_id, name=name)
    if row is None:
        raise NotFound(f"Import mapping {name!r} was not found")
    return row


def save_import_mapping(
    session: Session, *, organisation_id: int, name: str, mapping: ColumnMapping
) -> tuple[ImportMapping, bool]:
    """Create or replace the named mapping (PUT semantics); True when it was created."""
    row = find_import_mapping(session, organisation_id=organisation_id, name=name)
    created = row is None
    if row is None:
        row = ImportMapping(organisation_id=organisation_id, name=name)
    row.mapping = mapping.document()
    row.updated_at = utcnow()
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same name saved by a concurrent request
        raise Conflict(f"Import mapping {name!r} was saved by someone else meanwhile") from exc
    return row, created


def delete_import_mapping(session: Session, *, organisation_id: int, name: str) -> None:
    session.delete(get_import_mapping(session, organisation_id=organisation_id, name=name))
    session.flush()


def saved_column_mapping(session: Session, *, organisation_id: int, name: str) -> ColumnMapping:
    """The mapping an import names (``mapping_name``), parsed again: a missing one is a 422
    naming the field, since the network in the path, not the mapping, is the resource."""
    row = find_import_mapping(session, organisation_id=organisation_id, name=name)
    if row is None:
        raise InvalidInput(
            f"No import mapping named {name!r} is saved for this organisation",
            errors=[{"field": "mapping_name", "value": name[:100], "message": "no such mapping"}],
        )
    return parse_mapping(row.mapping, field="mapping_name")
