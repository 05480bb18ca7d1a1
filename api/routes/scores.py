"""HTTP endpoints for risk scores, their explanations and corridor risk."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import NetworkDep, SessionDep
from api.errors import AUTH_RESPONSES, NOT_FOUND
from api.pagination import Page, PageDep
from audit.orientation.presenters import with_orientation
from audit.orientation.service import orientation_coverage
from audit.scores import presenters as score_views
from audit.scores.schemas import Band, CorridorRiskRead, ExplanationRead, ScoresPage
from audit.scores.service import scoring_context
from core.schemas import IdParam, QueryText
from supplychain import service as networks

router = APIRouter(
    prefix="/networks/{network_id}", tags=["scores"], responses={**AUTH_RESPONSES, **NOT_FOUND}
)
Sort = Literal[
    "risk", "-risk", "exposure", "-exposure", "compliance", "-compliance", "name", "-name"
]


@router.get("/scores", response_model=ScoresPage, operation_id="scores-list")
def list_scores(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    band: Annotated[Band | None, Query(description="Node risk band.")] = None,
    kind: Annotated[
        Literal["company", "supplier", "recruiter", "worker_group"] | None, Query()
    ] = None,
    country: Annotated[QueryText | None, Query(min_length=2, max_length=2)] = None,
    sort: Annotated[Sort, Query(description="Field, '-' for descending.")] = "-risk",
) -> ScoresPage:
    """Risk of every node (compliance, inherent, combined) and its network exposure, worst
    first by default, with the company's exposure and the count of nodes per band."""
    context = scoring_context(session, network)
    ids = score_views.filtered_ids(context.scores, band=band, kind=kind, country=country, sort=sort)
    company = context.scores.company
    return ScoresPage(
        items=[
            score_views.summary(context.scores, n)
            for n in ids[page.offset : page.offset + page.limit]
        ],
        total=len(ids),
        limit=page.limit,
        offset=page.offset,
        profile_version=context.scores.profile.version,
        company=score_views.summary(context.scores, company) if company is not None else None,
        bands=score_views.band_counts(context.scores),
        reference_overrides=list(context.scores.reference_overrides),
    )


@router.get("/nodes/{node_id}/score", response_model=ExplanationRead, operation_id="scores-explain")
def node_score(node_id: IdParam, session: SessionDep, network: NetworkDep) -> ExplanationRead:
    """One node's score with everything that produced it: answers, reference figures with
    their sources and years, weights, the formula, and the riskiest and critical chains."""
    node = networks.get_node(session, network=network, node_id=node_id)
    context = scoring_context(session, network)
    return score_views.explanation(context, node.id or 0)


@router.get("/corridors", response_model=Page[CorridorRiskRead], operation_id="scores-corridors")
def corridor_risk(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    sort: Annotated[
        Literal["-risk", "-workers"], Query(description="Worst risk first, or most workers first")
    ] = "-risk",
    origin: Annotated[
        QueryText | None, Query(min_length=2, max_length=2, description="Origin country, e.g. NP")
    ] = None,
    destination: Annotated[
        QueryText | None, Query(min_length=2, max_length=2, description="Destination, e.g. MY")
    ] = None,
) -> Page[CorridorRiskRead]:
    """Recruitment corridors (origin -> destination): workers, recruiters, employers, worst and
    worker-weighted risk, and worker-paid cost data (survey figures and reported fees)."""
    rows = score_views.corridors(scoring_context(session, network), sort=sort)
    rows = with_orientation(rows, orientation_coverage(session, network=network))
    if origin:
        rows = [r for r in rows if r.origin == origin.upper()]
    if destination:
        rows = [r for r in rows if r.destination == destination.upper()]
    return Page[CorridorRiskRead](
        items=rows[page.offset : page.offset + page.limit],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )
