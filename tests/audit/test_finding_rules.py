"""Each finding rule on a hand-built network, and keys that survive re-scoring."""

from __future__ import annotations

from datetime import timedelta

from audit.findings.rules import FindingDraft, generate, principle_severity
from scoring.network import score_network
from scoring.profile import ScoringProfile
from tests.questionnaires.builders import COMPLETE_CLEAN, mini
from tests.scoring.builders import NOW, facts, graph, reference

QUESTIONNAIRE = mini()


def network() -> object:
    """CO <- S1 (60 migrants, DA maps to it) ; S2 (30 migrants, nothing mapped);
    DA (licensed) <- SA (sub-agent, unlicensed) ; OA (origin agency, licensed, unassessed)."""
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "TH", {"migrant_workers": 60}),
            (3, "supplier", "TH", {"migrant_workers": 30}),
            (10, "recruiter", "TH", {"role": "destination_agency", "licence": "TH-1"}),
            (11, "recruiter", "MM", {"role": "sub_agent"}),
            (12, "recruiter", "MM", {"role": "origin_agency", "licence": "MM-9"}),
        ],
        [
            (2, 1, "supplies", {}),
            (3, 1, "supplies", {}),
            (10, 2, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 60}),
            (11, 10, "refers_to", {"workers": 20}),
            (12, 10, "refers_to", {"workers": 40}),
        ],
    )


def drafts(assessed: dict) -> dict[str, FindingDraft]:
    g = network()
    scores = score_network(g, assessed, reference(), ScoringProfile(), NOW)
    return {d.key: d for d in generate(g, scores, NOW)}


def findings(assessed: dict) -> dict[str, tuple[str, str]]:
    return {key: (d.code, d.severity) for key, d in drafts(assessed).items()}


def weak_principles(draft: FindingDraft) -> dict[str, tuple[float, str]]:
    return {p["tag"]: (p["score"], p["severity"]) for p in draft.evidence["principles"]}


def test_thresholds_for_weak_principles() -> None:
    assert [principle_severity(s) for s in (0, 39.9, 40, 59.9, 60, 74.9, 75, 100)] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "low",
        None,
        None,
    ]


def test_gaps_of_an_unassessed_network() -> None:
    assert findings({}) == {
        "gap:unassessed:N10": ("GAP_UNASSESSED_RECRUITER", "medium"),
        "gap:unassessed:N11": ("GAP_UNASSESSED_RECRUITER", "high"),
        "gap:unassessed:N12": ("GAP_UNASSESSED_RECRUITER", "medium"),
        "gap:unlicensed:N11": ("GAP_UNLICENSED_RECRUITER", "high"),
        "gap:unmapped:N3": ("GAP_UNMAPPED_RECRUITMENT", "high"),
    }


def test_red_flags_and_weak_principles_from_answers() -> None:
    answers = {**COMPLETE_CLEAN, "F1": "yes", "F2": ["service"], "F3": 20, "D4": "agency"}
    everything = drafts({11: facts(11, QUESTIONNAIRE, answers)})
    found = {key: (d.code, d.severity) for key, d in everything.items()}
    assert found["redflag:N11:RF_WORKER_PAID_FEES"] == ("RF_WORKER_PAID_FEES", "critical")
    assert found["redflag:N11:RF_DOCUMENT_RETENTION"] == ("RF_DOCUMENT_RETENTION", "critical")
    # One weak-principle finding for the node, at the worst severity among its principles.
    assert found["principle:N11"] == ("WEAK_PRINCIPLE", "high")
    assert [k for k in found if k.startswith("principle:")] == ["principle:N11"]
    weak = weak_principles(everything["principle:N11"])
    # F1 yes (0) and D4 agency (0) tag iris:1, epp:EPP, iris:2, ilo-fl:FL7: all score 0 -> high.
    assert weak["iris:1"] == (0, "high") and weak["ilo-fl:FL7"] == (0, "high")
    # F3 = 20 is band 4/10 on ilo-fl:FL9 -> 40: medium.
    assert weak["ilo-fl:FL9"] == (40, "medium")
    assert "gap:unassessed:N11" not in found


def test_finding_details_name_the_evidence_and_the_chain() -> None:
    g = network()
    answers = {**COMPLETE_CLEAN, "F1": "yes", "F2": ["service"], "F3": 20}
    scores = score_network(
        g, {11: facts(11, QUESTIONNAIRE, answers)}, reference(), ScoringProfile(), NOW
    )
    draft = next(d for d in generate(g, scores, NOW) if d.code == "RF_WORKER_PAID_FEES")
    assert draft.evidence["question_id"] == "F1"
    assert draft.evidence["answer"] == "yes"
    assert draft.evidence["assessment_id"] == 110
    assert draft.principle == "iris:1"
    assert draft.chain == [11, 10, 2, 1]


def test_keys_are_stable_when_answers_and_scores_change() -> None:
    first = findings(
        {11: facts(11, QUESTIONNAIRE, {**COMPLETE_CLEAN, "F1": "yes", "F2": ["service"], "F3": 20})}
    )
    second = findings(
        {
            11: facts(
                11, QUESTIONNAIRE, {**COMPLETE_CLEAN, "F1": "yes", "F2": ["medical"], "F3": 900}
            )
        }
    )
    assert (
        "redflag:N11:RF_WORKER_PAID_FEES" in first and "redflag:N11:RF_WORKER_PAID_FEES" in second
    )
    assert second["principle:N11"] == ("WEAK_PRINCIPLE", "high")
    paid_900 = {**COMPLETE_CLEAN, "F1": "yes", "F2": ["medical"], "F3": 900}
    weak = weak_principles(drafts({11: facts(11, QUESTIONNAIRE, paid_900)})["principle:N11"])
    assert weak["ilo-fl:FL9"] == (0, "high")  # 900: band 0
    cleared = findings({11: facts(11, QUESTIONNAIRE, COMPLETE_CLEAN)})
    assert not any(key.startswith("redflag:N11") for key in cleared)


def test_stale_assessments_and_licence_answers() -> None:
    old = facts(12, QUESTIONNAIRE, COMPLETE_CLEAN, completed=NOW - timedelta(days=500))
    found = findings({12: old})
    assert found["gap:stale:N12"] == ("GAP_STALE_ASSESSMENT", "medium")
    assert "gap:unassessed:N12" not in found
