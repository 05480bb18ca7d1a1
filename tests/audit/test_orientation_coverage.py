"""Orientation coverage and its gaps, as pure functions over a small hand-built graph: the
acceptance numbers (1,200 recruited NP to MY, 900 oriented before departure, none after arrival:
75 % and 0 %), unknown recruited workers giving no share (never 0 %), and the languages the
workers speak."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import networkx as nx

from audit.findings.rules import generate
from audit.orientation.coverage import (
    CLDR_SOURCE,
    GROUP_SOURCE,
    OrientationFacts,
    SessionFacts,
    WorkerLanguages,
    language_mismatches,
    orientation_coverage,
    orientation_gaps,
    parse_languages,
    primary_language,
    share,
)
from scoring.network import NetworkScores, score_network
from scoring.profile import ScoringProfile
from tests.scoring.builders import NOW, reference


def _graph(edges: list[tuple[str, str, dict[str, Any]]], nodes: dict[str, Any]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    ids = {name: index for index, name in enumerate(nodes, start=1)}
    for name, data in nodes.items():
        graph.add_node(ids[name], external_id=name, name=name, **data)
    for number, (source, target, data) in enumerate(edges):
        graph.add_edge(ids[source], ids[target], number, **data)
    return graph


NODES = {
    "CO": {"kind": "company", "country": "GB"},
    "EMP": {"kind": "supplier", "country": "MY"},
    "AGENT": {"kind": "recruiter", "country": "NP", "role": "origin_agency"},
}


def np_my(workers: int | None = 1200) -> nx.MultiDiGraph:
    return _graph(
        [
            ("EMP", "CO", {"kind": "supplies"}),
            (
                "AGENT",
                "EMP",
                {"kind": "recruits_for", "origin": "NP", "destination": "MY", "workers": workers},
            ),
        ],
        NODES,
    )


def pre(
    workers: int, ident: int = 1, language: str = "ne", employer: int | None = None
) -> SessionFacts:
    return SessionFacts(ident, "pre_departure", "NP", "MY", employer, workers, language)


def post(workers: int, employer: int, ident: int = 9, language: str = "ne") -> SessionFacts:
    return SessionFacts(ident, "post_arrival", "NP", "MY", employer, workers, language)


def test_acceptance_75_and_0_percent_with_one_post_arrival_gap() -> None:
    graph = np_my()
    result = orientation_coverage(graph, [pre(500, 1), pre(400, 2)])
    corridor = result.corridor("NP", "MY")
    assert corridor is not None
    assert corridor.recruited == 1200
    assert (corridor.pre_departure.oriented, corridor.pre_departure.share) == (900, 0.75)
    assert (corridor.post_arrival.oriented, corridor.post_arrival.share) == (0, 0.0)
    assert corridor.pre_departure.sessions == 2
    assert corridor.main_employer == 2  # EMP
    [employer] = result.employers
    assert (employer.name, employer.recruited, employer.post_arrival.share) == ("EMP", 1200, 0.0)
    # Sessions without an employer count for the corridor, not for any employer.
    assert employer.pre_departure.share == 0.0

    corridor_gaps, employer_gaps = orientation_gaps(result)
    assert [(g.stage, g.corridor.origin, g.corridor.destination) for g in corridor_gaps] == [
        ("post_arrival", "NP", "MY")
    ]
    assert employer_gaps == []  # the corridor's own gap covers its only employer

    found = generate(graph, _scores(graph), _now(), orientation=OrientationFacts((pre(900),)))
    orientation = [d for d in found if d.principle == "crest:PILLAR-2"]
    assert [(d.code, d.key, d.severity, d.node_id) for d in orientation] == [
        ("GAP_NO_POSTARRIVAL_ORIENTATION", "gap:orientation:post_arrival:NP-MY", "medium", 2)
    ]
    assert orientation[0].evidence["recruited"] == 1200
    assert orientation[0].evidence["pre_departure_share"] == 0.75


def test_unknown_recruited_gives_no_share_never_zero() -> None:
    graph = np_my(workers=None)
    result = orientation_coverage(graph, [pre(300)])
    corridor = result.corridor("NP", "MY")
    assert corridor is not None and corridor.recruited is None
    assert corridor.edges_without_workers == 1
    assert (corridor.pre_departure.oriented, corridor.pre_departure.share) == (300, None)
    assert corridor.post_arrival.share is None
    assert result.employers[0].recruited is None and result.employers[0].post_arrival.share is None
    # Workers are placed (their number is unknown): the missing post-arrival stage is a gap.
    assert [g.stage for g in orientation_gaps(result)[0]] == ["post_arrival"]


def test_share_is_capped_and_a_session_only_corridor_is_unknown() -> None:
    assert share(1500, 1200) == 1.0 and share(1, 3) == 0.3333 and share(5, 0) is None
    result = orientation_coverage(
        np_my(), [pre(1500), SessionFacts(3, "pre_departure", "BD", "MY", None, 40, "bn")]
    )
    assert result.corridor("NP", "MY").pre_departure.oriented == 1500  # type: ignore[union-attr]
    assert result.corridor("NP", "MY").pre_departure.share == 1.0  # type: ignore[union-attr]
    unmapped = result.corridor("BD", "MY")
    assert unmapped is not None and unmapped.recruited is None
    assert unmapped.pre_departure.share is None
    assert orientation_gaps(result)[0][0].corridor.origin == "NP"  # no gap for the unmapped one


def test_an_employer_without_post_arrival_where_another_employer_has_one() -> None:
    nodes = {**NODES, "EMP2": {"kind": "supplier", "country": "MY"}}
    graph = _graph(
        [
            ("EMP", "CO", {"kind": "supplies"}),
            ("EMP2", "CO", {"kind": "supplies"}),
            (
                "AGENT",
                "EMP",
                {"kind": "recruits_for", "origin": "NP", "destination": "MY", "workers": 100},
            ),
            (
                "AGENT",
                "EMP2",
                {"kind": "recruits_for", "origin": "NP", "destination": "MY", "workers": 50},
            ),
        ],
        nodes,
    )
    emp, emp2 = 2, 4
    result = orientation_coverage(graph, [pre(150), post(100, emp)])
    corridor = result.corridor("NP", "MY")
    assert corridor is not None and corridor.recruited == 150
    assert corridor.post_arrival.share == round(100 / 150, 4)  # 0.6667
    corridor_gaps, employer_gaps = orientation_gaps(result)
    assert corridor_gaps == []
    assert [g.employer.node_id for g in employer_gaps] == [emp2]
    by_id = {e.node_id: e for e in result.employers}
    assert by_id[emp].post_arrival.share == 1.0 and by_id[emp2].post_arrival.share == 0.0


def test_languages_from_worker_groups_else_cldr() -> None:
    assert primary_language("ne-NP") == "ne" and primary_language("sr_Latn") == "sr"
    assert parse_languages("ne; mai") == ("ne", "mai") and parse_languages(["ne", "hi"]) == (
        "ne",
        "hi",
    )
    graph = np_my()
    spoken = WorkerLanguages(graph, {}).spoken("NP", "MY", None)
    assert (spoken.languages, spoken.source) == (("ne",), CLDR_SOURCE)
    # "th" for Nepali workers is a mismatch; "ne" is not.
    facts = OrientationFacts((pre(200, 1, "th"), pre(100, 2, "ne"), pre(50, 3, "th-TH")))
    [mismatch] = language_mismatches(graph, facts)
    assert (mismatch.language, mismatch.session_ids, mismatch.workers_reached) == (
        "th",
        (1, 3),
        250,
    )

    nodes = {
        **NODES,
        "WG": {
            "kind": "worker_group",
            "country": "NP",
            "origin": "NP",
            "destination": "MY",
            "workers": 80,
        },
    }
    with_group = _graph(
        [
            ("EMP", "CO", {"kind": "supplies"}),
            ("WG", "EMP", {"kind": "employed_by", "workers": 80}),
        ],
        nodes,
    )
    group_languages = {4: ("mai", "ne")}
    spoken = WorkerLanguages(with_group, group_languages).spoken("NP", "MY", 2)
    assert (spoken.languages, spoken.source, spoken.groups) == (("mai", "ne"), GROUP_SOURCE, (4,))
    assert (
        language_mismatches(with_group, OrientationFacts((pre(80, 1, "mai"),), group_languages))
        == []
    )
    # Nothing known of a territory's languages: unknown, never a mismatch.
    unknown = SessionFacts(5, "pre_departure", "AQ", "MY", None, 10, "en")
    assert language_mismatches(graph, OrientationFacts((unknown,))) == []


def _now() -> datetime:
    return NOW


def _scores(graph: nx.MultiDiGraph) -> NetworkScores:
    return score_network(graph, {}, reference(), ScoringProfile(), NOW)
