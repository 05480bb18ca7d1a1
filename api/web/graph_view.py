"""Which part of a network the dashboard's network view draws: never all of a large one.

A browser can lay out a few hundred nodes, not 100,000, so the server chooses the subgraph: the
riskiest chains to the buyer by default, one node's chain (what feeds it and where it leads), or
one corridor (its recruiters and worker groups, the employers they place workers with, and
their way to the buyer). Past ``CAP`` nodes the view is grown from the buyer riskiest-first, so
every node shown keeps its shown path downstream, and the view says how many it left out.

Pure: reads the cached graph and scores only, and costs the chosen subgraph plus at most one
pass over the graph (the corridor's edge index is built once per graph version).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from audit.scores.presenters import ordered_ids
from audit.scores.service import ScoringContext
from core.memo import derived
from core.numbers import counted
from scoring.network import NetworkScores
from supplychain import analysis
from supplychain.countries import country_name

CAP = 300  # nodes a phone's browser lays out in well under a second
CHAINS = 10  # chains in the default view
SUGGESTIONS = 200  # suppliers offered by name in the filter's datalist
UNKNOWN = "unknown"  # a corridor end nobody recorded, in a corridor key


@dataclass(frozen=True)
class CorridorChoice:
    key: str  # "MM-TH", the value of ``?corridor=``
    label: str
    workers: int


@dataclass(frozen=True)
class NodeChoice:
    value: str  # the external id: what a person can read and type
    label: str


@dataclass
class View:
    """The nodes and edges to draw, and what was left out to keep the drawing usable."""

    title: str
    nodes: list[int]
    edges: list[tuple[int, int, str]]
    total: int  # nodes the chosen view holds before the cap
    network_nodes: int
    scope: str  # "network", "corridor" or "chain": what ``total`` counts
    focus: int | None = None
    corridor: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def left_out(self) -> int:
        return self.total - len(self.nodes)


def corridor_key(origin: str | None, destination: str | None) -> str:
    return f"{origin or UNKNOWN}-{destination or UNKNOWN}"


def corridor_label(origin: str | None, destination: str | None) -> str:
    start = country_name(origin) if origin else "Unknown origin"
    end = country_name(destination) if destination else "unknown destination"
    return f"{start} → {end}"


def corridor_choices(context: ScoringContext) -> list[CorridorChoice]:
    """Every corridor, the most workers first: from the graph's own corridor summary (cached
    with the graph, shared with the overview's statistics), not the corridor risk rows, which
    cost a second more on a 100,000-node network and add nothing a choice needs."""
    return [
        CorridorChoice(
            key=corridor_key(s.origin, s.destination),
            label=corridor_label(s.origin, s.destination),
            workers=s.workers,
        )
        for s in analysis.corridors(context.graph)
    ]


def node_choices(scores: NetworkScores, limit: int = SUGGESTIONS) -> list[NodeChoice]:
    """The riskiest suppliers, for the datalist; any other is found by typing its id or name."""
    chosen: list[NodeChoice] = []
    for node_id in ordered_ids(scores, "-exposure"):
        facts = scores.nodes[node_id].node
        if facts.kind == "supplier":
            chosen.append(NodeChoice(facts.external_id, f"{facts.name} ({facts.country})"))
            if len(chosen) >= limit:
                break
    return chosen


def find_node(context: ScoringContext, wanted: str) -> int | None:
    """A node of this network by database id, external id or name (ignoring case)."""
    text = wanted.strip()
    nodes = context.scores.nodes
    if text.isdigit() and int(text) in nodes:
        return int(text)
    folded = text.casefold()
    by_name = None
    for node_id, data in context.graph.nodes(data=True):
        if data["external_id"] == text:
            return int(node_id)
        if by_name is None and (data["name"] or "").casefold() == folded:
            by_name = int(node_id)
    return by_name


# Views -----------------------------------------------------------------------------------------


def riskiest_chains(context: ScoringContext, cap: int = CAP, chains: int = CHAINS) -> View:
    """The buyer and the chains of the most exposed other nodes, each from the
    upstream node that sets (or flags) its exposure down to the buyer; a chain already drawn
    is not counted again, so ten chains are ten different routes."""
    graph, scores = context.graph, context.scores
    company = scores.company
    chosen: dict[int, None] = {company: None} if company is not None else {}
    drawn = 0
    for node_id in ordered_ids(scores, "-exposure"):
        if drawn >= chains:
            break
        if node_id in chosen or scores.nodes[node_id].node.kind == "company":
            continue
        chain = scores.critical_chain(node_id) or scores.riskiest_chain(node_id)
        path = [*chain, *_way_down(graph, chain[-1], company)]
        new = [n for n in dict.fromkeys(path) if n not in chosen]
        if len(chosen) + len(new) > cap:
            break
        chosen.update(dict.fromkeys(new))
        drawn += 1
    nodes = list(chosen)
    view = View(
        title=f"The {counted(drawn, 'riskiest chain', 'riskiest chains')} to the buyer",
        nodes=nodes,
        edges=_edges(graph, nodes),
        total=graph.number_of_nodes(),
        network_nodes=graph.number_of_nodes(),
        scope="network",
    )
    if view.left_out:
        view.notes.append(
            f"Showing {len(nodes):,} of {view.total:,} nodes: the {drawn} riskiest chains. "
            "Choose a corridor or a supplier to see its whole subgraph."
        )
    return view


def node_chain(context: ScoringContext, node_id: int, cap: int = CAP) -> View:
    """One node's subgraph: everything feeding it (sub-suppliers, recruiters, sub-agents) and
    every way from it to the buyer."""
    graph = context.graph
    down = analysis.downstream(graph, node_id)
    candidates = {node_id, *analysis.upstream(graph, node_id), *down}
    first = [node_id, *sorted(down, key=down.__getitem__)]
    name = graph.nodes[node_id]["name"]
    view = _trimmed(
        context,
        candidates,
        first,
        cap,
        title=f"The chain of {name}",
        scope="chain",
    )
    view.focus = node_id
    if view.left_out:
        view.notes.append(
            f"Showing {len(view.nodes):,} of {view.total:,} nodes in the chain of {name}, "
            "the riskiest routes first. Open a node further up to see the rest of its chain."
        )
    return view


def corridor_view(context: ScoringContext, key: str, cap: int = CAP) -> View | None:
    """One corridor: the ends of its labour edges (recruiters, worker groups, the employers
    they place workers with) and every way from those employers to the buyer. ``None`` when
    the network has no such corridor."""
    graph = context.graph
    summary = next(
        (
            s
            for s in analysis.corridors(graph)
            if corridor_key(s.origin, s.destination) == key.strip()
        ),
        None,
    )
    if summary is None:
        return None
    ends = _edge_ends(graph)
    candidates: set[Any] = set()
    for edge_key in summary.labour_edges:
        candidates.update(ends[edge_key])
    candidates |= _downstream_of(graph, summary.employers)
    company = context.scores.company
    label = corridor_label(summary.origin, summary.destination)
    view = _trimmed(
        context,
        candidates,
        [company] if company in candidates else [],
        cap,
        title=f"The corridor {label}",
        scope="corridor",
    )
    view.corridor = key
    if view.left_out:
        view.notes.append(
            f"Showing {len(view.nodes):,} of {view.total:,} nodes in this corridor, the "
            "riskiest chains first. Filter to a supplier to see all its chain."
        )
    return view


# Helpers ---------------------------------------------------------------------------------------


def _way_down(graph: Any, start: int, company: int | None) -> list[int]:
    """One shortest way from ``start`` to the buyer (breadth first downstream, so it costs what
    lies downstream of ``start``), without ``start``; empty when there is none."""
    if company is None or start == company:
        return []
    parents: dict[int, int] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in graph.succ[node]:
            if target in parents or target == start:
                continue
            parents[target] = node
            if target == company:
                path = [target]
                while parents[path[-1]] != start:
                    path.append(parents[path[-1]])
                return list(reversed(path))
            queue.append(target)
    return []


def _downstream_of(graph: Any, starts: Iterable[Any]) -> set[Any]:
    """Everything the given nodes lead to, in one walk shared between them."""
    seen = set(starts)
    stack = list(seen)
    while stack:
        for target in graph.succ[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _edge_ends(graph: Any) -> dict[Any, tuple[Any, Any]]:
    """Edge id -> (source, target), once per graph version (corridors list their edges by id)."""

    def index() -> dict[Any, tuple[Any, Any]]:
        return {key: (source, target) for source, target, key in graph.edges(keys=True)}

    return derived(graph, "graph view: edge ends", index)


def _edges(graph: Any, nodes: list[int]) -> list[tuple[int, int, str]]:
    """The edges among ``nodes``, one per (source, target, kind): read from each node's own
    out-edges, never from the buyer's (possibly huge) list of in-edges."""
    shown = set(nodes)
    edges: dict[tuple[int, int, str], None] = {}
    for source in nodes:
        for target, keyed in graph.succ[source].items():
            if target in shown:
                for data in keyed.values():
                    edges[(int(source), int(target), str(data["kind"]))] = None
    return list(edges)


