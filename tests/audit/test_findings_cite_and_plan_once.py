"""Findings cite the answers that raised them, weak principles are one finding per node, "not
checked" leads to verification only, and a plan never holds a template twice for one node."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI

from audit.findings.rules import generate
from audit.remediation.library import remediation_library
from questionnaires.definition import Questionnaire
from questionnaires.library import library_document
from scoring.network import score_network
from scoring.profile import ScoringProfile
from tests.audit.test_plans_api import frozen  # noqa: F401  (fixture)
from tests.builders import World
from tests.scoring.builders import NOW, best_answers, facts, graph, reference
from tests.scoring.test_scores_api import FEES_PAID, answered, seafood

SAQ = library_document("recruiter-saq", 1)
assert SAQ is not None
NOT_CHECKED = {
    "CON_03": "not_checked",
    "CON_04": "not_checked",
    "DOC_04": "dont_know",
    "WAG_02": "not_checked",
    "WAG_03": "not_checked",
}


def one_recruiter() -> Any:
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "TH", {"migrant_workers": 50}),
            (10, "recruiter", "MM", {"role": "origin_agency", "licence": "MM-1"}),
        ],
        [
            (2, 1, "supplies", {}),
            (10, 2, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 50}),
        ],
    )


def drafts_for(answers: dict[str, Any]) -> list[Any]:
    g = one_recruiter()
    scores = score_network(g, {10: facts(10, SAQ, answers)}, reference(), ScoringProfile(), NOW)
    return generate(g, scores, NOW)


def worst_answers(questionnaire: Questionnaire) -> dict[str, Any]:
    """The lowest-scoring option of every scored choice question, best answers elsewhere."""
    worst: dict[str, Any] = {}
    for question in questionnaire.questions():
        if question.is_scored and question.options and question.type != "multi_choice":
            worst[question.id] = min(question.options, key=lambda o: o.points or 0).value
    return best_answers(questionnaire, **worst)


def test_the_fee_red_flag_cites_every_answer_that_raised_it_and_their_principles() -> None:
    answers = best_answers(SAQ, **FEES_PAID, ORI_02="worker_pays")
    fees = [d for d in drafts_for(answers) if d.code == "RF_WORKER_PAID_FEES"]
    assert len(fees) == 1  # one finding per node and cause, not one per answer
    finding = fees[0]
    cited = [(a["question_id"], a["answer"]) for a in finding.evidence["answers"]]
    assert cited == [("FEE_02", "yes"), ("ORI_02", "worker_pays")]
    # The principle is the fee question's (IRIS 1), not the orientation question's.
    assert finding.principle == "iris:1"
    assert finding.evidence["question_id"] == "FEE_02"
    fee_question = SAQ.question("FEE_02")
    orientation = SAQ.question("ORI_02")
    assert finding.detail == (
        f"2 answers: FEE_02 ({fee_question.text}): Yes; ORI_02 ({orientation.text}): "
        "The worker pays the course, the travel or the meals"
    )
    assert set(fee_question.evidences) | set(orientation.evidences) == set(
        finding.evidence["evidences"]
    )


def test_a_recruiter_answering_badly_everywhere_has_one_weak_principle_finding() -> None:
    found = drafts_for(worst_answers(SAQ))
    weak = [d for d in found if d.code == "WEAK_PRINCIPLE"]
    assert len(weak) == 1
    principles = weak[0].evidence["principles"]
    assert len(principles) > 10  # every weak principle listed in the one finding ...
    assert weak[0].severity == "high"  # ... at the worst severity among them
    assert all(p["score"] < 75 for p in principles)
    assert [p["score"] for p in principles] == sorted(p["score"] for p in principles)
    # Red flags stay one per cause.
    codes = Counter(d.code for d in found)
    assert all(n == 1 for n in codes.values()), codes


def test_not_checked_answers_raise_one_verification_finding() -> None:
    found = {d.code: d for d in drafts_for(best_answers(SAQ, **NOT_CHECKED))}
    verify = found["VERIFY_UNCONFIRMED"]
    assert verify.severity == "medium" and verify.key == "verify:N10"
    assert [a["question_id"] for a in verify.evidence["answers"]] == list(NOT_CHECKED)
    assert not any(code.startswith("RF_") for code in found)
    library = remediation_library()
    assert [t.id for t in library.for_finding("VERIFY_UNCONFIRMED", verify.principle)] == [
        "verify-with-workers"
    ]


def test_no_template_presuming_harm_answers_a_weak_score_or_an_open_answer() -> None:
    library = remediation_library()
    harm = {t.id for t in library.templates if t.presumes_harm}
    assert {"protect-workers-at-risk", "pay-wages-in-full", "reimburse-recruitment-fees"} <= harm
    every_tag = sorted({tag for t in library.templates for tag in t.principles})
    for code in ("WEAK_PRINCIPLE", "VERIFY_UNCONFIRMED"):
        chosen = {t.id for t in library.for_finding(code, every_tag)}
        assert chosen and not chosen & harm, code
    # A reported harm still gets its remedy.
    assert "protect-workers-at-risk" in {
        t.id for t in library.for_finding("RF_THREATS_OR_VIOLENCE", None)
    }


@pytest.mark.usefixtures("frozen")
def test_not_checked_answers_plan_verification_actions_only(world: World, app: FastAPI) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["TH-DA-GOLDENWAVE"], best_answers(SAQ, **NOT_CHECKED))
    base = f"/api/v1/networks/{network_id}"
    plan = analyst.post(f"{base}/plan", params={"limit": 500}).json()
    mine = [a for a in plan["items"] if a["node_id"] == ids["TH-DA-GOLDENWAVE"]]
    library = remediation_library()
    harm = {t.id for t in library.templates if t.presumes_harm}
    assert "verify-with-workers" in {a["template_id"] for a in mine}
    assert not {a["template_id"] for a in mine} & harm


@pytest.mark.usefixtures("frozen")
def test_a_plan_holds_each_template_once_per_node_and_replanning_keeps_history(
    world: World,
) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    sub_agent = ids["MM-SA-HPAAN"]
    # Fees raised by two answers and several weak principles on one node.
    answers = best_answers(SAQ, **FEES_PAID, **NOT_CHECKED, ORI_02="worker_pays")
    answered(analyst, network_id, sub_agent, answers)
    base = f"/api/v1/networks/{network_id}"
    plan = analyst.post(f"{base}/plan", params={"limit": 500}).json()
    pairs = Counter((a["node_id"], a["template_id"]) for a in plan["items"])
    assert pairs and max(pairs.values()) == 1, pairs
    findings = analyst.get(f"{base}/findings", params={"node_id": sub_agent, "limit": 100}).json()
    by_code = {f["code"]: f for f in findings["items"]}
    assert Counter(f["code"] for f in findings["items"])["WEAK_PRINCIPLE"] == 1
    # The verification template answers both the open answers and the weak principles.
    verify = next(
        a
        for a in plan["items"]
        if (a["node_id"], a["template_id"]) == (sub_agent, "verify-with-workers")
    )
    assert set(verify["finding_ids"]) >= {by_code["VERIFY_UNCONFIRMED"]["id"]}
    # A new finding for the node joins its open action instead of duplicating it.
    more = best_answers(SAQ, **FEES_PAID, **NOT_CHECKED, ORI_02="worker_pays", DOC_01="yes")
    answered(analyst, network_id, sub_agent, more)
    again = analyst.post(f"{base}/plan", params={"limit": 500}).json()
    pairs = Counter((a["node_id"], a["template_id"]) for a in again["items"])
    assert max(pairs.values()) == 1, pairs
    kept = {a["id"] for a in plan["items"]}
    assert kept <= {a["id"] for a in again["items"]}  # existing actions are kept
    history = analyst.get(f"{base}/plan/actions/{verify['id']}/history").json()
    assert history[0]["kind"] == "created"
