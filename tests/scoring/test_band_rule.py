"""Numbers and bands agree: a critical chain's exposure is at least the red-flag floor.

Worked by hand on small networks (``tests.scoring.builders.reference``: GB tier 1 -> 15; TH
(45 + 40 + 45) / 3 = 43.33; MM tier 3 -> 90; MM->TH costs 3 of 6 months -> 50), then through
the HTTP API, the dashboard and the report, and the corridor heatmap against the corridor list.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from sqlalchemy.engine import Engine
from sqlmodel import Session

from audit.reports.heatmap_data import corridor_heatmap
from audit.scores.service import scoring_context
from questionnaires.library import library_document
from scoring.corridors import corridor_risks
from scoring.network import rescore, score_network
from scoring.profile import ScoringProfile
from supplychain.countries import country_name
from supplychain.models import Network
from tests.builders import Actor, World, edge, network_with, node, node_ids
from tests.questionnaires.builders import COMPLETE_CLEAN, mini
from tests.scoring.builders import NOW, best_answers, facts, graph, reference
from tests.scoring.test_properties import FAST, networks
from tests.web.sessions import signed_in

PROFILE = ScoringProfile()
QUESTIONNAIRE = mini()
# F1 yes = 0 (w3), F3 100 = 4/10 (w2), D4 worker = 10/10 (w3): (0 + 0.8 + 3) / 8 = 47.5, with
# the critical red flag RF_WORKER_PAID_FEES.
FEES_PAID = {**COMPLETE_CLEAN, "F1": "yes", "F2": ["service"], "F3": 100}
RECRUITER_SAQ = library_document("recruiter-saq", 1)
SUPPLIER_SAQ = library_document("supplier-saq", 1)
DEBT_BONDAGE = {"WAG_01": "loans_or_deposits"}  # critical red flag RF_DEBT_BONDAGE


def three_hop_chain() -> Any:
    """CO (GB) <- S (TH, 100 migrants) <- DA (TH, licensed) <- SA (MM, unlicensed sub-agent);
    DA places 52 of S's 100 migrant workers, so the sub-agent is three hops from the company."""
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "TH", {"migrant_workers": 100}),
            (3, "recruiter", "TH", {"role": "destination_agency", "licence": "TH-1"}),
            (4, "recruiter", "MM", {"role": "sub_agent"}),
        ],
        [
            (2, 1, "supplies", {}),
            (3, 2, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 52}),
            (4, 3, "refers_to", {"workers": 52}),
        ],
    )


def clean_middle() -> dict:
    """The supplier and the agency answer cleanly (compliance 100), so their own risks stay
    below what reaches them from the sub-agent."""
    return {2: facts(2, QUESTIONNAIRE, COMPLETE_CLEAN), 3: facts(3, QUESTIONNAIRE, COMPLETE_CLEAN)}


def test_a_critical_flag_three_hops_up_gives_the_company_75_not_the_decayed_24() -> None:
    assessed = {**clean_middle(), 4: facts(4, QUESTIONNAIRE, FEES_PAID)}
    scores = score_network(three_hop_chain(), assessed, reference(), PROFILE, NOW)
    # Own risks. CO: country GB 15 only -> 15. S: (43.33 x .35 + gap 0 x .1) / .45 = 33.70,
    # x 0.4 = 13.48. DA: (90 x .35 + corridor 50 x .2 + role 30 x .2 + gap 0) / .85 = 55.88,
    # x 0.4 = 22.35. SA: inherent (90 x .35 + 50 x .2 + role 70 + 30 unlicensed = 100 x .2 +
    # gap 0) / .85 = 72.35; 0.6 x (100 - 47.5) + 0.4 x 72.35 = 60.44, raised by its critical
    # red flag to 75.
    assert [scores.nodes[n].risk for n in (1, 2, 3, 4)] == [15.0, 13.48, 22.35, 75.0]
    assert [scores.nodes[n].band for n in (1, 2, 3, 4)] == ["low", "low", "low", "critical"]
    # Raw propagation: DA max(22.35, 75 x .85) = 63.75 (a recruiter has no workforce: share 1);
    # S max(13.48, 63.75 x .85 x 52/100) = 28.1775; CO max(15, 28.1775 x .85) = 23.950875.
    raw = scores.propagation.exposure
    assert raw[3] == pytest.approx(63.75)
    assert raw[2] == pytest.approx(28.1775)
    assert raw[1] == pytest.approx(23.950875)
    assert scores.propagation.flag_hops[1] == 3
    # What everyone shows: the critical chain sets the number to the floor, band critical.
    for node_id in (1, 2, 3, 4):
        assert scores.exposure(node_id) == 75.0
        assert scores.exposure_band(node_id) == "critical"
    assert scores.critical_chain(1) == [4, 3, 2, 1]


