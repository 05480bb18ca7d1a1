"""Benchmark: score a 100,000-node / 150,000-edge network and re-score after one change.

    python benchmarks/score_network.py [--nodes N] [--edges M] [--seed S] [--verify]
        [--tracemalloc]

Builds the synthetic network of ``benchmarks/synthetic.py`` directly as a NetworkX graph (no
database: this measures the pure scorer alone), attaches synthetic assessments to about 30 % of
the recruiters and suppliers (80 % accepted, the rest submitted; some older than the profile's
365 days; answers drawn from a dozen distinct sets ranging from best answers through weak ones to
critical and high red flags), then prints seconds for full scoring (``score_network``),
propagation alone, and re-scoring after one assessment changes (``rescore``) for nodes at
different depths, the peak memory and the counts by band. Targets on a 2-core machine: full
scoring under 5 s, re-scoring under 0.5 s.

``--verify`` also checks each re-score against a full scoring of the changed assessments (same
node risks, exposures and bands); ``--tracemalloc`` measures the Python allocations of one more
full scoring under ``tracemalloc`` (slow, so that run is not timed).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):  # run as a file: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx

from benchmarks.synthetic import generate
from questionnaires.answers import (
    complete_answers,
    missing_required,
    validate_answers,
    visible_question_ids,
)
from questionnaires.definition import Questionnaire
from questionnaires.library import library_document
from scoring.compliance import compliance_score
from scoring.facts import AssessmentFacts
from scoring.network import NetworkScores, propagate, rescore, score_network
from scoring.profile import ScoringProfile
from scoring.reference import shipped_reference
from supplychain.countries import resolve_country

T = TypeVar("T")
ASSESSED_SHARE = 0.3
ACCEPTED_SHARE = 0.8
MAX_AGE_DAYS = 500  # older than the profile's 365 days for about a quarter: stale data gaps


def build_graph(nodes: int, edges: int, seed: int) -> nx.MultiDiGraph:
    """The synthetic rows as the graph ``supplychain.graph`` would build from the database:
    integer node ids, the same node and edge attributes, countries as ISO codes."""
    synthetic = generate(nodes, edges, seed)
    graph = nx.MultiDiGraph()
    ids: dict[str, int] = {}

    def number(row: dict[str, object], key: str) -> int | None:
        value = row.get(key)
        return int(str(value)) if value not in (None, "") else None

    for index, row in enumerate(synthetic.nodes, start=1):
        ids[str(row["id"])] = index
        graph.add_node(
            index,
            external_id=str(row["id"]),
            kind=row["kind"],
            name=row["name"],
            country=resolve_country(str(row["country"])) or str(row["country"]),
            sector=row.get("sector") or None,
            tier=number(row, "tier"),
            role=row.get("role") or None,
            licence=row.get("licence") or None,
            workers=number(row, "workers"),
            migrant_workers=number(row, "migrant_workers"),
            origin=row.get("origin") or None,
            destination=row.get("destination") or None,
        )
    for row in synthetic.edges:
        graph.add_edge(
            ids[str(row["source"])],
            ids[str(row["target"])],
            kind=row["kind"],
            origin=row.get("origin") or None,
            destination=row.get("destination") or None,
            workers=number(row, "workers"),
        )
    return graph


def questionnaires() -> dict[str, Questionnaire]:
    """The shipped versions, one object each (compliance tables are cached by identity)."""
    found = {kind: library_document(f"{kind}-saq", 1) for kind in ("recruiter", "supplier")}
    missing = [kind for kind, q in found.items() if q is None]
    if missing:
        raise SystemExit(f"questionnaire library lacks {missing}")
    return {kind: q for kind, q in found.items() if q is not None}


def weaker(questionnaire: Questionnaire, share: float, seed: int) -> dict[str, Any]:
    """Overrides that move ``share`` of the scored single-answer questions to a worse option
    that raises no red flag, so compliance varies without every weak answer being a flag."""
    rng = random.Random(seed)
    best = complete_answers(questionnaire, {})
    overrides: dict[str, Any] = {}
    for question_id in visible_question_ids(questionnaire, best):
        question = questionnaire.question(question_id)
        if question.type not in ("yes_no", "single_choice") or not question.is_scored:
            continue
        worse = [
            o.value
            for o in question.options or []
            if o.red_flag is None and (fraction := question.fraction_for(o.value)) is not None
            if fraction < 1
        ]
        if worse and rng.random() < share:
            overrides[question_id] = rng.choice(worse)
    return overrides


# The worker-paid-fees flag with its follow-ups (recruiter-saq FEE_03..FEE_08).
FEES_PAID = {
    "FEE_02": "yes",
    "FEE_03": ["fee"],
    "FEE_04": 100000,
    "FEE_05": "npr",
    "FEE_06": 750,
    "FEE_07": 40,
    "FEE_08": "none",
}


def answer_sets(forms: dict[str, Questionnaire]) -> dict[str, list[tuple[str, float, dict]]]:
    """Per kind: (label, how often it is drawn, complete answers). Each set is checked: every
    override is still asked, no required question is missing, every value validates."""
    recruiter, supplier = forms["recruiter"], forms["supplier"]
    plans: dict[str, list[tuple[str, float, dict[str, Any]]]] = {
        "recruiter": [
            ("best", 0.25, {}),
            ("a few weak answers", 0.2, weaker(recruiter, 0.25, 1)),
            ("half weak", 0.15, weaker(recruiter, 0.5, 2)),
            ("mostly weak", 0.1, weaker(recruiter, 0.8, 3)),
            ("some sub-agents, some orientation", 0.1, {"ORI_01": "some", "SUB_01": "yes"}),
            ("critical: workers paid fees", 0.1, FEES_PAID),
            ("critical: fees, half weak", 0.05, {**weaker(recruiter, 0.5, 4), **FEES_PAID}),
            ("high: overtime found", 0.05, {"WAG_03": "yes_and_found"}),
        ],
        "supplier": [
            ("best", 0.3, {}),
            ("a few weak answers", 0.2, weaker(supplier, 0.25, 5)),
            ("half weak", 0.15, weaker(supplier, 0.5, 6)),
            ("mostly weak", 0.1, weaker(supplier, 0.8, 7)),
            ("66 hours a week", 0.1, {"HRS_01": 66}),
            ("critical: company holds passports", 0.1, {"DOC_01": "company_holds"}),
            ("high: 75 hours a week", 0.05, {"HRS_01": 75}),
        ],
    }
    sets: dict[str, list[tuple[str, float, dict]]] = {}
    for kind, plan in plans.items():
        questionnaire = forms[kind]
        sets[kind] = []
        for label, weight, overrides in plan:
            answers = complete_answers(questionnaire, overrides)
            dropped = sorted(set(overrides) - set(answers))
            _cleaned, errors = validate_answers(questionnaire, answers, {})
            problems = [*dropped, *errors, *missing_required(questionnaire, answers)]
            if problems:
                raise SystemExit(f"{kind} answer set {label!r} is not valid: {problems}")
            sets[kind].append((label, weight, answers))
    return sets


def attach_assessments(
    graph: nx.MultiDiGraph,
    forms: dict[str, Questionnaire],
    sets: dict[str, list[tuple[str, float, dict]]],
    seed: int,
    now: datetime,
) -> dict[int, AssessmentFacts]:
    """About ``ASSESSED_SHARE`` of recruiters and suppliers, sharing the answer dicts (a real
    network's answers are distinct objects, but scoring only reads them)."""
    rng = random.Random(seed)
    assessments: dict[int, AssessmentFacts] = {}
    for node_id, data in graph.nodes(data=True):
        kind = data["kind"]
        if kind not in forms or rng.random() >= ASSESSED_SHARE:
            continue
        choices = sets[kind]
        index = rng.choices(range(len(choices)), weights=[w for _l, w, _a in choices])[0]
        status = "accepted" if rng.random() < ACCEPTED_SHARE else "submitted"
        assessments[node_id] = facts(
            node_id,
            forms[kind],
            choices[index][2],
            status,
            now - timedelta(days=rng.randrange(MAX_AGE_DAYS)),
            f"{node_id}:{index}:{status}",
        )
    return assessments


def facts(
    node_id: int,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    status: str,
    completed_at: datetime,
    fingerprint: str,
) -> AssessmentFacts:
    return AssessmentFacts(
        assessment_id=node_id,
        node_id=node_id,
        questionnaire=questionnaire,
        questionnaire_label=f"{questionnaire.id} v{questionnaire.version}",
        answers=answers,
        status=status,
        completed_at=completed_at,
        fingerprint=fingerprint,
    )


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def without_gc(action: Callable[[], T]) -> Callable[[], T]:
    """As ``score_network`` runs its parts: with the cyclic collector paused."""

    def run() -> T:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return action()
        finally:
            if enabled:
                gc.enable()

    return run


def rss_mb() -> float | None:
    """Resident memory now (Linux), to tell the graph's share of the peak from the scorer's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pick_nodes(graph: nx.MultiDiGraph) -> list[tuple[str, int]]:
    """Nodes at different depths: leaves at the far end of the longest recruitment chains, an
    agency in the middle, suppliers at each tier. The first match in id order, so the same
    seed picks the same nodes."""

    def first(test: Callable[[int, dict[str, Any]], bool]) -> int | None:
        return next((n for n, d in graph.nodes(data=True) if test(n, d)), None)

    def leaf(role: str) -> Callable[[int, dict[str, Any]], bool]:
        return lambda n, d: d.get("role") == role and graph.in_degree(n) == 0

    def agency(role: str) -> Callable[[int, dict[str, Any]], bool]:
        return lambda n, d: d.get("role") == role and graph.in_degree(n) > 0

    def supplier(tier: int) -> Callable[[int, dict[str, Any]], bool]:
        return lambda n, d: d["kind"] == "supplier" and d.get("tier") == tier

    candidates = [
        ("leaf informal broker", leaf("informal_broker")),
        ("leaf sub-agent", leaf("sub_agent")),
        ("origin agency", agency("origin_agency")),
        ("destination agency", agency("destination_agency")),
        ("tier-3 supplier", supplier(3)),
        ("tier-1 supplier", supplier(1)),
    ]
    return [(label, n) for label, test in candidates if (n := first(test)) is not None]


def differing_nodes(left: NetworkScores, right: NetworkScores) -> list[int]:
    """Nodes whose risk, band, exposure or exposure band differ (should be none)."""
    return [
        n
        for n in left.nodes
        if left.nodes[n].risk != right.nodes[n].risk
        or left.nodes[n].band != right.nodes[n].band
        or left.propagation.exposure[n] != right.propagation.exposure[n]
        or left.exposure_band(n) != right.exposure_band(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", action="store_true", help="compare re-scores with full runs")
    parser.add_argument("--tracemalloc", action="store_true", help="measure scoring allocations")
    args = parser.parse_args()

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # fixed: the same seed gives the same bands
    took_build, graph = timed(lambda: build_graph(args.nodes, args.edges, args.seed))
    forms = questionnaires()
    sets = answer_sets(forms)
    assessments = attach_assessments(graph, forms, sets, args.seed, now)
    reference, profile = shipped_reference(), ScoringProfile()
    statuses = Counter(a.status for a in assessments.values())
    stale = sum(
        (now - a.completed_at).days > profile.assessment_max_age_days for a in assessments.values()
    )
    print(
        f"network: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
        f"(built in {took_build:.1f} s); {len(assessments):,} assessments "
        f"({statuses['accepted']:,} accepted, {statuses['submitted']:,} submitted, "
        f"{stale:,} older than {profile.assessment_max_age_days} days)"
    )
    for kind, choices in sets.items():
        scores = ", ".join(
            f"{label} {compliance_score(forms[kind], answers).score:g}"
            for label, _weight, answers in choices
        )
        print(f"  {kind} answer sets (compliance): {scores}")
    rss_before = rss_mb()

    took, scores = timed(lambda: score_network(graph, assessments, reference, profile, now))
    print(f"full scoring (score_network, nodes + propagation): {took:.2f} s")
    took, _ = timed(gc.collect)
    print(
        f"deferred cost: one full cyclic garbage collection right after it: {took:.2f} s "
        "(score_network pauses the collector; the objects it made are scanned later, by "
        "whatever call happens to cross the collector's threshold)"
    )
    took, _ = timed(without_gc(lambda: propagate(graph, scores.nodes, profile)))
    took_gc, _ = timed(lambda: propagate(graph, scores.nodes, profile))
    print(
        f"propagation alone: {took:.2f} s with the collector paused as in score_network "
        f"({took_gc:.2f} s with it running)"
    )
    node_bands = Counter(s.band for s in scores.nodes.values())
    exposure_bands = Counter(scores.exposure_band(n) for n in scores.nodes)
    order = ("low", "medium", "high", "critical")
    print("node risk bands: " + ", ".join(f"{b} {node_bands[b]:,}" for b in order))
    print("exposure bands:  " + ", ".join(f"{b} {exposure_bands[b]:,}" for b in order))
    if scores.company is not None:
        print(
            f"company exposure: {scores.exposure(scores.company):g} "
            f"({scores.exposure_band(scores.company)})"
        )

    gc.collect()  # settle the collector so one re-score does not pay another run's debt
    mismatches = 0
    fees_answers = next(a for label, _w, a in sets["recruiter"] if label.startswith("critical"))
    supplier_flag = next(a for label, _w, a in sets["supplier"] if label.startswith("critical"))
    for label, node_id in pick_nodes(graph):
        kind = graph.nodes[node_id]["kind"]
        answers = fees_answers if kind == "recruiter" else supplier_flag
        changed = {
            **assessments,
            node_id: facts(node_id, forms[kind], answers, "accepted", now, f"{node_id}:changed"),
        }
        downstream = len(nx.descendants(graph, node_id))
        took, after = timed(
            lambda node_id=node_id, changed=changed: rescore(
                scores, graph, {node_id}, changed, reference, now
            )
        )
        line = (
            f"re-score after one {label}'s assessment changed to a critical red flag "
            f"({downstream:,} node{'' if downstream == 1 else 's'} downstream): {took:.3f} s"
        )
        if args.verify:
            full = score_network(graph, changed, reference, profile, now)
            differ = differing_nodes(after, full)
            del full
            gc.collect()  # keep the next re-score's timing free of this run's collection
            mismatches += len(differ)
            line += "; same as a full scoring" if not differ else f"; {len(differ)} nodes DIFFER"
        print(line)

    print(
        f"memory: {rss_before or 0:,.0f} MB resident before scoring (graph, assessments), "
        f"peak {peak_rss_mb():,.0f} MB (RSS)"
    )
    if args.tracemalloc:
        del scores
        gc.collect()
        tracemalloc.start()
        kept = score_network(graph, assessments, reference, profile, now)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"tracemalloc, one full scoring: peak {peak / 2**20:,.0f} MB allocated, "
            f"{current / 2**20:,.0f} MB held by the result ({len(kept.nodes):,} nodes)"
        )
    if mismatches:
        raise SystemExit(f"re-scoring differs from full scoring on {mismatches} nodes")


if __name__ == "__main__":
    main()
