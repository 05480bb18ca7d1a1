"""HTTP endpoints answering questions about a network's structure."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import NetworkDep, SessionDep
from api.errors import AUTH_RESPONSES, INVALID, NOT_FOUND
from api.pagination import Page, PageDep
from core.schemas import IdParam
from supplychain import presenters as queries
from supplychain import service as networks
from supplychain.analysis import GAP_CODES
from supplychain.schemas import (
    ChainsRead,
    GapRead,
    NeighbourRead,
    StatsRead,
    TierRead,
)

router = APIRouter(prefix="/networks/{network_id}", responses={**AUTH_RESPONSES, **NOT_FOUND})


@router.get("/graph/stats", response_model=StatsRead, tags=["graph"], operation_id="graph-stats")
def network_statistics(session: SessionDep, network: NetworkDep) -> StatsRead:
    """Counts by kind and role, suppliers by effective tier, workers, corridors, depth."""
    return queries.stats(session, network)


@router.get(
    "/graph/tiers", response_model=Page[TierRead], tags=["graph"], operation_id="graph-tiers"
)
def effective_tiers(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    mismatch_only: Annotated[bool, Query(description="Only declared != effective.")] = False,
) -> Page[TierRead]:
    """Each supplier's declared tier against its effective tier (hops to the company)."""
    rows = queries.tiers(session, network)
    if mismatch_only:
        rows = [row for row in rows if row.mismatch]
    return Page[TierRead](
        items=rows[page.offset : page.offset + page.limit],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/graph/chains",
    response_model=ChainsRead,
    tags=["graph"],
    operation_id="graph-chains",
    responses=INVALID,
)
def recruitment_chains(
    session: SessionDep,
    network: NetworkDep,
    target: Annotated[
        IdParam | None, Query(description="Supplier node id; default: the company.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Chains per page (1-1000).")] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000, description="Chains to skip.")] = 0,
) -> ChainsRead:
    """Recruitment chains (first recruiter -> ... -> target), e.g. sub-agent -> origin agency
    -> destination agency -> supplier -> company: one page, and the exact total."""
    node = networks.get_node(session, network=network, node_id=target) if target else None
    return queries.chains(session, network, node, limit, offset)


@router.get(
    "/graph/gaps",
    response_model=Page[GapRead],
    tags=["graph"],
    operation_id="graph-gaps",
)
def visibility_gaps(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    code: Annotated[
        Literal[tuple(GAP_CODES)] | None,  # type: ignore[valid-type]
        Query(description="Only this gap: " + ", ".join(GAP_CODES)),
    ] = None,
) -> Page[GapRead]:
    """Blind spots: migrant workers with no recruiter mapped, unlicensed recruiters, chains
    starting at informal brokers, unconnected nodes, unknown corridor origins."""
    return queries.gaps(session, network, code, page)


@router.get(
    "/nodes/{node_id}/{direction}",
    response_model=Page[NeighbourRead],
    tags=["graph"],
    operation_id="graph-neighbours",
)
def neighbours(
    node_id: IdParam,
    direction: Literal["upstream", "downstream"],
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    depth: Annotated[int | None, Query(ge=1, le=50, description="Maximum hops.")] = None,
) -> Page[NeighbourRead]:
    """Upstream: everything feeding into the node. Downstream: everything it feeds. Nearest
    first, one page at a time."""
    node = networks.get_node(session, network=network, node_id=node_id)
    return queries.neighbours(session, network, node, direction, depth, page)
