"""How much recruitment fees workers paid must be repaid: per recruiter, supplier and corridor.

The Employer Pays Principle says workers should never pay for their recruitment; when they did,
remediation means repaying them. The figures come from what recruiters and employers reported in
their assessments (amount per worker in local currency, workers charged, whether any was repaid)
and from the workers on the network's edges. Where nobody on a placement chain has been assessed,
a clearly labelled estimate uses survey costs for the corridor.

Three rules keep the money exact (scoring/README.md, "Fees owed to workers"):
- a local amount is converted with the sourced exchange rate of the year the fees were paid
  (the nearest year's when that one is missing, and the line says so); the respondent's own USD
  figure is only a check, and one further than the tolerance from the conversion is flagged;
- a recruiter is counted for no more workers than it placed in this network;
- what cannot be computed is unknown, never USD 0: totals with unknown parts are "at least".
Every line keeps its inputs and its arithmetic in words, so an auditor can redo it by hand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import networkx as nx

from scoring.facts import AssessmentFacts
from scoring.reference import CorridorCost, FxRate, ReferenceData
from supplychain.analysis import edge_corridor

Corridor = tuple[str | None, str | None]
DELIVERING = ("recruits_for", "employed_by")
PLACING = ("recruits_for", "refers_to")
DEFAULT_USD_TOLERANCE = 0.10  # the respondent's USD may differ this much from the conversion


def amount(value: float) -> str:
    """450000 -> "450,000"; 1122.745 -> "1,122.75": to the cent, cents only where there are
    any; how amounts read in every explanation, fee lines and repayments alike."""
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


RATE_BASIS = {"annual_average": "annual average", "date": "rate of one day in"}


def rate_words(rate: FxRate, wanted_year: int | None) -> str:
    """ "133.7266 NPR per USD (2024 annual average, World Bank WDI ...)", naming a fallback."""
    basis = RATE_BASIS.get(rate.basis, rate.basis.replace("_", " "))
    when = f"{rate.year} {basis}" if basis.startswith("annual") else f"{basis} {rate.year}"
    words = f"{rate.units_per_usd:.10g} {rate.currency} per USD ({when}, {rate.source_title})"
    if wanted_year is not None and rate.year != wanted_year:
        words += f"; no rate for {wanted_year}, the nearest year's is used"
    return words


@dataclass(frozen=True)
class FeeConversion:
    """How one assessment's fee per worker reached USD."""

    per_worker_usd: float | None
    per_worker_local: float | None
    currency: str | None
    rate: FxRate | None  # the sourced rate used; None when no conversion was made
    year_paid: int | None
    year_basis: str
    respondent_usd: float | None  # the respondent's own USD figure, if given
    difference: float | None  # |respondent - sourced| / sourced, when both exist
    flagged: bool  # the difference is beyond the tolerance
    usd_basis: str
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def _answer(facts: AssessmentFacts, key: str) -> Any:
    question = facts.questionnaire.by_data_key(key)
    return facts.answers.get(question.id) if question else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def fees_reported(facts: AssessmentFacts) -> bool:
    return _answer(facts, "fees_charged_to_workers") == "yes"


def year_paid(facts: AssessmentFacts) -> tuple[int, str]:
    """The year whose exchange rate applies: as answered (questionnaire v2), else the year the
    assessment was completed, since its fee questions ask about the last 12 months."""
    answered = _number(_answer(facts, "fee_year_paid"))
    if answered is not None:
        return int(answered), "the year the respondent says most workers paid"
    return facts.completed_at.year, "the year of the assessment (it asks about the last 12 months)"


