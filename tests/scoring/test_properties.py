"""Properties that must hold for any network and any answers (hypothesis)."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires.answers import visible_question_ids
from scoring.network import rescore, score_network
from scoring.profile import ScoringProfile
from tests.questionnaires.builders import COMPLETE_CLEAN, mini
from tests.scoring.builders import NOW, facts, graph, reference

PROFILE = ScoringProfile()
QUESTIONNAIRE = mini()
COUNTRIES = ("GB", "TH", "MM", "ZZ")
ROLES = ("destination_agency", "origin_agency", "sub_agent", "informal_broker")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    answers = dict(COMPLETE_CLEAN)
    answers["F1"] = draw(st.sampled_from(["yes", "no"]))
    answers["D4"] = draw(st.sampled_from(["worker", "locker", "agency"]))
    if answers["F1"] == "yes":
        answers["F2"] = [draw(st.sampled_from(["service", "medical"]))]
        answers["F3"] = draw(st.integers(min_value=0, max_value=5000))
    return answers


@st.composite
def networks(draw: st.DrawFn) -> tuple[Any, dict]:
    """A company, suppliers feeding it or each other, recruiters feeding suppliers or agencies."""
    suppliers = draw(st.integers(min_value=1, max_value=5))
    recruiters = draw(st.integers(min_value=0, max_value=6))
    nodes = [(1, "company", "GB", {})]
    edges = []
    for i in range(suppliers):
        node_id = 10 + i
        nodes.append(
            (
                node_id,
                "supplier",
                draw(st.sampled_from(COUNTRIES)),
                {"migrant_workers": draw(st.one_of(st.none(), st.integers(1, 500)))},
            )
        )
        buyer = 1 if i == 0 else draw(st.sampled_from([1, *range(10, node_id)]))
        edges.append((node_id, buyer, "supplies", {}))
    for j in range(recruiters):
        node_id = 100 + j
        role = draw(st.sampled_from(ROLES))
        nodes.append(
            (
                node_id,
                "recruiter",
                draw(st.sampled_from(COUNTRIES)),
                {"role": role, "licence": draw(st.sampled_from([None, "L-1"]))},
            )
        )
        targets = [10 + i for i in range(suppliers)] + list(range(100, node_id))
        target = draw(st.sampled_from(targets))
        kind = "recruits_for" if target < 100 else "refers_to"
        extra = {"origin": "MM", "destination": "TH"} if kind == "recruits_for" else {}
        edges.append(
            (
                node_id,
                target,
                kind,
                {**extra, "workers": draw(st.one_of(st.none(), st.integers(1, 300)))},
            )
        )
    g = graph(nodes, edges)
    assessed = {}
    for node_id, kind, _country, _attributes in nodes:
        if kind != "company" and draw(st.booleans()):
            status = draw(st.sampled_from(["accepted", "submitted"]))
            assessed[node_id] = facts(node_id, QUESTIONNAIRE, draw(answer_sets()), status)
    return g, assessed


@FAST
@given(networks())
def test_scores_stay_in_bounds_and_exposure_is_at_least_own_risk(case: tuple) -> None:
    g, assessed = case
    scores = score_network(g, assessed, reference(), PROFILE, NOW)
    for node_id, score in scores.nodes.items():
        assert 0 <= score.risk <= 100
        assert 0 <= score.inherent.score <= 100
        if score.compliance is not None and score.compliance.score is not None:
            assert 0 <= score.compliance.score <= 100
        assert score.risk - 0.01 <= scores.exposure(node_id) <= 100
        chain = scores.riskiest_chain(node_id)
        assert chain[-1] == node_id
        for source, target in itertools.pairwise(chain):
            assert g.has_edge(source, target)


@FAST
@given(networks())
def test_a_critical_red_flag_always_yields_critical(case: tuple) -> None:
    g, assessed = case
    scores = score_network(g, assessed, reference(), PROFILE, NOW)
    for node_id, score in scores.nodes.items():
        flagged = any(f.severity == "critical" for f in score.red_flags)
        assert (score.band == "critical") == flagged
        if flagged:
            assert score.risk >= PROFILE.red_flag_floor
            for downstream in [node_id, *nx.descendants(g, node_id)]:
                assert scores.exposure_band(downstream) == "critical"
                chain = scores.critical_chain(downstream)
                assert chain is not None and scores.nodes[chain[0]].critical


def _worse_options() -> list[tuple[str, str, str]]:
    """(question, better answer, worse answer) pairs on single-answer scored questions."""
    pairs = []
    for question in QUESTIONNAIRE.questions():
        if question.type in ("yes_no", "single_choice") and question.is_scored:
            for better in question.options or []:
                for worse in question.options or []:
                    if (worse.points or 0) < (better.points or 0):
                        pairs.append((question.id, better.value, worse.value))
    return pairs


@FAST
@given(networks(), st.sampled_from(_worse_options()), st.data())
def test_a_worse_answer_never_lowers_risk(case: tuple, pair: tuple, data: st.DataObject) -> None:
    g, assessed = case
    candidates = sorted(n for n in g.nodes if g.nodes[n]["kind"] != "company")
    node_id = data.draw(st.sampled_from(candidates))
    question_id, better, worse = pair
    base = dict(assessed[node_id].answers) if node_id in assessed else dict(COMPLETE_CLEAN)
    if question_id not in visible_question_ids(QUESTIONNAIRE, {**base, question_id: better}):
        return
    good = {**base, question_id: better}
    if (better == "yes" and question_id == "F1") or (good.get("F1") == "yes" and "F3" not in good):
        good.update(F2=["service"], F3=good.get("F3", 0))
    bad = {**good, question_id: worse}
    before = score_network(
        g, {**assessed, node_id: facts(node_id, QUESTIONNAIRE, good)}, reference(), PROFILE, NOW
    )
    after = score_network(
        g, {**assessed, node_id: facts(node_id, QUESTIONNAIRE, bad)}, reference(), PROFILE, NOW
    )
    assert after.nodes[node_id].risk >= before.nodes[node_id].risk - 1e-9
    for other in g.nodes:
        assert after.exposure(other) >= before.exposure(other) - 0.01


@FAST
@given(networks(), st.sampled_from(ROLES), st.data())
def test_adding_a_riskier_recruiter_never_lowers_exposure(
    case: tuple, role: str, data: st.DataObject
) -> None:
    g, assessed = case
    before = score_network(g, assessed, reference(), PROFILE, NOW)
    targets = sorted(n for n in g.nodes if g.nodes[n]["kind"] in ("supplier", "recruiter"))
    target = data.draw(st.sampled_from(targets))
    bigger = g.copy()
    bigger.add_node(
        999,
        external_id="N999",
        kind="recruiter",
        name="New broker",
        country="MM",
        role=role,
        licence=None,
    )
    kind = "refers_to" if g.nodes[target]["kind"] == "recruiter" else "recruits_for"
    bigger.add_edge(
        999,
        target,
        kind=kind,
        origin="MM",
        destination="TH",
        workers=data.draw(st.one_of(st.none(), st.integers(1, 300))),
    )
    after = score_network(bigger, assessed, reference(), PROFILE, NOW)
    for node_id in g.nodes:
        assert after.exposure(node_id) >= before.exposure(node_id) - 0.01


@FAST
@given(networks(), st.data())
def test_rescoring_changed_nodes_equals_scoring_from_scratch(
    case: tuple, data: st.DataObject
) -> None:
    g, assessed = case
    first = score_network(g, assessed, reference(), PROFILE, NOW)
    candidates = sorted(n for n in g.nodes if g.nodes[n]["kind"] != "company")
    node_id = data.draw(st.sampled_from(candidates))
    changed = {**assessed, node_id: facts(node_id, QUESTIONNAIRE, data.draw(answer_sets()))}
    incremental = rescore(first, g, {node_id}, changed, reference(), NOW)
    full = score_network(g, changed, reference(), PROFILE, NOW)
    for other in g.nodes:
        assert incremental.nodes[other].risk == full.nodes[other].risk
        assert incremental.exposure(other) == full.exposure(other)
        assert incremental.exposure_band(other) == full.exposure_band(other)
