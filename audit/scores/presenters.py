"""Turn scoring results into API bodies (shared by the API, the CLI and the reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

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
from questionnaires.standards import principles
from scoring.corridors import corridor_risks
from scoring.network import BANDS, INSUFFICIENT, NetworkScores, node_corridors
from supplychain.countries import country_name

# Insufficient data sorts apart from the graded bands (below low), never inside them.
BAND_ORDER: dict[str, int] = {INSUFFICIENT: -1, **{band: rank for rank, band in enumerate(BANDS)}}
# Band first: a node with a critical red flag outranks an unassessed one with a higher number.
SORTS = {
    "risk": lambda s: (BAND_ORDER[s.band], s.risk, s.id),
    "exposure": lambda s: (BAND_ORDER[s.exposure_band], s.exposure, s.id),
    "compliance": lambda s: (s.compliance if s.compliance is not None else -1, s.id),
    "name": lambda s: (s.name.lower(), s.id),
}


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
    counts = Counter(s.band for s in scores.nodes.values())
    return BandCounts(**counts)


def filtered(
    scores: NetworkScores,
    *,
    band: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    sort: str = "-risk",
) -> list[NodeScoreSummary]:
    rows = [summary(scores, node_id) for node_id in scores.nodes]
    if band:
        rows = [r for r in rows if r.band == band]
    if kind:
        rows = [r for r in rows if r.kind == kind]
    if country:
        rows = [r for r in rows if r.country == country.upper()]
    descending = sort.startswith("-")
    rows.sort(key=SORTS[sort.lstrip("-")], reverse=descending)
    return rows


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