def fee_conversion(
    facts: AssessmentFacts, reference: ReferenceData, tolerance: float = DEFAULT_USD_TOLERANCE
) -> FeeConversion:
    """Convert the answered local amount with the sourced rate; check the respondent's USD."""
    local = _number(_answer(facts, "fee_amount_per_worker_local"))
    respondent = _number(_answer(facts, "fee_amount_per_worker_usd"))
    currency_answer = _answer(facts, "fee_currency")
    currency = str(currency_answer).upper() if currency_answer else None
    year, year_basis = year_paid(facts)
    base: dict[str, Any] = {
        "per_worker_local": local,
        "currency": currency,
        "year_paid": year,
        "year_basis": year_basis,
        "respondent_usd": respondent,
    }

    def unconverted(usd: float | None, basis: str, missing: str) -> FeeConversion:
        """No sourced conversion: the respondent's USD as given, said why; else unknown."""
        if usd is None:
            return _unknown(base, missing)
        return FeeConversion(
            per_worker_usd=usd, rate=None, difference=None, flagged=False, usd_basis=basis, **base
        )

    unchecked = "reported in USD by the respondent"
    if local is None:
        return unconverted(
            respondent,
            f"{unchecked}; no local amount to check it against",
            "amount per worker not given",
        )
    if currency is None or currency == "OTHER":
        return unconverted(
            respondent,
            f"{unchecked}; the local currency is not named, so it cannot be checked",
            "currency not given",
        )
    if currency == "USD":
        return unconverted(local, "paid in USD", "")
    rate = reference.rate(currency, year)
    if rate is None:
        return unconverted(
            respondent,
            f"{unchecked}; no sourced exchange rate for {currency} to check it",
            f"no exchange rate for {currency}",
        )
    sourced = local / rate.units_per_usd
    basis = f"converted at {rate_words(rate, year)}"
    if respondent is None:
        return FeeConversion(
            per_worker_usd=sourced,
            rate=rate,
            difference=None,
            flagged=False,
            usd_basis=basis,
            **base,
        )
    difference = abs(respondent - sourced) / sourced if sourced else 0.0
    flagged = difference > tolerance
    note = (
        f"the respondent's USD {amount(respondent)} differs from the sourced conversion "
        f"(USD {amount(round(sourced, 2))}) by {difference:.0%}, more than the {tolerance:.0%} "
        "tolerance: the sourced conversion is used and the respondent is asked to confirm"
        if flagged
        else f"the respondent's USD {amount(respondent)} agrees with the sourced conversion "
        f"within {tolerance:.0%}"
    )
    return FeeConversion(
        per_worker_usd=sourced,
        rate=rate,
        difference=round(difference, 4),
        flagged=flagged,
        usd_basis=basis,
        notes=(note,),
        **base,
    )


def _unknown(base: dict[str, Any], why: str) -> FeeConversion:
    return FeeConversion(
        per_worker_usd=None,
        rate=None,
        difference=None,
        flagged=False,
        usd_basis="",
        missing=(why,),
        **base,
    )


# Lines --------------------------------------------------------------------------------------


@dataclass
class Allocation:
    employer_id: int
    corridor: Corridor
    workers: float
    owed_usd: float | None  # None: unknown


