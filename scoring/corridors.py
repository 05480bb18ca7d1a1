"""Risk per recruitment corridor (origin -> destination country), from node scores.

Worst risk shows the single most dangerous route in the corridor; the worker-weighted risk
says how many people that danger touches. Both use exposure (a placing agency carries the risk
of the sub-agents feeding it), because the worker recruited by an unlicensed broker and placed
by a licensed agency still paid the broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

import networkx as nx

from scoring.inherent import Figure, cost_risk
from scoring.network import NetworkScores
from scoring.reference import ReferenceData
from supplychain.analysis import corridors as graph_corridors


@dataclass(frozen=True)
class ReportedFee:
    node_id: int
    amount_usd: float
    amount_local: float | None
    currency: str | None
    workers_charged: int | None


@dataclass
class CorridorRisk:
    origin: str | None
    destination: str | None
    workers: int
    edges_without_workers: int
    recruiters: list[int]
    employers: list[int]
    worst_risk: float | None
    worst_node: int | None
    worker_weighted_risk: float | None
    band: str | None
    critical_recruiters: list[int]
    reference_costs: list[Figure] = field(default_factory=list)
    reported_fees: list[ReportedFee] = field(default_factory=list)

    @property
    def reported_median_usd(self) -> float | None:
        amounts = [f.amount_usd for f in self.reported_fees]
        return round(median(amounts), 2) if amounts else None


def reported_fee(scores: NetworkScores, node_id: int) -> ReportedFee | None:
    """What the node's own assessment says workers paid, per worker, in USD."""
    assessment = scores.nodes[node_id].assessment
    if assessment is None:
        return None
    questionnaire, answers = assessment.questionnaire, assessment.answers

    def answer(key: str) -> object:
        question = questionnaire.by_data_key(key)
        return answers.get(question.id) if question else None

    if answer("fees_charged_to_workers") != "yes":
        return None
    usd = answer("fee_amount_per_worker_usd")
    if not isinstance(usd, int | float):
        return None
    local = answer("fee_amount_per_worker_local")
    currency = answer("fee_currency")
    charged = answer("workers_charged_count")
    return ReportedFee(
        node_id=node_id,
        amount_usd=float(usd),
        amount_local=float(local) if isinstance(local, int | float) else None,
        currency=str(currency).upper() if currency else None,
        workers_charged=int(charged) if isinstance(charged, int | float) else None,
    )


def corridor_risks(
    graph: nx.MultiDiGraph, scores: NetworkScores, reference: ReferenceData
) -> list[CorridorRisk]:
    edges = {
        key: (source, data) for source, _target, key, data in graph.edges(keys=True, data=True)
    }
    results = []
    for summary in graph_corridors(graph):
        recruiters = sorted(int(n) for n in summary.recruiters)  # type: ignore[call-overload]
        employers = sorted(int(n) for n in summary.employers)  # type: ignore[call-overload]
        weighted_sum = weight_total = 0.0
        placing: set[int] = set(recruiters)
        for key in summary.labour_edges:
            source, data = edges[key]
            if data["kind"] not in ("recruits_for", "employed_by"):
                continue
            placing.add(int(source))
            workers = data.get("workers")
            if workers:
                weighted_sum += workers * scores.exposure(source)
                weight_total += workers
        worst_node = max(sorted(placing), key=scores.exposure, default=None)
        critical = [r for r in sorted(placing) if r in scores.propagation.flag_hops]
        worst = scores.exposure(worst_node) if worst_node is not None else None
        costs = []
        if summary.origin and summary.destination:
            for cost in reference.costs(summary.origin, summary.destination):
                pair = cost_risk(cost, reference, scores.profile)
                if pair:
                    costs.append(pair[1])
        fees = [f for r in recruiters if (f := reported_fee(scores, r)) is not None]
        results.append(
            CorridorRisk(
                origin=summary.origin,
                destination=summary.destination,
                workers=summary.workers,
                edges_without_workers=summary.edges_without_workers,
                recruiters=recruiters,
                employers=employers,
                worst_risk=worst,
                worst_node=worst_node,
                worker_weighted_risk=round(weighted_sum / weight_total, 2)
                if weight_total
                else None,
                band=scores.profile.band(worst, critical_flag=bool(critical))
                if worst is not None
                else None,
                critical_recruiters=critical,
                reference_costs=costs,
                reported_fees=fees,
            )
        )
    return results
