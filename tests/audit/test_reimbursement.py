"""Reimbursement arithmetic on hand-built cases, worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from questionnaires.library import library_document
from scoring.reference import FxRate
from scoring.reimbursement import reimbursement
from tests.scoring.builders import cost, facts, graph, reference

SAQ = library_document("recruiter-saq", 1)
SUPPLIER_SAQ = library_document("supplier-saq", 1)


def fees(**answers: Any) -> dict[str, Any]:
    """recruiter-saq fee answers by data key."""
    keyed = {
        "fees_charged_to_workers": "yes",
        **answers,
    }
    return {SAQ.by_data_key(k).id: v for k, v in keyed.items()}  # type: ignore[union-attr]


def with_fx() -> Any:
    data = reference()
    return data.__class__(
        data.countries,
        (cost("MM", "TH", usd=600), cost("NP", "TH", usd=900, estimate=True)),
        (),
        {
            "MMK": (FxRate("MMK", 2000.0, 2024, "annual_average", "WB test", ""),),
            "NPR": (FxRate("NPR", 130.0, 2024, "annual_average", "WB test", ""),),
        },
    )


def chain() -> Any:
    """SA -(60)-> OA -(100)-> DA; DA places 75 at S1 and 25 at S2 (MM -> TH)."""
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "TH", {"migrant_workers": 100}),
            (3, "supplier", "TH", {"migrant_workers": 40}),
            (10, "recruiter", "TH", {"role": "destination_agency"}),
            (11, "recruiter", "MM", {"role": "origin_agency"}),
            (12, "recruiter", "MM", {"role": "sub_agent"}),
            (20, "recruiter", "NP", {"role": "origin_agency"}),
        ],
        [
            (2, 1, "supplies", {}),
            (3, 1, "supplies", {}),
            (10, 2, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 75}),
            (10, 3, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 25}),
            (11, 10, "refers_to", {"workers": 100}),
            (12, 11, "refers_to", {"workers": 60}),
            (20, 3, "recruits_for", {"origin": "NP", "destination": "TH", "workers": 10}),
        ],
    )


def test_reported_usd_times_workers_split_along_the_chain() -> None:
    g = chain()
    answers = fees(fee_amount_per_worker_usd=500, workers_charged_count=60, fees_reimbursed="none")
    result = reimbursement(g, {12: facts(12, SAQ, answers)}, with_fx())
    line = result.lines[0]
    assert (line.owed_usd, line.workers, line.per_worker_usd) == (30000.0, 60, 500.0)
    assert line.usd_basis.startswith("reported in USD by the respondent")
    # 60 workers go SA -> OA -> DA, which places 75:25 at S1 and S2: 45 and 15 workers.
    assert [(a.employer_id, a.workers, a.owed_usd) for a in line.allocations] == [
        (2, 45.0, 22500.0),
        (3, 15.0, 7500.0),
    ]
    assert result.by_recruiter == {12: 30000.0}
    assert result.by_supplier == {2: 22500.0, 3: 7500.0}
    assert result.by_corridor == {("MM", "TH"): 30000.0}
    assert result.reported_usd == 30000.0


def test_local_currency_is_converted_and_mixed_currencies_kept_apart() -> None:
    g = chain()
    burmese = fees(
        fee_amount_per_worker_local=1_000_000, fee_currency="mmk", workers_charged_count=60
    )
    nepali = fees(fee_amount_per_worker_local=65_000, fee_currency="npr", workers_charged_count=10)
    result = reimbursement(g, {12: facts(12, SAQ, burmese), 20: facts(20, SAQ, nepali)}, with_fx())
    by_node = {line.node_id: line for line in result.lines}
    # 1,000,000 MMK / 2,000 = USD 500 per worker x 60; 65,000 NPR / 130 = USD 500 x 10.
    assert by_node[12].owed_usd == 30000.0 and by_node[12].owed_local == 60_000_000
    assert by_node[20].owed_usd == 5000.0 and by_node[20].owed_local == 650_000
    assert "2000 MMK per USD (2024 annual average, WB test)" in by_node[12].usd_basis
    assert result.reported_local == {"MMK": 60_000_000, "NPR": 650_000}
    assert result.reported_usd == 35000.0
    assert result.by_corridor == {("MM", "TH"): 30000.0, ("NP", "TH"): 5000.0}
    assert result.by_supplier == {2: 22500.0, 3: 12500.0}


def test_missing_inputs_are_listed_not_guessed() -> None:
    g = chain()
    no_amount = fees(workers_charged_count=60)
    unknown_currency = fees(
        fee_amount_per_worker_local=5, fee_currency="other", workers_charged_count=10
    )
    result = reimbursement(
        g, {12: facts(12, SAQ, no_amount), 20: facts(20, SAQ, unknown_currency)}, with_fx()
    )
    missing = {line.node_id: line.missing for line in result.incomplete}
    assert missing == {12: ["amount per worker not given"], 20: ["currency not given"]}
    # Unknown, not zero: the known part is 0 and both lines say they are unknown.
    assert [line.owed_usd for line in result.lines] == [None, None]
    assert len(result.unknown_reported) == 2 and result.reported_usd == 0.0


def test_workers_default_to_the_edges_when_not_answered() -> None:
    result = reimbursement(
        chain(), {12: facts(12, SAQ, fees(fee_amount_per_worker_usd=100))}, with_fx()
    )
    line = result.lines[0]
    assert (line.workers, line.owed_usd) == (60, 6000.0)
    assert line.workers_basis == "placed in this network: the respondent did not say how many paid"


@pytest.mark.parametrize(
    ("repaid", "owed", "note"),
    [
        ("all", 0.0, "reported as fully repaid"),
        ("some", 30000.0, "the most that can be owed"),
        ("none", 30000.0, None),
    ],
)
def test_repayments_already_made(repaid: str, owed: float, note: str | None) -> None:
    answers = fees(fee_amount_per_worker_usd=500, workers_charged_count=60, fees_reimbursed=repaid)
    line = reimbursement(chain(), {12: facts(12, SAQ, answers)}, with_fx()).lines[0]
    assert line.owed_usd == owed
    assert (note is None and line.notes == []) or any(note in n for n in line.notes)


def test_no_fees_reported_means_nothing_owed() -> None:
    answers = {SAQ.by_data_key("fees_charged_to_workers").id: "no"}  # type: ignore[union-attr]
    result = reimbursement(chain(), {12: facts(12, SAQ, answers)}, with_fx())
    assert result.lines == [] or all(line.basis == "estimate" for line in result.lines)
    assert result.reported_usd == 0.0


def test_estimates_only_where_nobody_on_the_chain_was_assessed() -> None:
    g = chain()
    # Nobody assessed: both placements with a corridor figure are estimated.
    result = reimbursement(g, {}, with_fx())
    estimates = {(line.node_id, line.allocations[0].employer_id): line for line in result.lines}
    assert {k: v.owed_usd for k, v in estimates.items()} == {
        (10, 2): 75 * 600.0,
        (10, 3): 25 * 600.0,
        (20, 3): 10 * 900.0,
    }
    assert all(line.basis == "estimate" for line in result.lines)
    assert result.estimated_usd == 45000 + 15000 + 9000 and result.reported_usd == 0
    assert result.estimated_by_supplier == {2: 45000.0, 3: 24000.0}
    assert result.estimated_by_corridor == {("MM", "TH"): 60000.0, ("NP", "TH"): 9000.0}
    assert result.by_supplier == {}
    # Once the sub-agent feeding DA answered, DA's placements are no longer estimated.
    answered = reimbursement(
        g,
        {12: facts(12, SAQ, fees(fee_amount_per_worker_usd=10, workers_charged_count=1))},
        with_fx(),
    )
    assert [line.node_id for line in answered.lines if line.basis == "estimate"] == [20]


def test_an_employer_report_is_not_added_on_top_of_its_recruiters_reports() -> None:
    g = chain()
    supplier_answers = {
        SUPPLIER_SAQ.by_data_key(k).id: v  # type: ignore[union-attr]
        for k, v in {
            "fees_charged_to_workers": "yes",
            "fee_amount_per_worker_usd": 400,
            "workers_charged_count": 75,
        }.items()
    }
    recruiter_answers = fees(fee_amount_per_worker_usd=500, workers_charged_count=60)
    result = reimbursement(
        g,
        {2: facts(2, SUPPLIER_SAQ, supplier_answers), 12: facts(12, SAQ, recruiter_answers)},
        with_fx(),
    )
    employer_line = next(line for line in result.lines if line.node_id == 2)
    assert employer_line.owed_usd == 0.0
    assert "already cover" in employer_line.notes[0]
    assert result.by_supplier[2] == 22500.0