@dataclass
class OwedLine:
    node_id: int  # who reported (or, for estimates, who placed the workers)
    basis: str  # "reported" | "estimate"
    per_worker_usd: float | None
    usd_basis: str  # how the USD figure was obtained
    per_worker_local: float | None
    currency: str | None
    workers: int | None  # the workers counted
    workers_basis: str
    reimbursed: str | None
    owed_usd: float | None  # None: unknown, never shown as 0
    owed_local: float | None
    allocations: list[Allocation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rate: float | None = None  # units of ``currency`` per USD
    rate_year: int | None = None
    rate_source: str = ""
    year_paid: int | None = None
    respondent_usd: float | None = None
    usd_flagged: bool = False
    workers_reported: int | None = None
    workers_placed: int | None = None
    statistic: str | None = None  # estimates: "mean", "median", "median of 3 survey means"
    arithmetic: str = ""

    @property
    def unknown(self) -> bool:
        return self.owed_usd is None


@dataclass
class Reimbursement:
    lines: list[OwedLine]
    by_recruiter: dict[int, float]  # reported fees only
    by_supplier: dict[int, float]
    by_corridor: dict[Corridor, float]
    estimated_by_supplier: dict[int, float]  # survey-based estimates, kept apart
    estimated_by_corridor: dict[Corridor, float]
    reported_usd: float  # the known part: "at least" while ``unknown_reported`` has lines
    estimated_usd: float
    reported_local: dict[str, float]  # currency -> amount, as reported
    # Workers whose fees cannot be put in money, per corridor and basis.
    unknown_workers_by_corridor: dict[str, dict[Corridor, float]] = field(default_factory=dict)

    @property
    def incomplete(self) -> list[OwedLine]:
        return [line for line in self.lines if line.missing]

    @property
    def unknown_reported(self) -> list[OwedLine]:
        return [line for line in self.lines if line.basis == "reported" and line.unknown]

    @property
    def unknown_estimates(self) -> list[OwedLine]:
        return [line for line in self.lines if line.basis == "estimate" and line.unknown]


def _outgoing_workers(graph: nx.MultiDiGraph, node_id: int) -> int | None:
    known = [
        d["workers"]
        for _s, _t, d in graph.out_edges(node_id, data=True)
        if d["kind"] in PLACING and d.get("workers") is not None
    ]
    return sum(known) if known else None


def _incoming_workers(graph: nx.MultiDiGraph, node_id: int) -> int | None:
    known = [
        d["workers"]
        for _s, _t, d in graph.in_edges(node_id, data=True)
        if d["kind"] in DELIVERING and d.get("workers") is not None
    ]
    return sum(known) if known else None


def placements(
    graph: nx.MultiDiGraph, recruiter: int, workers: float, origin: str | None = None
) -> list[tuple[int, Corridor, float]]:
    """Where a recruiter's workers end up: (employer, corridor, workers), split along edges in
    proportion to the workers each edge carries (equally when no edge says)."""
    out = [
        (target, data)
        for _s, target, data in graph.out_edges(recruiter, data=True)
        if data["kind"] in PLACING
    ]
    if not out:
        return []
    weights = [data.get("workers") for _t, data in out]
    total = sum(w for w in weights if w)
    results: list[tuple[int, Corridor, float]] = []
    for (target, data), weight in zip(out, weights, strict=True):
        share = (weight / total) if total and weight else (0 if total else 1 / len(out))
        portion = workers * share
        if portion <= 0:
            continue
        corridor = edge_corridor(graph, recruiter, target, data)
        first_origin = origin or corridor[0]
        if data["kind"] == "recruits_for":
            results.append((int(target), (first_origin, corridor[1]), portion))
        else:
            results.extend(placements(graph, int(target), portion, first_origin))
    return results


def _workers_counted(
    graph: nx.MultiDiGraph, facts: AssessmentFacts
) -> tuple[int | None, str, int | None, int | None]:
    """(workers counted, why, workers reported, workers placed here): a recruiter is counted for
    no more workers than its edges place in this network, an employer for no more than the
    migrant workers it declares."""
    node = graph.nodes[facts.node_id]
    recruiter = node["kind"] == "recruiter"
    here = _outgoing_workers(graph, facts.node_id) if recruiter else node.get("migrant_workers")
    if here is None and not recruiter:
        here = _incoming_workers(graph, facts.node_id)
    where = "placed in this network" if recruiter else "migrant workers declared here"
    charged = _number(_answer(facts, "workers_charged_count"))
    if charged is None:
        if here is None:
            return None, "", None, None
        return int(here), f"{where}: the respondent did not say how many paid", None, int(here)
    reported = int(charged)
    if here is None:
        edges = "its edges" if recruiter else "the network"
        return (
            reported,
            f"workers charged, as answered ({edges} give no count to check)",
            reported,
            None,
        )
    if reported > here:
        return int(here), f"{reported:,} reported, {int(here):,} {where}", reported, int(here)
    return reported, f"workers charged, as answered ({int(here):,} {where})", reported, int(here)


def reported_line(
    graph: nx.MultiDiGraph,
    facts: AssessmentFacts,
    reference: ReferenceData,
    tolerance: float = DEFAULT_USD_TOLERANCE,
) -> OwedLine | None:
    """The line for one node whose assessment says workers paid fees, or None if none did."""
    if not fees_reported(facts):
        return None
    node_id = facts.node_id
    kind = graph.nodes[node_id]["kind"]
    conversion = fee_conversion(facts, reference, tolerance)
    missing = list(conversion.missing)
    workers, workers_basis, reported_workers, placed = _workers_counted(graph, facts)
    if workers is None:
        missing.append("number of workers charged not known")
    reimbursed = _answer(facts, "fees_reimbursed")
    notes = list(conversion.notes)
    factor, repaid = 1.0, ""
    if reimbursed in ("all", "not_applicable"):
        factor = 0.0
        repaid = "reported as fully repaid" if reimbursed == "all" else "reported as not applicable"
        notes.append(repaid)
    elif reimbursed == "some":
        notes.append("some workers were already repaid: this is the most that can be owed")
    local, per_usd = conversion.per_worker_local, conversion.per_worker_usd
    rate = conversion.rate
    owed_local = round(local * workers * factor, 2) if local is not None and workers else None
    if per_usd is None or workers is None:
        owed_usd: float | None = None
    elif rate is not None and local is not None:
        owed_usd = round(local * workers * factor / rate.units_per_usd, 2)  # convert once
    else:
        owed_usd = round(per_usd * workers * factor, 2)
    line = OwedLine(
        node_id=node_id,
        basis="reported",
        per_worker_usd=round(per_usd, 2) if per_usd is not None else None,
        usd_basis=conversion.usd_basis,
        per_worker_local=local,
        currency=conversion.currency,
        workers=workers,
        workers_basis=workers_basis,
        reimbursed=str(reimbursed) if reimbursed else None,
        owed_usd=owed_usd,
        owed_local=owed_local,
        notes=notes,
        missing=missing,
        rate=rate.units_per_usd if rate else None,
        rate_year=rate.year if rate else None,
        rate_source=rate.source_title if rate else "",
        year_paid=conversion.year_paid,
        respondent_usd=conversion.respondent_usd,
        usd_flagged=conversion.flagged,
        workers_reported=reported_workers,
        workers_placed=placed,
    )
    line.arithmetic = _reported_arithmetic(line, repaid)
    if workers:
        if kind == "recruiter":
            spread = placements(graph, node_id, float(workers))
        else:
            spread = _employer_spread(graph, node_id, float(workers))
        placed_total = sum(w for _e, _c, w in spread) or 1.0
        line.allocations = [
            Allocation(
                employer,
                corridor,
                round(w, 2),
                round(owed_usd * w / placed_total, 2) if owed_usd is not None else None,
            )
            for employer, corridor, w in spread
        ]
    return line


def _reported_arithmetic(line: OwedLine, repaid: str) -> str:
    if line.owed_usd is None:
        return "unknown: " + "; ".join(line.missing)
    workers = f"{line.workers:,} workers"
    if line.rate is not None and line.per_worker_local is not None:
        total_local = line.per_worker_local * (line.workers or 0)
        steps = (
            f"{line.currency} {amount(line.per_worker_local)} x {workers} = {line.currency} "
            f"{amount(round(total_local, 2))}; / {line.rate:.10g} {line.currency} per USD "
            f"({line.rate_year}, {line.rate_source})"
        )
    else:
        steps = f"USD {amount(line.per_worker_usd or 0)} x {workers}"
    if repaid:
        return f"{steps}; {repaid}: USD 0 owed"
    return f"{steps} = USD {amount(line.owed_usd)}"


def _employer_spread(
    graph: nx.MultiDiGraph, employer: int, workers: float
) -> list[tuple[int, Corridor, float]]:
    """An employer's own report, spread over the corridors its workers came through."""
    delivering = [
        (source, data)
        for source, _t, data in graph.in_edges(employer, data=True)
        if data["kind"] in DELIVERING
    ]
    total = sum(d.get("workers") or 0 for _s, d in delivering)
    if not delivering or not total:
        return [(employer, (None, graph.nodes[employer].get("country")), workers)]
    return [
        (employer, edge_corridor(graph, source, employer, data), workers * data["workers"] / total)
        for source, data in delivering
        if data.get("workers")
    ]


def _chain_assessed(graph: nx.MultiDiGraph, recruiter: int, assessed: set[int]) -> bool:
    """Whether the placing recruiter or anyone feeding it has answered an assessment."""
    return recruiter in assessed or any(a in assessed for a in nx.ancestors(graph, recruiter))


# Survey estimates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CorridorEstimate:
    per_worker_usd: float | None
    basis: str
    statistic: str | None
    missing: str = ""


def _statistic(figures: list[CorridorCost]) -> str:
    """Say what the figure is: one survey's mean or median, or the median of several."""
    kinds = sorted({c.statistic for c in figures})
    if len(figures) == 1:
        return figures[0].statistic
    return f"median of {len(figures)} survey figures ({', '.join(kinds)})"


def _sources(figures: list[CorridorCost]) -> str:
    return "; ".join(
        sorted({c.source_title + (f" ({c.survey_year})" if c.survey_year else "") for c in figures})
    )


def _wage(graph: nx.MultiDiGraph, employer: int, origin: str) -> tuple[float, str, str] | None:
    """(monthly wage, currency, whose) for workers placed at an employer: the employer's own
    figure, else a worker group of that origin employed there."""
    node = graph.nodes[employer]
    if node.get("monthly_wage") and node.get("wage_currency"):
        return float(node["monthly_wage"]), str(node["wage_currency"]), str(node.get("name"))
    for source, _t, data in graph.in_edges(employer, data=True):
        group = graph.nodes[source]
        if (
            data["kind"] == "employed_by"
            and group.get("monthly_wage")
            and group.get("wage_currency")
            and group.get("origin") in (None, origin)
        ):
            return float(group["monthly_wage"]), str(group["wage_currency"]), str(group["name"])
    return None


def corridor_estimate(
    graph: nx.MultiDiGraph, reference: ReferenceData, corridor: Corridor, employer: int
) -> CorridorEstimate:
    """A per-worker cost from survey figures: USD figures first, then local amounts converted at
    the survey year's rate, then months of earnings times a known monthly wage."""
    origin, destination = corridor
    if not origin or not destination:
        return CorridorEstimate(None, "", None, "the placement's origin or destination is unknown")
    label = f"{origin}->{destination}"
    rows = reference.costs(origin, destination)
    if not any(c.cost_usd or c.local_amount or c.months_of_earnings for c in rows):
        rows, label = reference.origin_costs(origin), f"{origin} (origin average)"
    usd = [c for c in rows if c.cost_usd is not None]
    usd = [c for c in usd if not c.is_estimate] or usd
    if usd:
        value = median([c.cost_usd for c in usd if c.cost_usd is not None])
        statistic = _statistic(usd)
        return CorridorEstimate(
            round(value, 2), f"survey {statistic} {label}: {_sources(usd)}", statistic
        )
    converted = [
        (pair[0], c, pair[1])
        for c in rows
        if c.local_amount
        and c.local_currency
        and (pair := reference.to_usd(c.local_amount, c.local_currency, c.survey_year))
    ]
    if converted:
        value = median([usd for usd, _c, _r in converted])
        figures = [c for _u, c, _r in converted]
        statistic = _statistic(figures)
        rates = "; ".join(
            f"{c.local_currency} {amount(c.local_amount or 0)} at {rate_words(r, c.survey_year)}"
            for _u, c, r in converted
        )
        return CorridorEstimate(
            round(value, 2),
            f"survey {statistic} {label}, converted: {rates}; {_sources(figures)}",
            statistic,
        )
    months = [c for c in rows if c.months_of_earnings is not None]
    if months:
        value_months = median([c.months_of_earnings for c in months if c.months_of_earnings])
        statistic = _statistic(months)
        employer_name = graph.nodes[employer].get("name")
        wage = _wage(graph, employer, origin)
        if wage is None:
            return CorridorEstimate(
                None,
                "",
                statistic,
                f"a months-of-earnings figure ({value_months:g} months, {statistic}, "
                f"{_sources(months)}) but no monthly wage known for {employer_name}: add "
                "monthly_wage and wage_currency to the employer or its worker group",
            )
        wage_amount, currency, whose = wage
        pair = reference.to_usd(wage_amount, currency)
        if pair is None:
            return CorridorEstimate(
                None, "", statistic, f"no exchange rate for the wage currency {currency}"
            )
        wage_usd, rate = pair
        via = (
            ""
            if currency == "USD"
            else f" = USD {amount(round(wage_usd, 2))} at {rate_words(rate, None)}"
        )
        return CorridorEstimate(
            round(value_months * wage_usd, 2),
            f"{value_months:g} months of earnings (survey {statistic} {label}: "
            f"{_sources(months)}) x monthly wage {currency} {amount(wage_amount)} ({whose}){via}",
            statistic,
        )
    return CorridorEstimate(None, "", None, f"no survey cost figure for {origin}->{destination}")


def estimated_lines(
    graph: nx.MultiDiGraph,
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
) -> list[OwedLine]:
    """Survey-based estimates for placements where no recruiter on the chain was assessed; a
    placement without any usable figure is an unknown line, never USD 0."""
    assessed = set(assessments)
    lines: list[OwedLine] = []
    for source, target, data in graph.edges(data=True):
        if data["kind"] != "recruits_for" or not data.get("workers"):
            continue
        if target in assessed and _answer(assessments[target], "fees_charged_to_workers"):
            continue  # the employer answered for its workers
        if _chain_assessed(graph, source, assessed):
            continue
        corridor = edge_corridor(graph, source, target, data)
        estimate = corridor_estimate(graph, reference, corridor, int(target))
        workers = int(data["workers"])
        per_worker = estimate.per_worker_usd
        owed = round(per_worker * workers, 2) if per_worker is not None else None
        lines.append(
            OwedLine(
                node_id=int(source),
                basis="estimate",
                per_worker_usd=per_worker,
                usd_basis=estimate.basis,
                per_worker_local=None,
                currency=None,
                workers=workers,
                workers_basis="workers on the placement edge",
                reimbursed=None,
                owed_usd=owed,
                owed_local=None,
                allocations=[Allocation(int(target), corridor, workers, owed)],
                notes=["estimate: no recruiter on this chain has been assessed"],
                missing=[estimate.missing] if estimate.missing else [],
                statistic=estimate.statistic,
                arithmetic=(
                    f"USD {amount(per_worker)} ({estimate.statistic}) x {workers:,} workers = "
                    f"USD {amount(owed or 0)}"
                    if per_worker is not None
                    else f"unknown: {workers:,} workers without an estimate ({estimate.missing})"
                ),
            )
        )
    return lines


def reimbursement(
    graph: nx.MultiDiGraph,
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
    tolerance: float = DEFAULT_USD_TOLERANCE,
) -> Reimbursement:
    lines = [
        line
        for facts in assessments.values()
        if (line := reported_line(graph, facts, reference, tolerance)) is not None
    ]
    # An employer's own report is not added where recruiters' reports already cover it.
    covered = {
        a.employer_id
        for line in lines
        if graph.nodes[line.node_id]["kind"] == "recruiter"
        for a in line.allocations
    }
    for line in lines:
        if graph.nodes[line.node_id]["kind"] != "recruiter" and line.node_id in covered:
            line.notes.append(
                "not added to the totals: recruiters' own reports already cover these workers"
            )
            line.allocations = []
            line.owed_usd = 0.0
            line.missing = []
    lines.sort(key=lambda line: (line.unknown, -(line.owed_usd or 0), line.node_id))
    estimates = estimated_lines(graph, assessments, reference)
    estimates.sort(key=lambda line: (line.unknown, -(line.owed_usd or 0), line.node_id))
    by_recruiter: dict[int, float] = defaultdict(float)
    totals: dict[str, dict[str, dict]] = {
        basis: {"supplier": defaultdict(float), "corridor": defaultdict(float)}
        for basis in ("reported", "estimate")
    }
    unknown: dict[str, dict[Corridor, float]] = {"reported": {}, "estimate": {}}
    local: dict[str, float] = defaultdict(float)
    for line in [*lines, *estimates]:
        if (
            line.basis == "reported"
            and line.owed_usd is not None
            and graph.nodes[line.node_id]["kind"] == "recruiter"
        ):
            by_recruiter[line.node_id] += line.owed_usd
        for allocation in line.allocations:
            if allocation.owed_usd is None:
                part = unknown[line.basis]
                part[allocation.corridor] = part.get(allocation.corridor, 0) + allocation.workers
                continue
            totals[line.basis]["supplier"][allocation.employer_id] += allocation.owed_usd
            totals[line.basis]["corridor"][allocation.corridor] += allocation.owed_usd
        if line.basis == "reported" and line.owed_local and line.currency:
            local[line.currency] += line.owed_local

    def rounded(values: dict) -> dict:
        return {k: round(v, 2) for k, v in values.items()}

    return Reimbursement(
        lines=lines + estimates,
        by_recruiter=rounded(by_recruiter),
        by_supplier=rounded(totals["reported"]["supplier"]),
        by_corridor=rounded(totals["reported"]["corridor"]),
        estimated_by_supplier=rounded(totals["estimate"]["supplier"]),
        estimated_by_corridor=rounded(totals["estimate"]["corridor"]),
        reported_usd=round(sum(line.owed_usd or 0 for line in lines), 2),
        estimated_usd=round(sum(line.owed_usd or 0 for line in estimates), 2),
        reported_local=dict(local),
        unknown_workers_by_corridor={k: rounded(v) for k, v in unknown.items()},
    )
