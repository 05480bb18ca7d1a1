"""Fees against the origin country's law and the Employer Pays Principle: the rules read by
hand from their sources, and a recruiter's accepted answers flagged against both."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from questionnaires import service
from questionnaires.models import QuestionnaireRecord
from scoring.fee_rules import fee_rules, judge, rules_for
from tests.builders import Actor, World, edge, network_with, node, node_ids
from tests.questionnaires.builders import assign, complete_answers


def test_every_rule_has_its_source_date_and_quality() -> None:
    rules = fee_rules()
    assert {(r.origin, r.rule) for r in rules} == {
        ("PH", "zero"),
        ("PH", "max_months"),
        ("NP", "max_amount"),
        ("BD", "max_amount"),
    }
    assert all(r.source_title and r.source_url.startswith("http") for r in rules)
    assert {r.source_quality for r in rules} <= {"primary", "secondary"}


def test_a_domestic_worker_rule_replaces_the_general_limit() -> None:
    domestic = rules_for("PH", "HK", "domestic_work")
    assert [r.rule for r in domestic] == ["zero"]
    assert [r.rule for r in rules_for("PH", "SA", "construction")] == ["max_months"]
    assert rules_for("NP", "JP", None) == []  # no rule read for that corridor: unknown
    nepal = rules_for("NP", "MY", None)[0]
    assert judge(nepal, 10_000, "NPR") is None  # at the limit is within it
    over = judge(nepal, 120_000, "NPR")
    assert over is not None and (over.limit, over.words) == (
        10_000,
        "at most 10,000 NPR per worker",
    )
    assert judge(nepal, 120_000, "USD") is None  # another currency: not judged, not "fine"
    months = rules_for("PH", "SA", None)[0]
    assert judge(months, 30_000, "PHP", 30_000, "PHP") is None
    assert judge(months, 30_001, "PHP", 30_000, "PHP") is not None
    assert judge(months, 30_001, "PHP") is None  # no wage: cannot be judged


def accepted_with_fee(
    world: World, engine: Engine, network_id: int, ident: str, fee: int, currency: str
) -> None:
    created = assign(world.analyst_a, network_id, node_ids(world.analyst_a, network_id)[ident])
    with Session(engine) as session:
        record = session.get(QuestionnaireRecord, created["questionnaire"]["id"])
        assert record is not None
        document = service.parsed(record)
    by_key = {k: document.by_data_key(k) for k in ("fees_charged_to_workers",
              "fee_amount_per_worker_local", "fee_currency")}  # fmt: skip
    ids = {k: q.id for k, q in by_key.items() if q is not None}
    answers = complete_answers(document, {ids["fees_charged_to_workers"]: "yes"})
    answers[ids["fee_amount_per_worker_local"]] = fee
    answers[ids["fee_currency"]] = currency
    agency = Actor(world.analyst_a.client, created["invitation"]["token"])
    saved = agency.put("/api/v1/respond/answers", json={"answers": answers})
    assert saved.status_code == 200, saved.text
    assert agency.post("/api/v1/respond/submit").status_code == 200
    review = world.analyst_a.post(
        f"/api/v1/networks/{network_id}/assessments/{created['id']}/review",
        json={"decision": "accept"},
    )
    assert review.status_code == 200, review.text


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
def test_a_philippine_agency_charging_a_domestic_worker_a_month_s_salary_is_flagged(
    world: World, engine: Engine
) -> None:
    network = network_with(
        world.analyst_a,
        [
            node("C", "company", "Brand", country="GB"),
            node("HH", "supplier", "Household employers (HK)", country="HK",
                 sector="domestic_work", monthly_wage=4990, wage_currency="HKD"),
            node("PH1", "recruiter", "Manila Placement", country="PH", role="origin_agency"),
            node("NP1", "recruiter", "Kathmandu Manpower", country="NP", role="origin_agency"),
            node("MY", "supplier", "Glove factory", country="MY", sector="manufacturing"),
        ],
        [
            edge("HH", "C", "supplies"),
            edge("MY", "C", "supplies"),
            edge("PH1", "HH", "recruits_for", origin="PH", destination="HK", workers=30),
            edge("NP1", "MY", "recruits_for", origin="NP", destination="MY", workers=50),
        ],
    )  # fmt: skip
    network_id = int(network["id"])
    # One month's salary (HKD 4,990, about PHP 36,000) charged to domestic workers.
    accepted_with_fee(world, engine, network_id, "PH1", 36_000, "php")
    accepted_with_fee(world, engine, network_id, "NP1", 10_000, "npr")  # within Nepal's cap
    items = world.analyst_a.get(
        f"/api/v1/networks/{network_id}/findings", params={"limit": 500}
    ).json()["items"]
    ids = {v: k for k, v in node_ids(world.analyst_a, network_id).items()}
    legal = [f for f in items if f["code"] == "FEE_ABOVE_LEGAL_LIMIT"]
    assert [(ids[f["node_id"]], f["severity"]) for f in legal] == [("PH1", "high")]
    finding = legal[0]
    assert finding["detail"] == (
        "Manila Placement charges 36,000 PHP per worker on PH-HK; for a domestic worker from "
        "PH, no placement fee may be charged (since 2006-12-01). Under the Employer Pays "
        "Principle the worker pays nothing at all."
    )
    rule = finding["evidence"]["legal_rule"]
    assert rule["source_url"] == "http://poea.gov.ph/hsw/q&a_hsw.html"
    assert rule["source_quality"] == "primary"
    assert finding["evidence"]["employer_pays_principle"]["limit"] == 0
    assert "ihrb.org/employerpays" in finding["evidence"]["employer_pays_principle"]["source"]
    # Both paid fees: the Employer Pays red flag stands for the one within the law too.
    paid = {ids[f["node_id"]] for f in items if f["code"] == "RF_WORKER_PAID_FEES"}
    assert paid == {"PH1", "NP1"}

    # The report shows the law beside the Employer Pays Principle, per corridor, with sources.
    report = world.analyst_a.get(f"/api/v1/networks/{network_id}/report.json").json()
    limits = [(r["corridor"], r["workers"], r["legal_limit"]) for r in report["legal_limits"]]
    assert limits == [
        ("NP-MY", "all workers", "at most 10,000 NPR per worker"),
        ("PH-HK", "all workers", "at most one month's basic salary"),
        ("PH-HK", "domestic workers", "no placement fee may be charged"),
    ]
    assert all(r["employer_pays"].startswith("nothing") for r in report["legal_limits"])
    html = world.analyst_a.get(f"/api/v1/networks/{network_id}/report.html").text
    assert "What the law of the origin country allows" in html
    assert "POEA Governing Board Resolution No. 6" in html
