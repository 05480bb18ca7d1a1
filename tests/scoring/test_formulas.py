"""Each scoring formula on inputs small enough to work out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scoring.compliance import compliance_score
from scoring.facts import NodeFacts
from scoring.inherent import (
    corridor_component,
    country_component,
    data_gap_component,
    inherent_risk,
    role_component,
    sector_component,
)
from scoring.network import rescore, score_network
from scoring.profile import ScoringProfile, adjusted_profile, adjustment_problems
from scoring.reference import ListedGood, shipped_reference
from tests.questionnaires.builders import COMPLETE_CLEAN, mini
from tests.scoring.builders import NOW, cost, facts, graph, reference

PROFILE = ScoringProfile()


def node(kind: str = "recruiter", country: str = "TH", **fields: object) -> NodeFacts:
    return NodeFacts(id=1, external_id="N1", kind=kind, name="N", country=country, **fields)


def test_compliance_is_the_weighted_share_of_best_answers() -> None:
    # F1 (w3) "no" = 10/10, D4 (w3) "locker" = 8/10: (3*1 + 3*0.8) / 6 = 90
    result = compliance_score(mini(), {**COMPLETE_CLEAN, "D4": "locker"})
    assert result.score == 90.0
    assert result.sections == {"fees": 100.0, "docs": 80.0}
    assert result.principles == {
        "iris:1": 100.0,
        "iris:2": 80.0,
        "ilo-fl:FL7": 80.0,
        "epp:EPP": 100.0,
    }
    assert result.red_flags == ()


def test_hidden_questions_neither_help_nor_hurt_and_flags_are_collected() -> None:
    # F1 yes = 0 (w3), F3 700 = 0 (w2, flag), D4 worker = 10 (w3): 3 / 8 = 37.5
    result = compliance_score(
        mini(), {**COMPLETE_CLEAN, "F1": "yes", "F2": ["service"], "F3": 700}, provisional=True
    )
    assert result.score == 37.5
    assert result.provisional
    assert [(f.code, f.question_id, f.answer) for f in result.red_flags] == [
        ("RF_WORKER_PAID_FEES", "F1", "yes"),
        ("RF_DEBT_BONDAGE", "F3", 700),
    ]
    assert [c.question_id for c in result.weakest()] == ["F1", "F3"]


def test_no_scored_answers_means_no_score_rather_than_zero() -> None:
    assert compliance_score(mini(), {"D3": 4}).score is None


def test_country_component_averages_known_figures_and_takes_the_riskiest_country() -> None:
    data = reference()
    thai = country_component(["TH"], data, PROFILE)
    assert thai.risk == pytest.approx((45 + 40 + 45) / 3, abs=0.01)  # tier 2, 6/15, 45
    assert [f.label for f in thai.figures] == [
        "Country TH: US TIP Report tier",
        "Country TH: GSI prevalence per 1,000",
        "Country TH: GSI vulnerability (0-100)",
    ]
    assert country_component(["TH", "MM"], data, PROFILE).risk == 90.0
    unknown = country_component(["ZZ"], data, PROFILE)
    assert unknown.risk is None and "ZZ" in unknown.reason


def test_corridor_component_prefers_survey_figures_over_estimates() -> None:
    data = reference(costs=(cost("MM", "TH", months=3), cost("MM", "TH", usd=3000, estimate=True)))
    component = corridor_component([("MM", "TH")], data, PROFILE)
    assert component.risk == 50.0  # 3 of 6 months; the estimate (100) is left out
    only_estimate = reference(costs=(cost("KH", "TH", usd=1500, estimate=True),))
    estimated = corridor_component([("KH", "TH")], only_estimate, PROFILE)
    assert estimated.risk == 50.0 and "estimates" in estimated.reason
    assert corridor_component([], data, PROFILE).risk is None


def test_local_currency_costs_are_converted_with_the_rate_shown() -> None:
    shipped = shipped_reference()
    component = corridor_component([("BD", "MY")], shipped, PROFILE)
    rate = shipped.rate("BDT", 2020)
    assert rate is not None
    expected_usd = 404000 / rate.units_per_usd
    assert component.risk == pytest.approx(min(100.0, 100 * expected_usd / 3000), abs=0.01)
    assert f"{rate.units_per_usd:g} per USD" in component.figures[0].value
    assert "BBS" in component.figures[0].source or "Daily Star" in component.figures[0].source


def test_sector_component_from_the_goods_list() -> None:
    data = reference()
    listed = data.__class__(
        data.countries,
        (),
        (ListedGood("TH", "Shrimp", "fishing", False, True, 2022, "US DoL", ""),),
        {},
    )
    assert (
        sector_component(node("supplier", sector="seafood_processing"), listed, PROFILE).risk
        == 85.0
    )
    assert sector_component(node("supplier", sector="electronics"), listed, PROFILE).risk == 25.0
    assert sector_component(node("supplier"), listed, PROFILE).risk is None


def test_role_and_licence() -> None:
    assert role_component(node(role="destination_agency"), True, PROFILE).risk == 30.0
    assert role_component(node(role="sub_agent"), False, PROFILE).risk == 100.0  # 70 + 30
    assert role_component(node(role="informal_broker"), True, PROFILE).risk == 85.0
    assert role_component(node("supplier"), None, PROFILE).risk is None


def test_data_gaps() -> None:
    questionnaire = mini()
    recruiter = node(role="sub_agent")
    assert data_gap_component(recruiter, None, PROFILE, NOW).risk == 100.0
    fresh = facts(1, questionnaire, COMPLETE_CLEAN)
    assert data_gap_component(recruiter, fresh, PROFILE, NOW).risk == 0.0
    provisional = facts(1, questionnaire, COMPLETE_CLEAN, status="submitted")
    assert data_gap_component(recruiter, provisional, PROFILE, NOW).risk == 35.0
    old = facts(1, questionnaire, COMPLETE_CLEAN, completed=NOW - timedelta(days=400))
    assert data_gap_component(recruiter, old, PROFILE, NOW).risk == 70.0


def test_inherent_risk_is_a_weighted_mean_of_known_components_only() -> None:
    components = [
        country_component(["MM"], reference(), PROFILE),  # 90 x 0.35
        role_component(node(role="sub_agent"), True, PROFILE),  # 70 x 0.2
        corridor_component([], reference(), PROFILE),  # unknown: left out
    ]
    result = inherent_risk(components)
    assert result.score == round((90 * 0.35 + 70 * 0.2) / 0.55, 2)
    assert result.unknown == ["corridor"]


def two_recruiter_chain() -> tuple:
    """CO <- S (TH, 100 migrants) <- DA (TH, licensed) <- SA (MM, unlicensed)."""
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "TH", {"migrant_workers": 100}),
            (3, "recruiter", "TH", {"role": "destination_agency", "licence": "TH-1"}),
            (4, "recruiter", "MM", {"role": "sub_agent"}),
        ],
        [
            (2, 1, "supplies", {}),
            (3, 2, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 40}),
            (4, 3, "refers_to", {"workers": 40}),
        ],
    )


def test_node_risk_combines_compliance_and_inherent() -> None:
    g = two_recruiter_chain()
    questionnaire = mini()
    answers = {**COMPLETE_CLEAN, "D4": "locker"}  # compliance 90
    scores = score_network(g, {3: facts(3, questionnaire, answers)}, reference(), PROFILE, NOW)
    agency = scores.nodes[3]
    # Inherent: country max(TH 43.33, MM 90) = 90 (w .35); corridor MM->TH 50 (w .2);
    # role destination agency 30 (w .2); data gap 0 (w .1); sector unknown.
    inherent = (90 * 0.35 + 50 * 0.2 + 30 * 0.2 + 0 * 0.1) / 0.85
    assert agency.inherent.score == round(inherent, 2)
    assert agency.risk == round(0.6 * (100 - 90) + 0.4 * round(inherent, 2), 2)
    assert agency.band == PROFILE.band(agency.risk)
    assert agency.licensed is True


def test_exposure_decays_per_hop_and_scales_with_worker_share() -> None:
    g = two_recruiter_chain()
    scores = score_network(g, {}, reference(), PROFILE, NOW)
    sub_agent, agency, supplier = (scores.nodes[n] for n in (4, 3, 2))
    # SA feeds DA fully (a recruiter has no workforce of its own): 0.85 x SA.
    expected_agency = max(agency.risk, 0.85 * sub_agent.risk)
    assert scores.exposure(3) == round(expected_agency, 2)
    # DA places 40 of S's 100 migrant workers: share max(0.5, 0.4) = 0.5.
    assert scores.exposure(2) == round(max(supplier.risk, 0.85 * 0.5 * expected_agency), 2)
    assert scores.exposure(1) == round(max(scores.nodes[1].risk, 0.85 * scores.exposure(2)), 2)
    assert scores.riskiest_chain(3) == [4, 3]


def test_a_red_flag_upstream_gives_every_downstream_node_a_critical_chain() -> None:
    g = two_recruiter_chain()
    questionnaire = mini()
    flagged = facts(4, questionnaire, {**COMPLETE_CLEAN, "F1": "yes", "F2": ["service"], "F3": 100})
    scores = score_network(g, {4: flagged}, reference(), PROFILE, NOW)
    assert scores.nodes[4].band == "critical"
    assert scores.nodes[4].risk >= PROFILE.red_flag_floor
    assert scores.nodes[3].band != "critical"  # its own answers are not flagged
    for downstream in (3, 2, 1):
        assert scores.exposure_band(downstream) == "critical"
    assert scores.critical_chain(1) == [4, 3, 2, 1]
    assert scores.critical_chain(4) == [4]


def test_adjusted_profiles_stay_within_bounds() -> None:
    assert adjustment_problems({"inherent.corridor": 0.3, "propagation.decay": 0.9}) == []
    problems = adjustment_problems({"combine.compliance": 0.95, "colour": 1})
    assert [p["field"] for p in problems] == ["weights.combine.compliance", "weights.colour"]
    profile = adjusted_profile({"inherent.corridor": 0.3}, "Org A")
    assert profile.corridor_weight == 0.3 and profile.adjusted_by == "Org A"
    assert profile.country_weight == PROFILE.country_weight


def test_coverage_counts_only_the_components_that_apply_to_the_node() -> None:
    scores = score_network(two_recruiter_chain(), {}, reference(), PROFILE, NOW)
    supplier = scores.nodes[2].inherent
    # A supplier: country known (TH), no sector given (unknown), no assessment (a known data
    # gap); role and corridor do not apply to it, so they are neither known nor unknown.
    assert supplier.known == ["country", "data_gap"]
    assert supplier.unknown == ["sector"]
    assert supplier.coverage == "2 of 3 components known"
    agency = scores.nodes[3].inherent
    # A recruiter: country, corridor (MM->TH), role and data gap known; sector does not apply.
    assert agency.coverage == "4 of 4 components known"
    company = scores.nodes[1].inherent
    # The company: its country is known, its sector not given; no role, corridor or data gap.
    assert (company.known, company.unknown) == (["country"], ["sector"])


def unknown_supply_chain() -> tuple:
    """CO (ZZ) <- S1 (ZZ, no sector) and CO <- S2 (ZZ): no reference figure for ZZ anywhere."""
    return graph(
        [
            (1, "company", "ZZ", {}),
            (2, "supplier", "ZZ", {"migrant_workers": 50}),
            (3, "supplier", "ZZ", {"migrant_workers": 50}),
        ],
        [(2, 1, "supplies", {}), (3, 1, "supplies", {})],
    )


def test_a_node_with_no_data_is_insufficient_data_and_so_is_a_company_fed_only_by_them() -> None:
    scores = score_network(unknown_supply_chain(), {}, reference(), PROFILE, NOW)
    supplier = scores.nodes[2]
    # Country ZZ has no figures, no sector is given, no assessment: only the data-gap penalty
    # is known, which is no knowledge of risk.
    assert supplier.inherent.known == ["data_gap"]
    assert supplier.band == "insufficient_data"
    assert "insufficient data" in supplier.formula
    assert scores.exposure_band(1) == "insufficient_data"  # not "low"
    assert scores.unknown_share() == (2, 2)


def test_one_known_supplier_makes_the_company_exposure_graded_again_and_rescore_agrees() -> None:
    g = unknown_supply_chain()
    first = score_network(g, {}, reference(), PROFILE, NOW)
    questionnaire = mini()
    answered = {3: facts(3, questionnaire, {**COMPLETE_CLEAN, "D4": "locker"})}
    full = score_network(g, answered, reference(), PROFILE, NOW)
    incremental = rescore(first, g, {3}, answered, reference(), NOW)
    # Supplier 3 now has scored answers (compliance 90): a graded band, and the company's
    # exposure rests on it; supplier 2 is still unknown.
    assert full.nodes[3].band == PROFILE.band(full.nodes[3].risk)
    assert full.nodes[2].band == "insufficient_data"
    assert full.exposure_band(1) == PROFILE.band(full.exposure(1))
    assert full.unknown_share() == (1, 2)
    for node_id in (1, 2, 3):
        assert incremental.exposure_band(node_id) == full.exposure_band(node_id)
        assert incremental.nodes[node_id].band == full.nodes[node_id].band
