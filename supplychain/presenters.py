"""Graph questions answered for the API: analysis results turned into response schemas."""

from __future__ import annotations

from sqlmodel import Session

from core.errors import InvalidInput
from core.memo import derived
from core.pagination import Page, PageParams
from supplychain import analysis
from supplychain.graph import network_graph
from supplychain.models import ImportMapping, Network, Node
from supplychain.schemas import (
    ChainRead,
    ChainsRead,
    GapRead,
    ImportMappingRead,
    NeighbourRead,
    NodeBrief,
    StatsRead,
    TierRead,
)


def brief(graph: analysis.Graph, node: analysis.NodeId) -> NodeBrief:
    data = graph.nodes[node]
    return NodeBrief(
        id=int(node),  # type: ignore[call-overload]
        external_id=data["external_id"],
        name=data["name"],
        kind=data["kind"],
        country=data["country"],
        role=data.get("role"),
    )


def tiers(session: Session, network: Network) -> list[TierRead]:
    """Every supplier's tiers, computed once per network version."""
    graph = network_graph(session, network)
    return derived(graph, "tiers", lambda: _tiers(graph))


def _tiers(graph: analysis.Graph) -> list[TierRead]:
    effective = analysis.effective_tiers(graph)
    result = []
    for node, data in graph.nodes(data=True):
        if data["kind"] != "supplier":
            continue
        declared, mapped = data.get("tier"), effective.get(node)
        result.append(
            TierRead(
                node=brief(graph, node),
                declared_tier=declared,
                effective_tier=mapped,
                mismatch=declared is not None and mapped is not None and declared != mapped,
            )
        )
    return sorted(result, key=lambda t: (t.effective_tier or 10**9, t.node.external_id))


def chains(
    session: Session, network: Network, target: Node | None, limit: int, offset: int = 0
) -> ChainsRead:
    graph = network_graph(session, network)
    target_id = target.id if target is not None else analysis.company_node(graph)
    if target_id is None:
        raise InvalidInput(
            "The network has no company node; name a target supplier",
            errors=[{"field": "target", "in": "query", "message": "required without a company"}],
        )
    if graph.nodes[target_id]["kind"] not in analysis.EMPLOYERS:
        raise InvalidInput(
            "Recruitment chains end at a supplier or the company",
            errors=[{"field": "target", "in": "query", "message": "not a supplier or company"}],
        )
    found, total = derived(
        graph,
        ("chains", target_id, limit, offset),
        lambda: analysis.recruitment_chains(graph, target_id, limit, offset),
    )
    return ChainsRead(
        target=brief(graph, target_id),
        total=total,
        limit=limit,
        offset=offset,
        chains=[
            ChainRead(
                nodes=[brief(graph, n) for n in chain.nodes],
                edge_kinds=chain.edge_kinds,
                origin=chain.origin,
                destination=chain.destination,
                workers=chain.workers,
            )
            for chain in found
        ],
    )


def neighbours(
    session: Session,
    network: Network,
    node: Node,
    direction: str,
    depth: int | None,
    page: PageParams,
) -> Page[NeighbourRead]:
    """One page of what feeds into (upstream) or out of (downstream) a node, nearest first;
    the walk is done once per network version, node and depth."""
    graph = network_graph(session, network)
    walk = analysis.upstream if direction == "upstream" else analysis.downstream

    def ordered() -> list[tuple[analysis.NodeId, int]]:
        found = walk(graph, node.id, depth)
        return sorted(found.items(), key=lambda item: (item[1], item[0]))

    rows = derived(graph, (direction, node.id, depth), ordered, keep=32)
    return Page[NeighbourRead](
        items=[
            NeighbourRead(node=brief(graph, n), depth=d)
            for n, d in rows[page.offset : page.offset + page.limit]
        ],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


def gaps(session: Session, network: Network, code: str | None, page: PageParams) -> Page[GapRead]:
    """One page of the blind spots, optionally of one kind; found once per network version."""
    graph = network_graph(session, network)
    found = analysis.visibility_gaps(graph)
    if code is not None:
        found = derived(graph, ("gaps", code), lambda: [g for g in found if g.code == code])
    return Page[GapRead](
        items=[
            GapRead(
                code=gap.code,
                title=analysis.GAP_CODES[gap.code],
                node=brief(graph, gap.node) if gap.node is not None else None,
                message=gap.message,
                details=gap.details,
            )
            for gap in found[page.offset : page.offset + page.limit]
        ],
        total=len(found),
        limit=page.limit,
        offset=page.offset,
    )


def stats(session: Session, network: Network) -> StatsRead:
    graph = network_graph(session, network)
    figures = analysis.statistics(graph)
    return StatsRead(network_id=network.id or 0, version=network.version, **figures)


def import_mapping(row: ImportMapping) -> ImportMappingRead:
    """A saved mapping as sent: its two sections, whatever the stored document holds else."""
    document = row.mapping
    return ImportMappingRead(
        name=row.name,
        organisation_id=row.organisation_id,
        nodes=dict(document.get("nodes") or {}),
        edges=dict(document.get("edges") or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
