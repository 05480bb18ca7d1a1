"""Inherent risk of a node from public reference data, its role and the gaps in what we know.

A weighted mean of the components that can be judged. A component with no data (a country
without a TIP tier or GSI figure, a sector not given) is left out and listed as unknown rather
than scored as zero or as average: "we do not know" must never read as "low risk". Missing
assessments are themselves a component (data gap), so not knowing still costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from scoring.facts import AssessmentFacts, NodeFacts
from scoring.profile import ScoringProfile
from scoring.reference import LISTED, NOT_COVERED, CorridorCost, ListedGood, ReferenceData


@dataclass(frozen=True)
class Figure:
    """One reference figure used, with where it came from."""

    label: str
    value: str
    source: str
    year: int | None = None
    estimate: bool = False
    quality: str = ""  # primary | mirror | secondary: how directly the source was read
    level: str = ""  # for costs: corridor survey | origin average | ...
    subject: str = ""  # the country, corridor or good the figure is about


@dataclass(frozen=True)
class Component:
    name: str  # country | sector | corridor | role | data_gap
    risk: float | None  # 0..100, None when unknown
    weight: float
    reason: str
    figures: tuple[Figure, ...] = field(default=())
    applicable: bool = True  # False: the component does not apply to this kind of node


@dataclass(frozen=True)
class InherentResult:
    score: float
    components: tuple[Component, ...]
    # Whether any reference component (not the data-gap penalty) is known: computed once here,
    # since results are shared by thousands of nodes.
    evidence: bool = False

    @property
    def unknown(self) -> list[str]:
        """Components that apply to the node but have no data: a gap, not a zero."""
        return [c.name for c in self.components if c.applicable and c.risk is None]

    @property
    def known(self) -> list[str]:
        return [c.name for c in self.components if c.applicable and c.risk is not None]

    @property
    def coverage(self) -> str:
        applicable = len(self.known) + len(self.unknown)
        return f"{len(self.known)} of {applicable} components known"


# What counts as knowing something about a node's risk from reference data. A data gap is a
# penalty for not knowing, so on its own it is no knowledge.
EVIDENCE = frozenset({"country", "sector", "corridor", "role"})


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def country_component(
    countries: list[str], reference: ReferenceData, profile: ScoringProfile
) -> Component:
    """The riskiest of the node's own country and the origins of the workers it handles."""
    best: tuple[float, str, list[Figure]] | None = None
    unknown: list[str] = []
    for iso2 in dict.fromkeys(countries):
        figures = reference.country(iso2)
        if figures is None:
            unknown.append(iso2)
            continue
        parts: list[float] = []
        used: list[Figure] = []
        if figures.tip_tier and figures.tip_tier in profile.tip_tier_risk:
            parts.append(profile.tip_tier_risk[figures.tip_tier])
            used.append(
                Figure(
                    f"{figures.name}: US TIP Report tier",
                    figures.tip_tier,
                    figures.tip_source,
                    figures.tip_year,
                    quality=figures.tip_quality,
                    subject=figures.name,
                )
            )
        if figures.gsi_prevalence is not None:
            parts.append(_clamp(100 * figures.gsi_prevalence / profile.gsi_prevalence_ceiling))
            used.append(
                Figure(
                    f"{figures.name}: GSI prevalence per 1,000",
                    f"{figures.gsi_prevalence:g}",
                    figures.gsi_source,
                    figures.gsi_year,
                    quality=figures.gsi_quality,
                    subject=figures.name,
                )
            )
        if figures.gsi_vulnerability is not None:
            parts.append(_clamp(figures.gsi_vulnerability))
            used.append(
                Figure(
                    f"{figures.name}: GSI vulnerability (0-100)",
                    f"{figures.gsi_vulnerability:g}",
                    figures.gsi_source,
                    figures.gsi_year,
                    quality=figures.gsi_quality,
                    subject=figures.name,
                )
            )
        if not parts:
            unknown.append(iso2)
            continue
        risk = round(mean(parts), 2)
        if best is None or risk > best[0]:
            best = (risk, iso2, used)
    if best is None:
        return Component(
            "country",
            None,
            profile.country_weight,
            f"no reference figures for {', '.join(unknown) or 'the country'}",
        )
    risk, iso2, used = best
    reason = f"{iso2}: mean of {len(used)} figure(s)"
    if unknown:
        reason += f"; no figures for {', '.join(unknown)}"
    return Component("country", risk, profile.country_weight, reason, tuple(used))