def _trimmed(
    context: ScoringContext,
    candidates: set[Any],
    first: list[Any],
    cap: int,
    *,
    title: str,
    scope: str,
) -> View:
    """``candidates`` if they fit under ``cap``; otherwise ``first`` (kept whole as far as the
    cap allows) and then, riskiest first, what feeds the nodes already kept, preferring the
    deeper node on a tie so a chain is finished before the next one starts. Growing upstream
    from kept nodes keeps every shown node's way down to the buyer on the page."""
    graph, scores = context.graph, context.scores
    if len(candidates) <= cap:
        nodes = sorted(candidates, key=lambda n: (-scores.exposure(n), n))
        return View(
            title=title,
            nodes=nodes,
            edges=_edges(graph, nodes),
            total=len(candidates),
            network_nodes=graph.number_of_nodes(),
            scope=scope,
        )
    if not first:  # no buyer among them: start from the candidates nothing else here leads to
        first = sorted(
            (n for n in candidates if not any(t in candidates for t in graph.succ[n])),
            key=lambda n: (-scores.exposure(n), n),
        )
    chosen: dict[Any, int] = {}
    heap: list[tuple[float, int, Any]] = []

    def keep(node: Any, depth: int) -> None:
        chosen[node] = depth
        for source in graph.pred[node]:
            if source in candidates and source not in chosen:
                heapq.heappush(heap, (-scores.exposure(source), -(depth + 1), source))

    for node in first:
        if len(chosen) >= cap:
            break
        if node not in chosen:
            keep(node, 0)
    while heap and len(chosen) < cap:
        _risk, depth, node = heapq.heappop(heap)
        if node not in chosen:
            keep(node, -depth)
    nodes = list(chosen)
    return View(
        title=title,
        nodes=nodes,
        edges=_edges(graph, nodes),
        total=len(candidates),
        network_nodes=graph.number_of_nodes(),
        scope=scope,
    )
