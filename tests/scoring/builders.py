"""Small hand-made inputs for the pure scorer: graphs, reference data, assessments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import networkx as nx

from questionnaires.answers import complete_answers
from questionnaires.definition import Questionnaire
from scoring.facts import AssessmentFacts
from scoring.reference import CorridorCost, CountryFigures, ReferenceData

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def country(
    iso2: str, tier: str | None, prevalence: float | None = None, vulnerability: float | None = None
) -> CountryFigures:
    return CountryFigures(
        iso2,
        f"Country {iso2}",
        tier,
        2025,
        "TIP test source",
        prevalence,
        vulnerability,
        2023,
        "GSI test source",
    )


def cost(
    origin: str,
    destination: str,
    *,
    usd: float | None = None,
    months: float | None = None,
    estimate: bool = False,
) -> CorridorCost:
    return CorridorCost(
        origin,
        destination,
        None,
        usd,
        months,
        2020,
        "mean",
        100,
        None,
        None,
        estimate,
        "Survey test source",
        "https://example.org",
        "",
    )


def reference(**extra: Any) -> ReferenceData:
    """Three countries and one corridor with round numbers, so results can be worked by hand."""
    return ReferenceData(
        countries=extra.get("countries")
        or {
            "GB": country("GB", "1"),  # 15
            "TH": country("TH", "2", prevalence=6.0, vulnerability=45),  # (45 + 40 + 45) / 3
            "MM": country("MM", "3"),  # 90
        },
        corridor_costs=extra.get("costs") or (cost("MM", "TH", months=3),),  # 3/6 -> 50
        goods=(),
        fx={},
    )


def graph(
    nodes: list[tuple[int, str, str, dict]], edges: list[tuple[int, int, str, dict]]
) -> nx.MultiDiGraph:
    built = nx.MultiDiGraph()
    for node_id, kind, country_code, attributes in nodes:
        built.add_node(
            node_id,
            external_id=f"N{node_id}",
            kind=kind,
            name=f"Node {node_id}",
            country=country_code,
            **attributes,
        )
    for source, target, kind, attributes in edges:
        built.add_edge(source, target, kind=kind, **attributes)
    return built


def facts(
    node_id: int,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    status: str = "accepted",
    completed: datetime = NOW,
) -> AssessmentFacts:
    return AssessmentFacts(
        assessment_id=node_id * 10,
        node_id=node_id,
        questionnaire=questionnaire,
        questionnaire_label=f"{questionnaire.id} v{questionnaire.version}",
        answers=answers,
        status=status,
        completed_at=completed,
        fingerprint=f"{node_id}:{status}:{sorted(answers.items())}",
    )


def best_answers(questionnaire: Questionnaire, **overrides: Any) -> dict[str, Any]:
    """A complete set of answers choosing the best-scoring option everywhere, then overrides."""
    return complete_answers(questionnaire, overrides)
