"""Fees owed to workers from the sourced exchange rate, capped at placements, unknown never zero.

Rates are the shipped World Bank WDI annual averages in scoring/data/fx_rates.csv:
NPR 133.7266 per USD in 2024, BDT 115.6037 in 2024, NPR 132.1155 in 2023.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from audit.findings.rules import generate
from questionnaires.library import library_document
from scoring.network import score_network
from scoring.profile import ScoringProfile
from scoring.reference import FxRate, shipped_reference
from scoring.reimbursement import fee_conversion, reimbursement
from tests.scoring.builders import NOW, cost, facts, graph, reference

V1 = library_document("recruiter-saq", 1)
V2 = library_document("recruiter-saq", 2)
IN_2024 = datetime(2024, 11, 30, 12, 0, tzinfo=UTC)


def answers(questionnaire: Any = V1, **by_key: Any) -> dict[str, Any]:
    keyed = {"fees_charged_to_workers": "yes", **by_key}
    return {questionnaire.by_data_key(k).id: v for k, v in keyed.items()}


def placing(workers_by_employer: dict[int, int], origin: str = "NP") -> Any:
    """Company 1 <- suppliers 2, 3 (MY) <- recruiter 10 placing the given workers."""
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "MY", {"migrant_workers": 1000}),
            (3, "supplier", "MY", {"migrant_workers": 1000}),
            (10, "recruiter", origin, {"role": "origin_agency"}),
        ],
        [
            (2, 1, "supplies", {}),
            (3, 1, "supplies", {}),
            *[
                (
                    10,
                    employer,
                    "recruits_for",
                    {"origin": origin, "destination": "MY", "workers": n},
                )
                for employer, n in workers_by_employer.items()
            ],
        ],
    )


def test_npr_converts_at_the_sourced_rate_of_the_year_paid_not_the_respondents_usd() -> None:
    fee = answers(
        fee_amount_per_worker_local=150_000,
        fee_currency="npr",
        fee_amount_per_worker_usd=1_100,  # 1.9 % from the conversion: within tolerance
        workers_charged_count=900,
        fees_reimbursed="none",
    )
    result = reimbursement(
        placing({2: 900}), {10: facts(10, V1, fee, completed=IN_2024)}, shipped_reference()
    )
    line = result.lines[0]
    # NPR 150,000 x 900 = NPR 135,000,000 / 133.7266 = USD 1,009,522.41 (not 1,100 x 900).
    assert line.owed_usd == 1_009_522.41
    assert line.owed_local == 135_000_000
    assert (line.rate, line.rate_year, line.year_paid) == (133.7266, 2024, 2024)
    assert line.per_worker_usd == 1121.69 and line.respondent_usd == 1100
    assert not line.usd_flagged
    assert "World Bank WDI" in line.rate_source
    assert line.arithmetic == (
        "NPR 150,000 x 900 workers = NPR 135,000,000; / 133.7266 NPR per USD "
        f"(2024, {line.rate_source}) = USD 1,009,522.41"
    )
    assert "agrees with the sourced conversion within 10%" in line.notes[0]


def test_the_year_answered_in_v2_picks_the_rate_and_a_missing_year_falls_back_visibly() -> None:
    assert V2 is not None
    g = placing({2: 10})
    base = dict(fee_amount_per_worker_local=150_000, fee_currency="npr", workers_charged_count=10)
    in_2023 = reimbursement(
        g, {10: facts(10, V2, answers(V2, **base, fee_year_paid=2023))}, shipped_reference()
    ).lines[0]
    # NPR 1,500,000 / 132.1155 = USD 11,353.70.
    assert (in_2023.rate, in_2023.rate_year, in_2023.owed_usd) == (132.1155, 2023, 11_353.70)
    # v2 without a year: the assessment's year (2026, NOW) has no rate; 2024's is used, and said.
    no_year = reimbursement(g, {10: facts(10, V2, answers(V2, **base))}, shipped_reference())
    line = no_year.lines[0]
    assert (line.year_paid, line.rate_year) == (2026, 2024)
    assert "no rate for 2026, the nearest year's is used" in line.usd_basis
    # The USD answer is optional in v2 and required in v1.
    assert V2.by_data_key("fee_amount_per_worker_usd").required is False  # type: ignore[union-attr]
    assert V1.by_data_key("fee_amount_per_worker_usd").required is True  # type: ignore[union-attr]


def test_a_usd_typo_is_flagged_and_the_bdt_amount_converted() -> None:
    fee = answers(
        fee_amount_per_worker_local=450_000,
        fee_currency="bdt",
        fee_amount_per_worker_usd=38,
        workers_charged_count=800,
    )
    g = placing({2: 800}, origin="BD")
    assessed = {10: facts(10, V1, fee, completed=IN_2024)}
    line = reimbursement(g, assessed, shipped_reference()).lines[0]
    # BDT 450,000 / 115.6037 = USD 3,892.61 per worker; x 800 = BDT 360,000,000 / 115.6037
    # = USD 3,114,087.18 (the respondent's USD 38 would have given USD 30,400).
    assert (line.per_worker_usd, line.owed_usd) == (3892.61, 3_114_087.18)
    assert line.usd_flagged and line.respondent_usd == 38
    assert "differs from the sourced conversion (USD 3,892.61) by 99%" in line.notes[0]
    # ... and raises a data-quality finding asking the respondent to confirm.
    scores = score_network(g, assessed, shipped_reference(), ScoringProfile(), NOW)
    found = {d.code: d for d in generate(g, scores, NOW, shipped_reference())}
    finding = found["DQ_FEE_USD_MISMATCH"]
    assert finding.severity == "medium"
    assert finding.evidence["sourced_usd"] == 3892.61 and finding.evidence["respondent_usd"] == 38
    assert "ask the respondent to confirm" in finding.detail
    # A wider tolerance set by the organisation (0.5) still flags a 99 % gap; 1.0 would not.
    assert fee_conversion(assessed[10], shipped_reference(), 0.5).flagged


def test_workers_charged_are_capped_at_the_placements_in_this_network() -> None:
    fee = answers(fee_amount_per_worker_usd=1000, workers_charged_count=3000)
    result = reimbursement(placing({2: 500, 3: 300}), {10: facts(10, V1, fee)}, reference())
    line = result.lines[0]
    assert (line.workers, line.workers_reported, line.workers_placed) == (800, 3000, 800)
    assert line.workers_basis == "3,000 reported, 800 placed in this network"
    # 800 x USD 1,000, allocated by the workers on each edge: 500 and 300.
    assert line.owed_usd == 800_000
    assert [(a.employer_id, a.workers, a.owed_usd) for a in line.allocations] == [
        (2, 500.0, 500_000.0),
        (3, 300.0, 300_000.0),
    ]


def test_a_months_of_earnings_corridor_needs_a_wage_and_is_unknown_without_one() -> None:
    base = reference()
    data = base.__class__(
        base.countries,
        (cost("NP", "MY", months=4.0),),
        (),
        {"MYR": (FxRate("MYR", 5.0, 2024, "annual_average", "WB test", ""),)},
    )
    without_wage = reimbursement(placing({2: 10, 3: 20}), {}, data)
    assert [line.owed_usd for line in without_wage.lines] == [None, None]
    assert without_wage.estimated_usd == 0 and len(without_wage.unknown_estimates) == 2
    assert "no monthly wage known" in without_wage.lines[0].missing[0]
    assert without_wage.unknown_workers_by_corridor["estimate"] == {("NP", "MY"): 30.0}
    # With supplier 2's wage, MYR 1,500 / 5.0 = USD 300 a month x 4 months = USD 1,200 per
    # worker x 10 = USD 12,000; supplier 3 stays unknown, so the total is "at least" 12,000.
    g = placing({2: 10, 3: 20})
    g.nodes[2].update(monthly_wage=1500.0, wage_currency="MYR")
    with_wage = reimbursement(g, {}, data)
    by_employer = {line.allocations[0].employer_id: line for line in with_wage.lines}
    assert by_employer[2].owed_usd == 12_000 and by_employer[2].per_worker_usd == 1200
    assert by_employer[2].statistic == "mean"
    assert "4 months of earnings" in by_employer[2].usd_basis
    assert by_employer[3].owed_usd is None
    assert with_wage.estimated_usd == 12_000 and len(with_wage.unknown_estimates) == 1


def test_a_corridor_without_any_figure_is_unknown_not_zero() -> None:
    result = reimbursement(placing({2: 40}, origin="LA"), {}, reference())
    (line,) = result.lines
    assert line.owed_usd is None and line.workers == 40
    assert line.missing == ["no survey cost figure for LA->MY"]
    assert (
        line.arithmetic
        == "unknown: 40 workers without an estimate (no survey cost figure for LA->MY)"
    )
