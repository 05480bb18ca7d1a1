"""How much recruitment fees workers paid must be repaid: per recruiter, supplier and corridor.

The Employer Pays Principle says workers should never pay for their recruitment; when they did,
remediation means repaying them. The figures come from what recruiters and employers reported in
their assessments (amount per worker in local currency and USD, workers charged, whether any was
repaid) and from the workers on the network's edges. Where nobody on a placement chain has been
assessed, a clearly labelled estimate uses survey costs for the corridor. Every line keeps its
inputs, so an auditor can redo the arithmetic by hand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import networkx as nx

from scoring.facts import AssessmentFacts
from scoring.reference import ReferenceData
from supplychain.analysis import edge_corridor

Corridor = tuple[str | None, str | None]
DELIVERING = ("recruits_for", "employed_by")


@dataclass
class Allocation:
    employer_id: int
    corridor: Corridor
    workers: float
    owed_usd: float


@dataclass
class OwedLine:
    node_id: int  # who reported (or, for estimates, who placed the workers)
    basis: str  # "reported" | "estimate"
    per_worker_usd: float | None
    usd_basis: str  # how the USD figure was obtained
    per_worker_local: float | None
    currency: str | None
    workers: int | None
    workers_basis: str
    reimbursed: str | None
    owed_usd: float
    owed_local: float | None
    allocations: list[Allocation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class Reimbursement:
    lines: list[OwedLine]
    by_recruiter: dict[int, float]  # reported fees only
    by_supplier: dict[int, float]
    by_corridor: dict[Corridor, float]
    estimated_by_supplier: dict[int, float]  # survey-based estimates, kept apart
    estimated_by_corridor: dict[Corridor, float]
    reported_usd: float
    estimated_usd: float
    reported_local: dict[str, float]  # currency -> amount, as reported

    @property
    def incomplete(self) -> list[OwedLine]:
        return [line for line in self.lines if line.missing]


def _answer(facts: AssessmentFacts, key: str) -> Any:
    question = facts.questionnaire.by_data_key(key)
    return facts.answers.get(question.id) if question else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _outgoing_workers(graph: nx.MultiDiGraph, node_id: int) -> int | None:
    workers = [
        d.get("workers")
        for _s, _t, d in graph.out_edges(node_id, data=True)
        if d["kind"] in ("recruits_for", "refers_to")
    ]
    known = [w for w in workers if w is not None]
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
        if data["kind"] in ("recruits_for", "refers_to")
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


def _per_worker_usd(
    facts: AssessmentFacts, reference: ReferenceData
) -> tuple[float | None, str, float | None, str | None, list[str]]:
    usd = _number(_answer(facts, "fee_amount_per_worker_usd"))
    local = _number(_answer(facts, "fee_amount_per_worker_local"))
    currency_answer = _answer(facts, "fee_currency")
    currency = str(currency_answer).upper() if currency_answer else None
    missing: list[str] = []
    if usd is not None:
        return usd, "reported in USD", local, currency, missing
    if local is not None and currency and currency != "OTHER":
        converted = reference.to_usd(local, currency)
        if converted is not None:
            value, rate = converted
            basis = (
                f"converted at {rate.units_per_usd:g} {currency} per USD ({rate.year} "
                f"{rate.basis.replace('_', ' ')}, {rate.source_title})"
            )
            return value, basis, local, currency, missing
        missing.append(f"no exchange rate for {currency}")
    elif local is not None:
        missing.append("currency not given")
    else:
        missing.append("amount per worker not given")
    return None, "", local, currency, missing


def reported_line(
    graph: nx.MultiDiGraph, facts: AssessmentFacts, reference: ReferenceData
) -> OwedLine | None:
    """The line for one node whose assessment says workers paid fees, or None if none did."""
    if _answer(facts, "fees_charged_to_workers") != "yes":
        return None
    node_id = facts.node_id
    kind = graph.nodes[node_id]["kind"]
    per_usd, usd_basis, per_local, currency, missing = _per_worker_usd(facts, reference)
    charged = _number(_answer(facts, "workers_charged_count"))
    if charged is not None:
        workers: int | None = int(charged)
        workers_basis = "workers charged, as answered"
    else:
        workers = (
            _outgoing_workers(graph, node_id)
            if kind == "recruiter"
            else _incoming_workers(graph, node_id) or graph.nodes[node_id].get("migrant_workers")
        )
        workers_basis = "workers on the node's edges in the network" if workers else ""
        if workers is None:
            missing.append("number of workers charged not known")
    reimbursed = _answer(facts, "fees_reimbursed")
    notes: list[str] = []
    factor = 1.0
    if reimbursed in ("all", "not_applicable"):
        factor = 0.0
        notes.append(
            "reported as fully repaid" if reimbursed == "all" else "reported as not applicable"
        )
    elif reimbursed == "some":
        notes.append("some workers were already repaid: this is the most that can be owed")
    owed_usd = round(per_usd * workers * factor, 2) if per_usd is not None and workers else 0.0
    owed_local = (
        round(per_local * workers * factor, 2) if per_local is not None and workers else None
    )
    line = OwedLine(
        node_id=node_id,
        basis="reported",
        per_worker_usd=round(per_usd, 2) if per_usd is not None else None,
        usd_basis=usd_basis,
        per_worker_local=per_local,
        currency=currency,
        workers=workers,
        workers_basis=workers_basis,
        reimbursed=str(reimbursed) if reimbursed else None,
        owed_usd=owed_usd,
        owed_local=owed_local,
        notes=notes,
        missing=missing,
    )
    if owed_usd and workers:
        if kind == "recruiter":
            spread = placements(graph, node_id, float(workers))
        else:
            spread = _employer_spread(graph, node_id, float(workers))
        placed = sum(w for _e, _c, w in spread) or 1.0
        line.allocations = [
            Allocation(employer, corridor, round(w, 2), round(owed_usd * w / placed, 2))
            for employer, corridor, w in spread
        ]
    return line


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


def estimated_lines(
    graph: nx.MultiDiGraph,
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
) -> list[OwedLine]:
    """Survey-based estimates for placements where no recruiter on the chain was assessed."""
    assessed = set(assessments)
    lines: list[OwedLine] = []
    for source, target, data in graph.edges(data=True):
        if data["kind"] != "recruits_for" or not data.get("workers"):
            continue
        if target in assessed and _answer(assessments[target], "fees_charged_to_workers"):
            continue  # the employer answered for its workers
        if _chain_assessed(graph, source, assessed):
            continue
        origin, destination = edge_corridor(graph, source, target, data)
        if not origin or not destination:
            continue
        figures = [c for c in reference.costs(origin, destination) if c.cost_usd is not None]
        surveys = [c for c in figures if not c.is_estimate] or figures
        converted = [
            (usd, c)
            for c in reference.costs(origin, destination)
            if c.cost_usd is None
            and c.local_amount
            and c.local_currency
            and (pair := reference.to_usd(c.local_amount, c.local_currency, c.survey_year))
            and (usd := pair[0])
        ]
        values = [c.cost_usd for c in surveys if c.cost_usd is not None] or [
            usd for usd, _c in converted
        ]
        if not values:
            continue
        per_worker = round(median(values), 2)
        sources = sorted(
            {c.source_title for c in surveys} or {c.source_title for _u, c in converted}
        )
        workers = int(data["workers"])
        owed = round(per_worker * workers, 2)
        lines.append(
            OwedLine(
                node_id=int(source),
                basis="estimate",
                per_worker_usd=per_worker,
                usd_basis=f"median survey cost {origin}->{destination}: " + "; ".join(sources),
                per_worker_local=None,
                currency=None,
                workers=workers,
                workers_basis="workers on the placement edge",
                reimbursed=None,
                owed_usd=owed,
                owed_local=None,
                allocations=[Allocation(int(target), (origin, destination), workers, owed)],
                notes=["estimate: no recruiter on this chain has been assessed"],
            )
        )
    return lines


def reimbursement(
    graph: nx.MultiDiGraph,
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
) -> Reimbursement:
    lines = [
        line
        for facts in assessments.values()
        if (line := reported_line(graph, facts, reference)) is not None
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
    lines.sort(key=lambda line: (-line.owed_usd, line.node_id))
    estimates = estimated_lines(graph, assessments, reference)
    by_recruiter: dict[int, float] = defaultdict(float)
    totals: dict[str, dict[str, dict]] = {
        basis: {"supplier": defaultdict(float), "corridor": defaultdict(float)}
        for basis in ("reported", "estimate")
    }
    local: dict[str, float] = defaultdict(float)
    for line in [*lines, *estimates]:
        if line.basis == "reported" and graph.nodes[line.node_id]["kind"] == "recruiter":
            by_recruiter[line.node_id] += line.owed_usd
        for allocation in line.allocations:
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
        reported_usd=round(sum(line.owed_usd for line in lines), 2),
        estimated_usd=round(sum(line.owed_usd for line in estimates), 2),
        reported_local=dict(local),
    )