def sector_component(
    node: NodeFacts, reference: ReferenceData, profile: ScoringProfile
) -> Component:
    if node.kind in ("recruiter", "worker_group"):
        return Component(
            "sector", None, profile.sector_weight, "not an employer site", applicable=False
        )
    if node.products:
        return product_component(node, reference, profile)
    if not node.sector:
        return Component("sector", None, profile.sector_weight, "unknown: no sector given")
    coverage = reference.goods_coverage(node.country, node.sector)
    if coverage == NOT_COVERED:
        why = (
            f"the US DoL list does not report on {node.country}"
            if reference.covers_sector(node.sector)
            else f"the US DoL list names goods, not {node.sector.replace('_', ' ')} work"
        )
        return Component("sector", None, profile.sector_weight, f"unknown: {why}")
    goods = reference.goods_for(node.country, node.sector)
    if coverage != LISTED:
        return Component(
            "sector",
            profile.sector_unlisted_risk,
            profile.sector_weight,
            f"sector-level match: no {node.sector} goods from {node.country} on the US DoL list",
        )
    return _listed_component(
        goods,
        profile,
        f"sector-level match: {len(goods)} listed good(s) "
        "in this sector and country (no products given)",
    )


def product_component(
    node: NodeFacts, reference: ReferenceData, profile: ScoringProfile
) -> Component:
    """Sector risk from what the site makes: goods of its country named by its products. A
    product the list never names anywhere is unknown, whatever the coarse sector suggests."""
    products = [p.strip() for p in (node.products or "").split(";") if p.strip()]
    listed: list[ListedGood] = []
    for product in products:
        listed.extend(
            g for g in reference.goods_for_product(node.country, product) if g not in listed
        )
    if listed:
        names = ", ".join(dict.fromkeys(g.good for g in listed))
        return _listed_component(listed, profile, f"product match: {names} ({node.country})")
    named = [p for p in products if reference.lists_product(p)]
    if named and node.country in reference.goods_countries:
        return Component(
            "sector",
            profile.sector_unlisted_risk,
            profile.sector_weight,
            f"product match: {', '.join(named)} listed for other countries, not {node.country}",
        )
    why = (
        f"the US DoL list does not report on {node.country}"
        if named
        else f"the US DoL list names none of: {', '.join(products)}"
    )
    return Component("sector", None, profile.sector_weight, f"unknown: {why}")


def _listed_component(goods: list[ListedGood], profile: ScoringProfile, reason: str) -> Component:
    forced = [g for g in goods if g.forced_labour]
    risk = profile.sector_forced_labour_risk if forced else profile.sector_child_labour_risk
    figures = tuple(
        Figure(
            f"US DoL list: {g.good} ({g.iso2})",
            ", ".join(
                x
                for x, on in (("forced labour", g.forced_labour), ("child labour", g.child_labour))
                if on
            ),
            g.source_title,
            g.edition or g.list_year,
            quality=g.source_quality,
            subject=f"{g.good} ({g.iso2})",
        )
        for g in goods
    )
    return Component("sector", risk, profile.sector_weight, reason, figures)


def cost_risk(
    cost: CorridorCost, reference: ReferenceData, profile: ScoringProfile
) -> tuple[float, Figure] | None:
    corridor = f"{cost.origin or 'any'}->{cost.destination or 'any'}"

    def figure(value: str) -> Figure:
        return Figure(
            f"{corridor} worker-paid cost ({cost.statistic})",
            value,
            cost.source_title,
            cost.survey_year,
            cost.is_estimate,
            cost.source_quality,
            cost.level,
            corridor,
        )

    if cost.months_of_earnings is not None:
        return (
            _clamp(100 * cost.months_of_earnings / profile.corridor_months_ceiling),
            figure(f"{cost.months_of_earnings:g} months of earnings"),
        )
    if cost.cost_usd is not None:
        return (
            _clamp(100 * cost.cost_usd / profile.corridor_usd_ceiling),
            figure(f"USD {cost.cost_usd:,.0f}"),
        )
    if cost.local_amount is not None and cost.local_currency:
        converted = reference.to_usd(cost.local_amount, cost.local_currency, cost.survey_year)
        if converted is None:
            return None
        usd, rate = converted
        return (
            _clamp(100 * usd / profile.corridor_usd_ceiling),
            figure(
                f"{cost.local_currency} {cost.local_amount:,.0f} = USD {usd:,.0f} at "
                f"{rate.units_per_usd:g} per USD ({rate_year_note(rate.year, cost.survey_year)}"
                f" {rate.basis})"
            ),
        )
    return None