def test_without_a_red_flag_the_company_keeps_its_plain_propagated_number() -> None:
    scores = score_network(three_hop_chain(), clean_middle(), reference(), PROFILE, NOW)
    # SA unassessed: (90 x .35 + 50 x .2 + 100 x .2 + gap 100 x .1) / .85 = 84.12. At or above
    # 75 but no red flag: high, not critical.
    assert (scores.nodes[4].risk, scores.nodes[4].band) == (84.12, "high")
    # DA max(22.35, 84.12 x .85) = 71.502; S max(13.48, 71.502 x .442) = 31.603884;
    # CO max(15, 31.603884 x .85) = 26.8633014 -> 26.86.
    expected = {4: (84.12, "high"), 3: (71.5, "high"), 2: (31.6, "medium"), 1: (26.86, "low")}
    for node_id, (exposure, band) in expected.items():
        assert (scores.exposure(node_id), scores.exposure_band(node_id)) == (exposure, band)
    assert scores.propagation.flag_hops == {}


def test_rescoring_a_new_red_flag_gives_the_same_floored_exposure_as_scoring_afresh() -> None:
    g = three_hop_chain()
    before = score_network(g, clean_middle(), reference(), PROFILE, NOW)
    flagged = {**clean_middle(), 4: facts(4, QUESTIONNAIRE, FEES_PAID)}
    incremental = rescore(before, g, {4}, flagged, reference(), NOW)
    full = score_network(g, flagged, reference(), PROFILE, NOW)
    assert incremental.propagation.exposure == full.propagation.exposure  # raw, every digit
    for node_id in (1, 2, 3, 4):
        assert incremental.exposure(node_id) == full.exposure(node_id) == 75.0


@FAST
@given(networks())
def test_on_any_network_a_critical_band_comes_with_a_number_of_at_least_75(case: tuple) -> None:
    g, assessed = case
    scores = score_network(g, assessed, reference(), PROFILE, NOW)
    floor = PROFILE.red_flag_floor
    for node_id, score in scores.nodes.items():
        assert (score.band == "critical") == score.critical
        if score.band == "critical":
            assert score.risk >= floor
        on_chain = node_id in scores.propagation.flag_hops
        assert (scores.exposure_band(node_id) == "critical") == on_chain
        raw = round(scores.propagation.exposure[node_id], 2)
        assert scores.exposure(node_id) == (max(raw, floor) if on_chain else raw)
    for corridor in corridor_risks(g, scores, reference()):
        if corridor.band == "critical":
            assert corridor.worst_risk is not None and corridor.worst_risk >= floor
        assert bool(corridor.critical_recruiters) == (corridor.band == "critical")


# Through the API, the dashboard and the report ---------------------------------------------


def answered(actor: Actor, network_id: int, node_id: int, answers: dict[str, Any]) -> None:
    """Assign the node's questionnaire, answer on the respondent's behalf, submit, accept."""
    base = f"/api/v1/networks/{network_id}/assessments"
    created = actor.post(base, json={"node_id": node_id})
    assert created.status_code == 201, created.text
    assessment = created.json()["id"]
    saved = actor.put(f"{base}/{assessment}/answers", json={"answers": answers})
    assert saved.status_code == 200, saved.text
    assert actor.post(f"{base}/{assessment}/submit").status_code == 200
    reviewed = actor.post(f"{base}/{assessment}/review", json={"decision": "accept"})
    assert reviewed.status_code == 200, reviewed.text


