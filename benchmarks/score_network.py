"""Benchmark: score a 100,000-node / 150,000-edge network and re-score after one change.

    python -m benchmarks.score_network [--nodes N] [--edges M] [--seed S]

Builds the synthetic network of ``benchmarks/synthetic.py`` directly as a NetworkX graph (no
database: this measures the pure scorer), attaches synthetic assessments to about 30% of the
recruiters and suppliers (a mix of accepted and submitted, some with red flags), then prints
seconds for full scoring (``score_network``), propagation alone, and re-scoring after one
assessment changes (``rescore``) for a leaf sub-agent and for a tier-1 supplier. Targets on a
2-core machine: full scoring under 5 s, re-scoring under 0.5 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import networkx as nx

from audit.demo import complete_answers
from benchmarks.synthetic import generate
from questionnaires.library import library_document
from scoring.facts import AssessmentFacts
from scoring.network import propagate, rescore, score_network
from scoring.profile import ScoringProfile
from scoring.reference import shipped_reference
from supplychain.countries import resolve_country


def build_graph(nodes: int, edges: int, seed: int) -> nx.MultiDiGraph:
    synthetic = generate(nodes, edges, seed)
    graph = nx.MultiDiGraph()
    ids: dict[str, int] = {}
    for index, row in enumerate(synthetic.nodes, start=1):
        ids[str(row["id"])] = index
        country = resolve_country(str(row["country"])) or str(row["country"])

        def number(key: str, row: dict[str, object] = row) -> int | None:
            value = row.get(key)
            return int(value) if value not in (None, "") else None  # type: ignore[call-overload]

        graph.add_node(
            index,
            external_id=str(row["id"]),
            kind=row["kind"],
            name=row["name"],
            country=country,
            sector=row.get("sector") or None,
            tier=number("tier"),
            role=row.get("role") or None,
            licence=row.get("licence") or None,
            workers=number("workers"),
            migrant_workers=number("migrant_workers"),
            origin=row.get("origin") or None,
            destination=row.get("destination") or None,
        )
    for row in synthetic.edges:
        workers = row.get("workers")
        graph.add_edge(
            ids[str(row["source"])],
            ids[str(row["target"])],
            kind=row["kind"],
            origin=row.get("origin") or None,
            destination=row.get("destination") or None,
            workers=int(workers) if workers not in (None, "") else None,  # type: ignore[call-overload]
        )
    return graph


def answer_sets() -> dict[str, list[dict[str, object]]]:
    """A few distinct, complete answer sets per questionnaire, some with red flags."""
    recruiter = library_document("recruiter-saq", 1)
    supplier = library_document("supplier-saq", 1)
    assert recruiter is not None and supplier is not None
    fees = {
        "FEE_02": "yes",
        "FEE_03": ["fee"],
        "FEE_04": 100000,
        "FEE_05": "npr",
        "FEE_06": 750,
        "FEE_07": 40,
        "FEE_08": "none",
    }
    return {
        "recruiter": [
            complete_answers(recruiter, {}),
            complete_answers(recruiter, fees),
            complete_answers(recruiter, {"ORI_01": "some", "SUB_01": "yes"}),
        ],
        "supplier": [
            complete_answers(supplier, {}),
            complete_answers(supplier, {"DOC_01": "company_holds"}),
            complete_answers(supplier, {"HRS_01": 66}),
        ],
    }


def attach_assessments(
    graph: nx.MultiDiGraph, share: float, seed: int, now: datetime
) -> dict[int, AssessmentFacts]:
    rng = random.Random(seed)
    recruiter_q = library_document("recruiter-saq", 1)
    supplier_q = library_document("supplier-saq", 1)
    sets = answer_sets()
    assessments: dict[int, AssessmentFacts] = {}
    for node_id, data in graph.nodes(data=True):
        if data["kind"] not in ("recruiter", "supplier") or rng.random() > share:
            continue
        kind = "recruiter" if data["kind"] == "recruiter" else "supplier"
        questionnaire = recruiter_q if kind == "recruiter" else supplier_q
        assert questionnaire is not None
        choice = rng.randrange(len(sets[kind]))
        status = "accepted" if rng.random() < 0.8 else "submitted"
        assessments[node_id] = AssessmentFacts(
            assessment_id=node_id,
            node_id=node_id,
            questionnaire=questionnaire,
            questionnaire_label=f"{questionnaire.id} v1",
            answers=sets[kind][choice],
            status=status,
            completed_at=now - timedelta(days=rng.randrange(500)),
            fingerprint=f"{node_id}:{choice}:{status}",
        )
    return assessments


def seconds(action: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    now = datetime.now(UTC)
    graph = build_graph(args.nodes, args.edges, args.seed)
    assessments = attach_assessments(graph, 0.3, args.seed, now)
    reference, profile = shipped_reference(), ScoringProfile()
    print(
        f"network: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges, "
        f"{len(assessments):,} assessments"
    )

    took, scores = seconds(lambda: score_network(graph, assessments, reference, profile, now))
    print(f"full scoring (nodes + propagation): {took:.2f} s")
    took, _ = seconds(lambda: propagate(graph, scores.nodes, profile))  # type: ignore[attr-defined]
    print(f"propagation alone: {took:.2f} s")
    bands = Counter(s.band for s in scores.nodes.values())  # type: ignore[attr-defined]
    print(f"bands: {dict(sorted(bands.items()))}")

    def pick(kind: str, role: str | None = None, tier: int | None = None) -> int:
        """The first leaf recruiter of a role, or the first supplier of a tier."""
        for node_id, data in graph.nodes(data=True):
            if data["kind"] != kind or (role and data.get("role") != role):
                continue
            if tier is not None and data.get("tier") != tier:
                continue
            if kind != "recruiter" or graph.in_degree(node_id) == 0:
                return int(node_id)
        raise LookupError(kind)

    recruiter_q = library_document("recruiter-saq", 1)
    assert recruiter_q is not None
    sets = answer_sets()
    for label, node_id in (
        ("leaf sub-agent", pick("recruiter", "sub_agent")),
        ("tier-1 supplier", pick("supplier", tier=1)),
    ):
        changed = dict(assessments)
        kind = "recruiter" if label == "leaf sub-agent" else "supplier"
        questionnaire = library_document(f"{kind}-saq", 1)
        assert questionnaire is not None
        changed[node_id] = AssessmentFacts(
            assessment_id=node_id,
            node_id=node_id,
            questionnaire=questionnaire,
            questionnaire_label=f"{questionnaire.id} v1",
            answers=sets[kind][1],
            status="accepted",
            completed_at=now,
            fingerprint=f"{node_id}:changed",
        )
        downstream = len(nx.descendants(graph, node_id))
        took, _ = seconds(
            lambda node_id=node_id, changed=changed: rescore(
                scores, graph, {node_id}, changed, reference, now
            )
        )  # type: ignore[arg-type]
        print(
            f"re-score after one {label}'s assessment changed ({downstream:,} nodes "
            f"downstream): {took:.3f} s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
