"""Turn scoring results into API bodies (shared by the API, the CLI and the reports)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from audit.scores.schemas import (
    AnswerRead,
    BandCounts,
    ChainStep,
    ComplianceRead,
    ComponentRead,
    CorridorRiskRead,
    ExplanationRead,
    FigureRead,
    NodeScoreSummary,
    PrincipleScore,
    RedFlagRead,
    ReportedFeeRead,
)
from audit.scores.service import ScoringContext
from core.memo import derived
from questionnaires.standards import principles
from scoring.corridors import corridor_risks
from scoring.network import BANDS, INSUFFICIENT, NetworkScores, node_corridors
from supplychain.countries import country_name

# Insufficient data sorts apart from the graded bands (below low), never inside them.
BAND_ORDER: dict[str, int] = {INSUFFICIENT: -1, **{band: rank for rank, band in enumerate(BANDS)}}
# Band first: a node with a critical red flag outranks an unassessed one with a higher number.
SORT_KEYS: dict[str, Callable[[NetworkScores, int], tuple[Any, ...]]] = {
    "risk": lambda scores, n: (BAND_ORDER[scores.nodes[n].band], scores.nodes[n].risk, n),
    "exposure": lambda scores, n: (
        BAND_ORDER[scores.exposure_band(n)],
        scores.exposure(n),
        n,
    ),
    "compliance": lambda scores, n: (_compliance(scores, n), n),
    "name": lambda scores, n: (scores.nodes[n].node.name.lower(), n),
}


def _compliance(scores: NetworkScores, node_id: int) -> float:
    compliance = scores.nodes[node_id].compliance
    score = compliance.score if compliance is not None else None
    return score if score is not None else -1


def summary(scores: NetworkScores, node_id: int) -> NodeScoreSummary:
    score = scores.nodes[node_id]
    node = score.node
    compliance = score.compliance
    return NodeScoreSummary(
        id=node.id,
        external_id=node.external_id,
        name=node.name,
        kind=node.kind,
        role=node.role,
        country=node.country,
        risk=score.risk,
        band=score.band,  # type: ignore[arg-type]
        compliance=compliance.score if compliance else None,
        provisional=bool(compliance and compliance.provisional),
        inherent=score.inherent.score,
        red_flags=sorted({f.code for f in score.red_flags}),
        exposure=scores.exposure(node_id),
        exposure_band=scores.exposure_band(node_id),  # type: ignore[arg-type]
        critical_chain=node_id in scores.propagation.flag_hops,
        coverage=score.inherent.coverage,
    )


def band_counts(scores: NetworkScores) -> BandCounts:
    def count() -> BandCounts:
        return BandCounts(**Counter(s.band for s in scores.nodes.values()))

    return derived(scores, "band_counts", count)


def ordered_ids(scores: NetworkScores, sort: str = "-risk") -> list[int]:
    """Node ids in the requested order, sorted once per scoring result (not per request: on a
    100,000-node network a sort costs more than serving a page)."""

    def order() -> list[int]:
        key = SORT_KEYS[sort.lstrip("-")]
        return sorted(scores.nodes, key=lambda n: key(scores, n), reverse=sort.startswith("-"))

    return derived(scores, ("order", sort), order)


def filtered_ids(
    scores: NetworkScores,
    *,
    band: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    sort: str = "-risk",
) -> list[int]:
    """The matching node ids in order; filters apply to the stored order, before any row is
    built, and each combination is kept with the scores."""
    ids = ordered_ids(scores, sort)
    if not (band or kind or country):
        return ids
    wanted = country.upper() if country else None

    def matching() -> list[int]:
        nodes = scores.nodes
        return [
            n
            for n in ids
            if (not band or nodes[n].band == band)
            and (not kind or nodes[n].node.kind == kind)
            and (not wanted or nodes[n].node.country == wanted)
        ]

    return derived(scores, ("filter", band, kind, wanted, sort), matching, keep=64)


def filtered(
    scores: NetworkScores,
    *,
    band: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    sort: str = "-risk",
) -> list[NodeScoreSummary]:
    """Every matching node's summary (the CLI and the dashboard; the API builds a page)."""
    ids = filtered_ids(scores, band=band, kind=kind, country=country, sort=sort)
    return [summary(scores, n) for n in ids]