def test_the_scores_endpoint_dashboard_and_report_show_75_critical_for_a_far_red_flag(
    world: World, client: TestClient, engine: Engine
) -> None:
    analyst = world.analyst_a
    network = network_with(
        analyst,
        [
            node("CO", "company", "Brand", "GB"),
            node("S", "supplier", "Factory", "TH", migrant_workers=100),
            node("DA", "recruiter", "Agency", "TH", role="destination_agency", licence="TH-1"),
            node("SA", "recruiter", "Sub-agent", "MM", role="sub_agent"),
        ],
        [
            edge("S", "CO", "supplies"),
            edge("DA", "S", "recruits_for", origin="MM", destination="TH", workers=10),
            edge("SA", "DA", "refers_to", workers=10),
        ],
    )
    network_id = network["id"]
    ids = node_ids(analyst, network_id)
    answered(analyst, network_id, ids["S"], best_answers(SUPPLIER_SAQ))
    answered(analyst, network_id, ids["DA"], best_answers(RECRUITER_SAQ))
    url = f"/api/v1/networks/{network_id}/scores"

    def risks(body: dict) -> dict[str, float]:
        return {r["external_id"]: r["risk"] for r in body["items"]}

    def plain_company_exposure(risk: dict[str, float]) -> float:
        # DA places 10 of S's 100 migrant workers: share max(0.5, 0.1) = 0.5; a recruiter or
        # the company has no workforce of its own here: share 1.
        agency = max(risk["DA"], 0.85 * risk["SA"])
        supplier = max(risk["S"], 0.85 * 0.5 * agency)
        return max(risk["CO"], 0.85 * supplier)

    before = analyst.get(url, params={"limit": 100}).json()
    plain = plain_company_exposure(risks(before))
    assert before["company"]["critical_chain"] is False
    assert before["company"]["exposure"] == round(plain, 2)
    assert before["company"]["exposure_band"] == PROFILE.band(round(plain, 2))

    answered(analyst, network_id, ids["SA"], best_answers(RECRUITER_SAQ, **DEBT_BONDAGE))
    after = analyst.get(url, params={"limit": 100}).json()
    risk = risks(after)
    by_id = {r["external_id"]: r for r in after["items"]}
    assert (by_id["SA"]["band"], by_id["SA"]["red_flags"]) == ("critical", ["RF_DEBT_BONDAGE"])
    # One bad answer among best ones: compliance stays high, so 0.6 x (100 - compliance) +
    # 0.4 x inherent is far below 75 and the red flag raises the sub-agent to exactly 75.
    assert risk["SA"] == 75.0
    # Clean answers elsewhere keep S and DA at 0.4 x inherent (13.38 and 22.07 with the shipped
    # figures), below what reaches them, so the plain propagated number is 75 x .85 (DA) x .85
    # x .5 (S) x .85 (CO) = 23.0296875: the old "critical (23/100)" ...
    assert plain_company_exposure(risk) == pytest.approx(75 * 0.85**3 * 0.5)
    # ... and the critical chain sets it to the floor.
    company = after["company"]
    assert (company["exposure"], company["exposure_band"]) == (75.0, "critical")
    assert company["critical_chain"] is True
    for key in ("S", "DA"):
        assert (by_id[key]["exposure"], by_id[key]["exposure_band"]) == (75.0, "critical")

    explained = analyst.get(f"/api/v1/networks/{network_id}/nodes/{ids['CO']}/score").json()
    assert (explained["node"]["exposure"], explained["node"]["exposure_band"]) == (75.0, "critical")
    assert [s["external_id"] for s in explained["critical_chain"]] == ["SA", "DA", "S", "CO"]
    assert [s["exposure"] for s in explained["critical_chain"]][1:] == [75.0, 75.0, 75.0]

    page = signed_in(client, engine, analyst.user_id).get(f"/dashboard/networks/{network_id}")
    assert page.status_code == 200
    assert (
        'Company exposure: <span class="band band-critical">critical</span> <b>75</b>/100'
        in page.text
    )

    report = analyst.get(f"/api/v1/networks/{network_id}/report.json")
    assert report.status_code == 200, report.text
    key = report.json()["key_figures"]
    assert (key["exposure"], key["exposure_band"]) == (75.0, "critical")
    assert "Overall exposure is CRITICAL (75/100)." in report.json()["headline"]


