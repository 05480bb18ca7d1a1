"""The network as a NetworkX graph, built from the database in bulk and cached per version.

The database stays the source of truth; the graph is a read model. Two queries build it (one for
nodes, one for edges), and the cache key includes the network's version, so any change makes
the next request rebuild it. Graphs are frozen: callers cannot corrupt the shared copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import networkx as nx
from sqlalchemy import text
from sqlmodel import Session

from supplychain.models import Network

_CACHE_SIZE = 8
_cache: OrderedDict[tuple[object, ...], nx.MultiDiGraph] = OrderedDict()
_lock = threading.Lock()


def cache_key(network: Network) -> tuple[object, ...]:
    # created_at tells apart two networks that share an id in different databases (tests,
    # or a database restored from backup) so their graphs never mix.
    return (network.id, network.version, network.created_at.isoformat())


def network_graph(session: Session, network: Network) -> nx.MultiDiGraph:
    """The frozen graph of this version of the network."""
    key = cache_key(network)
    with _lock:
        graph = _cache.get(key)
        if graph is not None:
            _cache.move_to_end(key)
            return graph
    graph = build_graph(session, network)
    with _lock:
        _cache[key] = graph
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return graph


_NODE_ATTRIBUTES = (
    "external_id",
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
    "monthly_wage",
    "wage_currency",
)
_EDGE_ATTRIBUTES = ("kind", "origin", "destination", "workers", "share")

# Plain SQL text: result rows skip SQLAlchemy's per-value type processing, which costs more
# than the query itself on 100,000 rows. Every selected column is a plain string or number.
_NODES_SQL = text(
    f"SELECT id, {', '.join(_NODE_ATTRIBUTES)} FROM node WHERE network_id = :network_id"  # noqa: S608 (constant column names)
)
_EDGES_SQL = text(
    f"SELECT id, source_id, target_id, {', '.join(_EDGE_ATTRIBUTES)} FROM edge "  # noqa: S608 (constant column names)
    "WHERE network_id = :network_id"
)


def build_graph(session: Session, network: Network) -> nx.MultiDiGraph:
    """One query for nodes, one for edges; node ids are database ids."""
    graph = nx.MultiDiGraph(network_id=network.id, version=network.version, name=network.name)
    connection = session.connection()
    parameters = {"network_id": network.id}
    graph.add_nodes_from(
        (row[0], dict(zip(_NODE_ATTRIBUTES, row[1:], strict=True)))
        for row in connection.execute(_NODES_SQL, parameters)
    )
    graph.add_edges_from(
        (row[1], row[2], row[0], dict(zip(_EDGE_ATTRIBUTES, row[3:], strict=True)))
        for row in connection.execute(_EDGES_SQL, parameters)
    )
    return nx.freeze(graph)