def chain_step(scores: NetworkScores, node_id: int) -> ChainStep:
    score = scores.nodes[node_id]
    return ChainStep(
        id=node_id,
        external_id=score.node.external_id,
        name=score.node.name,
        kind=score.node.kind,
        role=score.node.role,
        risk=score.risk,
        exposure=scores.exposure(node_id),
        red_flags=sorted({f.code for f in score.red_flags}),
    )


def explanation(context: ScoringContext, node_id: int) -> ExplanationRead:
    scores = context.scores
    score = scores.nodes[node_id]
    compliance = None
    if score.compliance is not None and score.assessment is not None:
        known = principles()
        compliance = ComplianceRead(
            assessment_id=score.assessment.assessment_id,
            questionnaire=score.assessment.questionnaire_label,
            status=score.assessment.status,
            provisional=score.compliance.provisional,
            completed_at=score.assessment.completed_at.isoformat(),
            score=score.compliance.score,
            sections=score.compliance.sections,
            principles=[
                PrincipleScore(
                    tag=tag, label=known[tag].label if tag in known else tag, score=value
                )
                for tag, value in score.compliance.principles.items()
            ],
            red_flags=[
                RedFlagRead(**{**asdict(f), "evidences": list(f.evidences)})
                for f in score.compliance.red_flags
            ],
            weakest_answers=[
                AnswerRead(**{**asdict(c), "evidences": list(c.evidences)})
                for c in score.compliance.weakest()
            ],
        )
    critical = scores.critical_chain(node_id)
    return ExplanationRead(
        node=summary(scores, node_id),
        formula=score.formula,
        compliance=compliance,
        inherent=score.inherent.score,
        components=[
            ComponentRead(
                name=c.name,
                risk=c.risk,
                weight=c.weight,
                reason=c.reason,
                figures=[FigureRead(**asdict(f)) for f in c.figures],
                applicable=c.applicable,
            )
            for c in score.inherent.components
        ],
        unknown=score.inherent.unknown,
        coverage=score.inherent.coverage,
        licensed=score.licensed,
        corridors=[
            f"{o}->{d}" for o, d in (score.corridors or node_corridors(context.graph, node_id))
        ],
        riskiest_chain=[chain_step(scores, n) for n in scores.riskiest_chain(node_id)],
        critical_chain=[chain_step(scores, n) for n in critical] if critical else None,
        profile=scores.profile.summary(),
        reference_overrides=list(scores.reference_overrides),
    )


def corridors(context: ScoringContext, sort: str = "-risk") -> list[CorridorRiskRead]:
    """Every corridor's risk, computed once per scoring result and sort."""
    return derived(context.scores, ("corridors", sort), lambda: _corridors(context, sort))


def _corridors(context: ScoringContext, sort: str) -> list[CorridorRiskRead]:
    rows = corridor_risks(context.graph, context.scores, context.reference)
    if sort == "-workers":
        rows.sort(key=lambda c: (-c.workers, c.origin or "~", c.destination or "~"))
    else:
        rows.sort(
            key=lambda c: (
                -BAND_ORDER.get(c.band or "", -1),
                -(c.worst_risk or 0),
                -c.workers,
                c.origin or "~",
            )
        )
    return [
        CorridorRiskRead(
            origin=c.origin,
            origin_name=country_name(c.origin) if c.origin else "Unknown origin",
            destination=c.destination,
            destination_name=country_name(c.destination) if c.destination else "Unknown",
            workers=c.workers,
            edges_without_workers=c.edges_without_workers,
            recruiters=len(c.recruiters),
            employers=len(c.employers),
            recruiter_ids=c.recruiters,
            employer_ids=c.employers,
            worst_risk=c.worst_risk,
            worst_node_id=c.worst_node,
            worker_weighted_risk=c.worker_weighted_risk,
            band=c.band,  # type: ignore[arg-type]
            critical_recruiter_ids=c.critical_recruiters,
            reference_costs=[FigureRead(**asdict(f)) for f in c.reference_costs],
            reported_fees=[ReportedFeeRead(**asdict(f)) for f in c.reported_fees],
            reported_median_usd=c.reported_median_usd,
        )
        for c in rows
    ]