def rate_year_note(rate_year: int, wanted: int | None) -> str:
    """The rate's year, and the year it stands in for when no rate of that year is shipped."""
    if wanted is None or wanted == rate_year:
        return str(rate_year)
    return f"{rate_year}, nearest to {wanted}"


def corridor_figures(
    origin: str, destination: str, reference: ReferenceData, profile: ScoringProfile
) -> list[tuple[float, Figure]]:
    """Survey figures for the corridor; failing those, estimates for it; failing those, the
    origin's figures pooled over all destinations (e.g. its SDG 10.7.1 value). Each figure
    names its level, so a fallback is never taken for a corridor survey."""
    for costs in (reference.costs(origin, destination), reference.origin_costs(origin)):
        scored = [
            pair for cost in costs if (pair := cost_risk(cost, reference, profile)) is not None
        ]
        surveys = [pair for pair in scored if not pair[1].estimate]
        if surveys or scored:
            return surveys or scored
    return []


def corridor_component(
    corridors: list[tuple[str, str]],
    reference: ReferenceData,
    profile: ScoringProfile,
    *,
    recruits: bool = True,
) -> Component:
    """The costliest corridor the node recruits on, judged on survey figures where any exist.
    Only those who recruit carry corridor cost themselves (``recruits``)."""
    if not recruits:
        return Component(
            "corridor",
            None,
            profile.corridor_weight,
            "does not recruit (its recruiters' corridors reach it through propagation)",
            applicable=False,
        )
    if not corridors:
        return Component(
            "corridor", None, profile.corridor_weight, "unknown: no recruitment corridor mapped"
        )
    best: tuple[float, str, list[Figure]] | None = None
    without: list[str] = []
    for origin, destination in dict.fromkeys(corridors):
        chosen = corridor_figures(origin, destination, reference, profile)
        if not chosen:
            without.append(f"{origin}->{destination}")
            continue
        risk = round(mean(r for r, _ in chosen), 2)
        if best is None or risk > best[0]:
            best = (risk, f"{origin}->{destination}", [f for _, f in chosen])
    if best is None:
        return Component(
            "corridor", None, profile.corridor_weight, f"no cost figures for {', '.join(without)}"
        )
    risk, corridor, figures = best
    estimate = all(f.estimate for f in figures)
    levels = sorted({f.level for f in figures})
    reason = f"{corridor}: mean of {len(figures)} figure(s)" + (
        " (estimates, no survey figure)" if estimate else ""
    )
    if levels != ["corridor survey"]:
        reason += f" ({', '.join(levels)}: no survey of this corridor)"
    return Component("corridor", risk, profile.corridor_weight, reason, tuple(figures))


def role_component(node: NodeFacts, licensed: bool | None, profile: ScoringProfile) -> Component:
    if node.kind != "recruiter":
        return Component("role", None, profile.role_weight, "not a recruiter", applicable=False)
    base = profile.role_risk.get(node.role or "", max(profile.role_risk.values()))
    reason = f"{(node.role or 'unknown role').replace('_', ' ')}"
    if licensed is False:
        base += profile.unlicensed_surcharge
        reason += ", no licence"
    return Component("role", _clamp(base), profile.role_weight, reason)


def data_gap_component(
    node: NodeFacts,
    assessment: AssessmentFacts | None,
    profile: ScoringProfile,
    now: datetime,
) -> Component:
    if node.kind in ("company", "worker_group"):
        return Component(
            "data_gap", None, profile.data_gap_weight, "not assessed by design", applicable=False
        )
    if assessment is None:
        return Component(
            "data_gap",
            profile.gap_no_assessment,
            profile.data_gap_weight,
            "no submitted assessment",
        )
    age = (now - assessment.completed_at).days
    if age > profile.assessment_max_age_days:
        return Component(
            "data_gap",
            profile.gap_stale,
            profile.data_gap_weight,
            f"assessment is {age} days old (limit {profile.assessment_max_age_days})",
        )
    if assessment.provisional:
        return Component(
            "data_gap",
            profile.gap_provisional,
            profile.data_gap_weight,
            "assessment submitted but not yet reviewed (provisional)",
        )
    return Component(
        "data_gap", 0.0, profile.data_gap_weight, f"accepted assessment, {age} days old"
    )


def inherent_risk(components: list[Component]) -> InherentResult:
    known = [c for c in components if c.risk is not None and c.weight > 0]
    total = sum(c.weight for c in known)
    score = sum(c.weight * (c.risk or 0.0) for c in known) / total if total else 0.0
    evidence = any(c.name in EVIDENCE for c in known)
    return InherentResult(round(score, 2), tuple(components), evidence)