# The corridor heatmap orders corridors as the API does ---------------------------------------


def test_the_corridor_heatmap_lists_corridors_in_the_api_order(
    world: World, engine: Engine
) -> None:
    analyst = world.analyst_a
    network = network_with(
        analyst,
        [
            node("CO", "company", "Brand", "GB"),
            node("S-TH", "supplier", "Thai factory", "TH", migrant_workers=300),
            node("S-MY", "supplier", "Malaysian factory", "MY", migrant_workers=300),
            node("R-MM", "recruiter", "Yangon agency", "MM", role="origin_agency", licence="M1"),
            node("R-KH", "recruiter", "Broker", "KH", role="informal_broker"),
            node("R-LA", "recruiter", "Vientiane agency", "LA", role="origin_agency", licence="L1"),
        ],
        [
            edge("S-TH", "CO", "supplies"),
            edge("S-MY", "CO", "supplies"),
            edge("R-MM", "S-TH", "recruits_for", origin="MM", destination="TH", workers=100),
            edge("R-KH", "S-MY", "recruits_for", origin="KH", destination="MY", workers=100),
            edge("R-LA", "S-TH", "recruits_for", origin="LA", destination="TH", workers=100),
        ],
    )
    network_id = network["id"]
    ids = node_ids(analyst, network_id)
    answered(analyst, network_id, ids["R-MM"], best_answers(RECRUITER_SAQ, **DEBT_BONDAGE))
    answered(analyst, network_id, ids["R-LA"], best_answers(RECRUITER_SAQ))
    corridors = analyst.get(f"/api/v1/networks/{network_id}/corridors").json()["items"]
    by_key = {(c["origin"], c["destination"]): c for c in corridors}
    # The unassessed, unlicensed informal broker (role 85 + 30, data gap 100) outscores the
    # Myanmar agency's floored 75, but only the Myanmar agency has a critical red flag; the
    # clean, licensed Lao agency is lowest. Band first, then worst risk:
    assert by_key[("KH", "MY")]["worst_risk"] > by_key[("MM", "TH")]["worst_risk"] >= 75
    assert by_key[("LA", "TH")]["worst_risk"] < 50
    order = [(c["origin"], c["destination"]) for c in corridors]
    assert order == [("MM", "TH"), ("KH", "MY"), ("LA", "TH")]
    assert [c["band"] for c in corridors] == ["critical", "high", by_key[("LA", "TH")]["band"]]

    with Session(engine) as session:
        stored = session.get(Network, network_id)
        assert stored is not None
        figure = corridor_heatmap(scoring_context(session, stored))
    # One cell per corridor, in the API's order, and the axes in first-appearance order: the
    # worst corridor by the API's reckoning is the top-left cell (by worst number alone the
    # Cambodian broker's row and Malaysia's column would come first).
    assert [(figure.rows[c.row], figure.columns[c.column]) for c in figure.cells] == [
        (country_name(o), country_name(d)) for o, d in order
    ]
    assert figure.rows == [country_name("MM"), country_name("KH"), country_name("LA")]
    assert figure.columns == [country_name("TH"), country_name("MY")]
    assert [c.risk for c in figure.cells] == [c["worst_risk"] for c in corridors]
    assert [c.flagged for c in figure.cells] == [True, False, False]
