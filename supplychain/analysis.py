"""Questions answered from the graph alone: tiers, recruitment chains, corridors, gaps.

Pure functions over the NetworkX graph built by ``supplychain.graph`` (node ids are database
ids; attributes carry kind, country, role...). Edges point towards the buying company, and the
rules forbid cycles, so the graph is a DAG and every walk here terminates.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import networkx as nx

from core.memo import derived

Graph: TypeAlias = nx.MultiDiGraph
NodeId: TypeAlias = Hashable

DELIVERING = frozenset({"recruits_for", "employed_by"})  # edges that place workers at employers
LABOUR = frozenset({"recruits_for", "refers_to", "employed_by"})
EMPLOYERS = frozenset({"supplier", "company"})
_INTO_EMPLOYERS = frozenset({"recruits_for", "supplies"})


def company_node(graph: Graph) -> NodeId | None:
    return next((n for n, d in graph.nodes(data=True) if d["kind"] == "company"), None)


def _in_edges(graph: Graph, node: NodeId, kinds: frozenset[str]) -> Iterator[tuple[Any, ...]]:
    for source, _target, key, data in graph.in_edges(node, keys=True, data=True):
        if data["kind"] in kinds:
            yield source, key, data


def _out_edges(graph: Graph, node: NodeId, kinds: frozenset[str]) -> Iterator[tuple[Any, ...]]:
    for _source, target, key, data in graph.out_edges(node, keys=True, data=True):
        if data["kind"] in kinds:
            yield target, key, data


# Tiers ---------------------------------------------------------------------------------------


def effective_tiers(graph: Graph) -> dict[NodeId, int]:
    """Hops from each supplier to the company along supplies edges (1 = direct supplier)."""
    company = company_node(graph)
    if company is None:
        return {}
    tiers: dict[NodeId, int] = {}
    queue: deque[tuple[NodeId, int]] = deque([(company, 0)])
    seen = {company}
    while queue:
        node, depth = queue.popleft()
        for source, _key, _data in _in_edges(graph, node, frozenset({"supplies"})):
            if source not in seen:
                seen.add(source)
                tiers[source] = depth + 1
                queue.append((source, depth + 1))
    return tiers


# Corridors -----------------------------------------------------------------------------------


def edge_corridor(
    graph: Graph,
    source: NodeId,
    target: NodeId,
    data: dict[str, Any],
    destinations: dict[NodeId, frozenset[str]] | None = None,
) -> tuple[str | None, str | None]:
    """Origin and destination of a labour edge, filling gaps from the nodes it joins.

    ``destinations`` memoises where referrals end up when many edges are resolved in one pass.
    """
    origin, destination = data.get("origin"), data.get("destination")
    source_data, target_data = graph.nodes[source], graph.nodes[target]
    kind = data["kind"]
    if kind == "employed_by":
        origin = origin or source_data.get("origin")
        destination = destination or source_data.get("destination") or target_data["country"]
    elif kind == "recruits_for":
        destination = destination or target_data["country"]
        if origin is None and source_data["country"] != destination:
            origin = source_data["country"]  # an origin-country agency recruiting directly
    elif kind == "refers_to":
        if origin is None and source_data.get("role") in (
            "sub_agent",
            "informal_broker",
            "origin_agency",
        ):
            origin = source_data["country"]
        if destination is None:
            if destinations is None:
                destination = _downstream_destination(graph, target)
            else:
                found = _destination_set(graph, target, destinations)
                destination = next(iter(found)) if len(found) == 1 else None
    return origin, destination


def _downstream_destination(graph: Graph, recruiter: NodeId) -> str | None:
    """The destination a referral ends up in, if every onward route agrees on one."""
    found: set[str | None] = set()
    stack, seen = [recruiter], {recruiter}
    while stack:
        node = stack.pop()
        for target, _key, data in _out_edges(graph, node, frozenset({"recruits_for"})):
            found.add(data.get("destination") or graph.nodes[target]["country"])
        for target, _key, _data in _out_edges(graph, node, frozenset({"refers_to"})):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return found.pop() if len(found) == 1 else None


def _destination_set(
    graph: Graph, recruiter: NodeId, memo: dict[NodeId, frozenset[str]]
) -> frozenset[str]:
    """Every destination a recruiter's workers reach, each recruiter computed once (a network
    of 100,000 nodes resolves all its referrals in one linear pass)."""
    cached = memo.get(recruiter)
    if cached is not None:
        return cached
    memo[recruiter] = frozenset()  # refers_to is acyclic, but never loop on bad data
    found: set[str] = set()
    for target, keyed in graph.succ[recruiter].items():
        for data in keyed.values():
            if data["kind"] == "recruits_for":
                found.add(data.get("destination") or graph.nodes[target]["country"])
            elif data["kind"] == "refers_to":
                found |= _destination_set(graph, target, memo)
    memo[recruiter] = frozenset(found)
    return memo[recruiter]


@dataclass
class CorridorSummary:
    origin: str | None
    destination: str | None
    workers: int = 0
    edges_without_workers: int = 0
    recruiters: set[NodeId] = field(default_factory=set)
    employers: set[NodeId] = field(default_factory=set)
    labour_edges: list[Any] = field(default_factory=list)


def corridors(graph: Graph) -> list[CorridorSummary]:
    """Computed once per (frozen) graph: statistics, scoring and reports all ask."""
    return derived(graph, "corridors", lambda: _corridors(graph))


def _corridors(graph: Graph) -> list[CorridorSummary]:
    """Workers, recruiters and employers per origin -> destination corridor.

    Workers are counted where they are placed (recruits_for, employed_by), never again on the
    referrals that fed the placing agency, so a chain of three recruiters is not counted thrice.
    """
    summaries: dict[tuple[str | None, str | None], CorridorSummary] = {}
    for source, target, key, data in graph.edges(keys=True, data=True):
        if data["kind"] not in LABOUR:
            continue
        corridor = edge_corridor(graph, source, target, data)
        summary = summaries.setdefault(corridor, CorridorSummary(*corridor))
        summary.labour_edges.append(key)
        for end in (source, target):
            if graph.nodes[end]["kind"] == "recruiter":
                summary.recruiters.add(end)
        if data["kind"] in DELIVERING:
            summary.employers.add(target)
            workers = data.get("workers")
            if workers is None and data["kind"] == "employed_by":
                workers = graph.nodes[source].get("workers")
            if workers is None:
                summary.edges_without_workers += 1
            else:
                summary.workers += workers
    return sorted(
        summaries.values(),
        key=lambda s: (-s.workers, s.origin or "~", s.destination or "~"),
    )


# Chains --------------------------------------------------------------------------------------


@dataclass
class Chain:
    """A recruitment chain: the first recruiter, every hop, the employer, up to the target."""

    nodes: list[NodeId]
    edge_kinds: list[str]
    edge_keys: list[Any]
    origin: str | None
    destination: str | None
    workers: int | None  # the smallest known worker count along the labour hops

    @property
    def head(self) -> NodeId:
        return self.nodes[0]


def _predecessor_paths(graph: Graph, target: NodeId) -> Iterator[list[tuple[NodeId, Any, str]]]:
    """Every path ending at ``target`` that starts at a recruiter heading a chain, as
    (node, edge key into the next node, edge kind) steps; walked backwards, depth first."""
    stack: list[tuple[NodeId, list[tuple[NodeId, Any, str]]]] = [(target, [])]
    while stack:
        node, suffix = stack.pop()
        sources = list(_chain_sources(graph, node))
        if graph.nodes[node]["kind"] == "recruiter" and not sources:
            yield suffix
        for source, key, data in sources:
            stack.append((source, [(source, key, data["kind"]), *suffix]))


def recruitment_chains(
    graph: Graph, target: NodeId, limit: int = 100, offset: int = 0
) -> tuple[list[Chain], int]:
    """Chains (recruiter -> ... -> target) ending at a supplier or the company: the page
    ``offset``..``offset + limit`` of them, and how many exist (counted exactly, over the DAG,
    without walking them)."""
    chains: list[Chain] = []
    for index, steps in enumerate(_predecessor_paths(graph, target)):
        if index >= offset + limit:
            break
        if index >= offset:
            chains.append(_chain(graph, target, steps))
    return chains, count_chains(graph, target)


def count_chains(graph: Graph, target: NodeId) -> int:
    """How many paths ``_predecessor_paths`` would yield, by dynamic programming in
    topological order: a network with millions of chains is counted in one pass, once per
    (frozen) graph and target."""
    return derived(graph, ("chain count", target), lambda: _count_chains(graph, target))


def _count_chains(graph: Graph, target: NodeId) -> int:
    order: list[NodeId] = []
    seen = {target}
    stack = [target]
    while stack:  # the nodes the walk can reach, backwards from the target
        node = stack.pop()
        order.append(node)
        for source, _key, _data in _chain_sources(graph, node):
            if source not in seen:
                seen.add(source)
                stack.append(source)
    reachable = graph.subgraph(order)
    paths: dict[NodeId, int] = {}
    for node in nx.topological_sort(reachable):
        sources = list(_chain_sources(graph, node))
        if graph.nodes[node]["kind"] == "recruiter" and not sources:
            paths[node] = 1  # a recruiter nobody refers workers to heads a chain
        else:
            paths[node] = sum(paths.get(source, 0) for source, _key, _data in sources)
    return paths.get(target, 0)


def _chain_sources(graph: Graph, node: NodeId) -> Iterator[tuple[Any, ...]]:
    """The edges a chain can arrive by, as ``_predecessor_paths`` follows them."""
    kind = graph.nodes[node]["kind"]
    if kind == "recruiter":
        return _in_edges(graph, node, frozenset({"refers_to"}))
    if kind in EMPLOYERS:
        return _in_edges(graph, node, _INTO_EMPLOYERS)
    return iter(())


def _chain(graph: Graph, target: NodeId, steps: list[tuple[NodeId, Any, str]]) -> Chain:
    nodes = [node for node, _key, _kind in steps] + [target]
    origin = destination = None
    workers: int | None = None
    for index, (node, key, kind) in enumerate(steps):
        if kind not in LABOUR:
            continue
        data = graph.edges[node, nodes[index + 1], key]
        edge_origin, edge_destination = edge_corridor(graph, node, nodes[index + 1], data)
        origin = origin or edge_origin
        destination = edge_destination or destination
        if data.get("workers") is not None:
            workers = data["workers"] if workers is None else min(workers, data["workers"])
    return Chain(
        nodes=nodes,
        edge_kinds=[kind for _n, _k, kind in steps],
        edge_keys=[key for _n, key, _k in steps],
        origin=origin,
        destination=destination,
        workers=workers,
    )


# Neighbourhoods -------------------------------------------------------------------------------


def upstream(graph: Graph, node: NodeId, max_depth: int | None = None) -> dict[NodeId, int]:
    """Everything that feeds into ``node`` (sub-suppliers, recruiters...), with hop counts."""
    return _walk(graph, node, graph.predecessors, max_depth)


def downstream(graph: Graph, node: NodeId, max_depth: int | None = None) -> dict[NodeId, int]:
    """Everything ``node`` feeds into, up to the company, with hop counts."""
    return _walk(graph, node, graph.successors, max_depth)


def _walk(graph: Graph, start: NodeId, step: Any, max_depth: int | None) -> dict[NodeId, int]:
    depths: dict[NodeId, int] = {}
    queue: deque[tuple[NodeId, int]] = deque([(start, 0)])
    while queue:
        node, depth = queue.popleft()
        if max_depth is not None and depth >= max_depth:
            continue
        for neighbour in step(node):
            if neighbour not in depths and neighbour != start:
                depths[neighbour] = depth + 1
                queue.append((neighbour, depth + 1))
    return depths


# Statistics and gaps ------------------------------------------------------------------------


def statistics(graph: Graph) -> dict[str, Any]:
    """Computed once per (frozen) graph; callers must not change the result."""
    return derived(graph, "statistics", lambda: _statistics(graph))


def _statistics(graph: Graph) -> dict[str, Any]:
    kinds = Counter(d["kind"] for _n, d in graph.nodes(data=True))
    roles = Counter(d["role"] for _n, d in graph.nodes(data=True) if d["kind"] == "recruiter")
    edge_kinds = Counter(d["kind"] for _s, _t, d in graph.edges(data=True))
    tiers = effective_tiers(graph)
    suppliers = [n for n, d in graph.nodes(data=True) if d["kind"] == "supplier"]
    by_tier = Counter(str(tiers[n]) if n in tiers else "unconnected" for n in suppliers)
    mismatched = sum(
        1
        for n in suppliers
        if graph.nodes[n]["tier"] is not None and n in tiers and graph.nodes[n]["tier"] != tiers[n]
    )
    employers = [n for n, d in graph.nodes(data=True) if d["kind"] in EMPLOYERS]
    corridor_list = corridors(graph)
    longest = nx.dag_longest_path_length(graph) if graph.number_of_nodes() else 0
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "nodes_by_kind": dict(sorted(kinds.items())),
        "recruiters_by_role": dict(sorted(roles.items())),
        "edges_by_kind": dict(sorted(edge_kinds.items())),
        "suppliers_by_effective_tier": dict(sorted(by_tier.items())),
        "declared_tier_mismatches": mismatched,
        "workers": sum(graph.nodes[n]["workers"] or 0 for n in employers),
        "migrant_workers": sum(graph.nodes[n]["migrant_workers"] or 0 for n in employers),
        "recruited_workers": sum(c.workers for c in corridor_list),
        "countries": sorted({d["country"] for _n, d in graph.nodes(data=True)}),
        "corridors": len(corridor_list),
        "longest_path_hops": longest,
        "components": nx.number_weakly_connected_components(graph) if len(graph) else 0,
    }


@dataclass
class Gap:
    code: str
    node: NodeId | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)


GAP_CODES = {
    "unmapped_recruitment": "Supplier declares migrant workers but no recruiter is mapped",
    "unlicensed_recruiter": "Recruiter without a known licence",
    "informal_broker_chain": "Recruitment chain starts at an informal broker",
    "unconnected": "Node does not lead to the buying company",
    "recruited_exceeds_declared": "More workers recruited than the migrant workers declared",
    "unknown_corridor_origin": "Labour edge without a known origin country",
    "declared_tier_mismatch": "Declared tier differs from the mapped (effective) tier",
}


def visibility_gaps(graph: Graph) -> list[Gap]:
    """What the company cannot see yet: the places where due diligence has blind spots.
    Computed once per (frozen) graph; callers must not change the result."""
    return derived(graph, "gaps", lambda: _visibility_gaps(graph))


def _visibility_gaps(graph: Graph) -> list[Gap]:
    gaps: list[Gap] = []
    company = company_node(graph)
    reaches_company = (
        set(nx.ancestors(graph, company)) | {company} if company is not None else set()
    )
    tiers = effective_tiers(graph)
    for node, data in graph.nodes(data=True):
        kind, name = data["kind"], data["name"]
        if kind in EMPLOYERS and (data.get("migrant_workers") or 0) > 0:
            delivered = list(_in_edges(graph, node, DELIVERING))
            if not delivered:
                gaps.append(
                    Gap(
                        "unmapped_recruitment",
                        node,
                        f"{name} declares {data['migrant_workers']} migrant workers "
                        "but no recruiter or worker group is mapped",
                        {"migrant_workers": data["migrant_workers"]},
                    )
                )
            else:
                recruited = sum(d.get("workers") or 0 for _s, _k, d in delivered)
                if recruited > data["migrant_workers"]:
                    gaps.append(
                        Gap(
                            "recruited_exceeds_declared",
                            node,
                            f"{recruited} workers are recruited into {name}, which "
                            f"declares {data['migrant_workers']} migrant workers",
                            {"recruited": recruited, "migrant_workers": data["migrant_workers"]},
                        )
                    )
        if kind == "recruiter" and not data.get("licence"):
            gaps.append(
                Gap(
                    "unlicensed_recruiter",
                    node,
                    f"{name} ({(data.get('role') or 'recruiter').replace('_', ' ')}) has "
                    "no licence on record",
                    {"role": data.get("role")},
                )
            )
        if (
            kind == "recruiter"
            and data.get("role") == "informal_broker"
            and not list(_in_edges(graph, node, frozenset({"refers_to"})))
            and list(_out_edges(graph, node, LABOUR))
        ):
            gaps.append(
                Gap(
                    "informal_broker_chain",
                    node,
                    f"Workers enter the chain through {name}, an informal broker",
                )
            )
        if company is not None and node not in reaches_company and kind != "company":
            gaps.append(Gap("unconnected", node, f"{name} has no path to the buying company"))
        if (
            kind == "supplier"
            and data.get("tier") is not None
            and node in tiers
            and (tiers[node] != data["tier"])
        ):
            gaps.append(
                Gap(
                    "declared_tier_mismatch",
                    node,
                    f"{name} is declared tier {data['tier']} but maps to tier {tiers[node]}",
                    {"declared": data["tier"], "effective": tiers[node]},
                )
            )
    for source, target, key, data in graph.edges(keys=True, data=True):
        if data["kind"] in LABOUR:
            origin, _destination = edge_corridor(graph, source, target, data)
            if origin is None:
                gaps.append(
                    Gap(
                        "unknown_corridor_origin",
                        source,
                        f"{graph.nodes[source]['name']} -> {graph.nodes[target]['name']}"
                        " has no origin country",
                        {"edge": key},
                    )
                )
    order = list(GAP_CODES)
    return sorted(gaps, key=lambda g: (order.index(g.code), str(g.node)))
