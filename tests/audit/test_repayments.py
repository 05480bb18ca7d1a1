"""Repayment of recruitment fees tracked to completion, through HTTP and as a pure status.

Reference rates used below, read from scoring/data/fx_rates.csv (World Bank WDI, official
exchange rate, annual average):
  NPR 2024: 133.7266 per USD (the nearest year to 2026, the year of the frozen clock)
  THB 2024: 35.2935 per USD
Figures computed by hand:
  NPR 150,000 x 900 workers = NPR 135,000,000; / 133.7266 = USD 1,009,522.41
  NPR 35,000,000 still owed / 133.7266 = USD 261,728.03
  THB 10,000 paid in 2024 / 35.2935 = USD 283.34
  USD 500 owed - USD 283.34 = USD 216.66 still owed; + USD 300 paid = USD 83.34 overpaid
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.deps import clock
from api.tables import metadata
from audit.remediation.models import ActionPayment, RemediationAction
from audit.remediation.repayments import repayment_status
from tests.builders import Actor, World, create_network

PDF = b"%PDF-1.4\n%%EOF\n"
NPR_OWED_USD = 1009522.41


@pytest.fixture
def frozen(app: FastAPI) -> dict[str, datetime]:
    moment = {"now": datetime(2026, 11, 25, 9, 0, tzinfo=UTC)}
    app.dependency_overrides[clock] = lambda: moment["now"]
    return moment


def new_action(actor: Actor, network_id: int, title: str = "Repay recruitment fees") -> str:
    created = actor.post(
        f"/api/v1/networks/{network_id}/plan/actions",
        json={
            "title": title,
            "severity": "critical",
            "owner_kind": "company",
            "due_date": "2027-03-31",
        },
    )
    assert created.status_code == 201, created.text
    return f"/api/v1/networks/{network_id}/plan/actions/{created.json()['id']}"


def owe(actor: Actor, url: str, amount: float, currency: str, workers: int | None = None) -> dict:
    body: dict[str, Any] = {"owed_amount": amount, "owed_currency": currency}
    if workers is not None:
        body["owed_workers"] = workers
    response = actor.patch(url, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def proof(actor: Actor, url: str, name: str = "transfers.pdf") -> int:
    upload = actor.post(f"{url}/evidence", files={"file": (name, PDF, "application/pdf")})
    assert upload.status_code == 201, upload.text
    return int(upload.json()["id"])


def pay(actor: Actor, url: str, **body: Any) -> Any:
    return actor.post(f"{url}/payments", json=body)


def move(actor: Actor, url: str, status: str, comment: str = "") -> Any:
    return actor.post(f"{url}/status", json={"status": status, "comment": comment})


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


def test_npr_owed_to_900_workers_paid_in_two_payments_then_verified(
    world: World, frozen: dict
) -> None:
    analyst, admin = world.analyst_a, world.admin
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    assert analyst.get(url).json()["repayment"] is None  # nothing owed recorded

    action = owe(analyst, url, 150_000 * 900, "NPR", workers=900)
    repayment = action["repayment"]
    assert repayment["owed_amount"] == 135_000_000
    assert (repayment["owed_currency"], repayment["owed_workers"]) == ("NPR", 900)
    assert repayment["owed_usd"] == NPR_OWED_USD
    assert repayment["state"] == "unpaid" and repayment["still_owed_amount"] == 135_000_000
    assert analyst.get(f"{url}/payments").json() == {"items": [], "repayment": repayment}

    first = pay(
        analyst,
        url,
        amount=100_000_000,
        currency="NPR",
        paid_on="2026-11-20",
        proof_evidence_id=proof(analyst, url, "batch-1.pdf"),
        note="Bank transfers, batch 1",
    )
    assert first.status_code == 201, first.text
    status = first.json()["repayment"]
    assert status["state"] == "part_paid"
    assert (status["paid_amount"], status["still_owed_amount"]) == (100_000_000, 35_000_000)
    assert status["still_owed_usd"] == 261728.03
    payment = first.json()["payment"]
    assert payment["proof_filename"] == "batch-1.pdf" and payment["counted"] is True
    assert payment["rate"] == 133.7266 and payment["rate_year"] == 2024
    assert "no rate for 2026, the nearest year's is used" in payment["usd_basis"]

    assert move(analyst, url, "completed", "Transfers sent").status_code == 200
    refused = move(admin, url, "verified", "Checked the bank statements")
    assert refused.status_code == 409
    assert "NPR 35,000,000" in refused.json()["detail"] and "still owed" in refused.json()["detail"]

    second = pay(analyst, url, amount=35_000_000, currency="NPR", paid_on="2026-11-24")
    assert second.status_code == 201, second.text
    status = second.json()["repayment"]
    assert status["state"] == "paid"
    assert (status["paid_amount"], status["still_owed_amount"], status["still_owed_usd"]) == (
        135_000_000,
        0,
        0,
    )
    assert status["paid_usd"] == NPR_OWED_USD and status["overpaid_usd"] == 0
    assert status["payments_without_proof"] == 1
    no_proof = move(admin, url, "verified", "Checked the bank statements")
    assert no_proof.status_code == 409 and "no proof file" in no_proof.json()["detail"]

    # The payment without proof is voided and recorded again with its proof.
    voided = analyst.post(
        f"{url}/payments/{second.json()['payment']['id']}/void",
        json={"reason": "Recorded without its bank statement; recorded again below"},
    )
    assert voided.status_code == 200, voided.text
    assert voided.json()["payment"]["counted"] is False
    assert voided.json()["repayment"]["state"] == "part_paid"
    again = pay(
        analyst,
        url,
        amount=35_000_000,
        currency="NPR",
        paid_on="2026-11-24",
        proof_evidence_id=proof(analyst, url, "batch-2.pdf"),
    )
    assert again.status_code == 201, again.text
    assert again.json()["repayment"]["state"] == "paid"
    assert again.json()["repayment"]["payments_voided"] == 1

    verified = move(admin, url, "verified", "Bank statements reconciled with the worker list")
    assert verified.status_code == 200, verified.text
    listed = analyst.get(f"{url}/payments").json()
    assert [(p["amount"], p["counted"]) for p in listed["items"]] == [
        (100_000_000, True),
        (35_000_000, False),
        (35_000_000, True),
    ]
    assert listed["repayment"]["state"] == "paid"
    # A verified action's payments are closed.
    assert pay(analyst, url, amount=1, currency="NPR", paid_on="2026-11-24").status_code == 409

    history = analyst.get(f"{url}/history").json()
    kinds = [e["kind"] for e in history]
    assert kinds.count("payment") == 3 and kinds.count("payment_void") == 1
    recorded = next(e for e in history if e["kind"] == "payment")
    assert recorded["details"]["amount"] == 100_000_000
    assert recorded["details"]["currency"] == "NPR"
    assert recorded["details"]["usd_amount"] == 747794.38  # 100,000,000 / 133.7266
    assert recorded["comment"] == "Bank transfers, batch 1"
    void = next(e for e in history if e["kind"] == "payment_void")
    assert void["comment"].startswith("Recorded without its bank statement")
    assert void["details"]["payment"] == second.json()["payment"]["id"]


def test_payment_in_another_currency_is_compared_in_usd_and_overpayment_is_explicit(
    world: World, frozen: dict, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    owe(analyst, url, 500, "USD", workers=2)

    thb = pay(analyst, url, amount=10_000, currency="THB", paid_on="2024-06-30")
    assert thb.status_code == 201, thb.text
    payment, status = thb.json()["payment"], thb.json()["repayment"]
    assert payment["usd_amount"] == 283.34
    assert (payment["rate"], payment["rate_year"]) == (35.2935, 2024)
    assert payment["usd_basis"].startswith("converted at 35.2935 THB per USD (2024 annual average")
    assert "World Bank WDI" in payment["rate_source"]
    assert status["paid_amount"] is None  # not every payment is in the owed currency
    assert (status["paid_usd"], status["still_owed_usd"]) == (283.34, 216.66)
    assert status["state"] == "part_paid"
    assert any("paid in THB, compared in USD" in n for n in status["notes"])

    count_before = _payment_count(engine)
    over = pay(analyst, url, amount=300, currency="USD", paid_on="2026-11-01")
    assert over.status_code == 409
    detail = over.json()["detail"]
    assert "USD 83.34 more than" in detail and "accept_overpayment" in detail
    assert fields(over) == {"accept_overpayment"}
    assert _payment_count(engine) == count_before  # nothing half-written

    accepted = pay(
        analyst, url, amount=300, currency="USD", paid_on="2026-11-01", accept_overpayment=True
    )
    assert accepted.status_code == 201, accepted.text
    status = accepted.json()["repayment"]
    assert status["state"] == "overpaid"
    assert (status["overpaid_usd"], status["overpaid_amount"]) == (83.34, 83.34)
    assert status["still_owed_usd"] == 0 and status["still_owed_amount"] == 0
    assert accepted.json()["payment"]["usd_basis"] == "USD"
    assert analyst.get(url).json()["repayment"]["state"] == "overpaid"


def test_bad_payments_name_the_field_and_write_nothing(
    world: World, frozen: dict, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    other_url = new_action(analyst, network_id, "Another action with its own proof")
    foreign_proof = proof(analyst, other_url)

    nothing_owed = pay(analyst, url, amount=10, currency="USD", paid_on="2026-11-01")
    assert nothing_owed.status_code == 422 and fields(nothing_owed) == {"owed_amount"}

    owe(analyst, url, 1_000, "USD")
    before = _payment_count(engine)
    unknown = pay(analyst, url, amount=5_000, currency="ZZZ", paid_on="2026-11-01")
    assert unknown.status_code == 422 and fields(unknown) == {"usd_amount"}
    assert "ZZZ" in unknown.json()["detail"]
    elsewhere = pay(
        analyst,
        url,
        amount=10,
        currency="USD",
        paid_on="2026-11-01",
        proof_evidence_id=foreign_proof,
    )
    assert elsewhere.status_code == 422 and fields(elsewhere) == {"proof_evidence_id"}
    future = pay(analyst, url, amount=10, currency="USD", paid_on="2026-11-26")
    assert future.status_code == 422 and fields(future) == {"paid_on"}
    ancient = pay(analyst, url, amount=10, currency="USD", paid_on="1999-12-31")
    assert ancient.status_code == 422 and fields(ancient) == {"paid_on"}
    shapes = pay(analyst, url, amount=0, currency="usd", paid_on="soon", colour="red")
    assert shapes.status_code == 422
    assert fields(shapes) == {"amount", "currency", "paid_on", "colour"}
    usd_mismatch = pay(analyst, url, amount=10, currency="USD", paid_on="2026-11-01", usd_amount=9)
    assert usd_mismatch.status_code == 422 and fields(usd_mismatch) == {"usd_amount"}
    assert _payment_count(engine) == before

    entered = pay(analyst, url, amount=5_000, currency="ZZZ", paid_on="2026-11-01", usd_amount=40)
    assert entered.status_code == 201, entered.text
    payment = entered.json()["payment"]
    assert (payment["usd_basis"], payment["rate"], payment["usd_amount"]) == (
        "entered by the payer",
        None,
        40,
    )
    assert entered.json()["repayment"]["still_owed_usd"] == 960

    void_url = f"{url}/payments/{payment['id']}/void"
    assert analyst.post(void_url, json={"reason": "  "}).status_code == 422
    assert fields(analyst.post(void_url, json={})) == {"reason"}
    assert analyst.post(f"{url}/payments/999999/void", json={"reason": "x"}).status_code == 404
    assert analyst.post(void_url, json={"reason": "Typo in the amount"}).status_code == 200
    assert analyst.post(void_url, json={"reason": "Again"}).status_code == 409
    # A payment of one action is not reachable through another.
    assert (
        analyst.post(f"{other_url}/payments/{payment['id']}/void", json={"reason": "x"}).status_code
        == 404
    )

    assert move(analyst, other_url, "cancelled", "Duplicate").status_code == 200
    owe_cancelled = analyst.patch(other_url, json={"owed_amount": 5, "owed_currency": "USD"})
    assert owe_cancelled.status_code == 409


def test_owed_edits_are_validated_and_recompute_usd(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    lonely = analyst.patch(url, json={"owed_amount": 100})
    assert lonely.status_code == 422 and fields(lonely) == {"owed_currency"}
    half = analyst.patch(url, json={"owed_amount": None, "owed_currency": "THB"})
    assert half.status_code == 422 and fields(half) == {"owed_amount"}
    bad = analyst.patch(url, json={"owed_amount": -1, "owed_currency": "thb", "owed_workers": 1.5})
    assert bad.status_code == 422
    assert fields(bad) == {"owed_amount", "owed_currency", "owed_workers"}
    no_rate = analyst.patch(url, json={"owed_amount": 100, "owed_currency": "ZZZ"})
    assert no_rate.status_code == 422 and fields(no_rate) == {"owed_currency"}

    thai = owe(analyst, url, 10_000, "THB", workers=4)["repayment"]
    assert thai["owed_usd"] == 283.34  # at the 2024 rate, the nearest year to 2026
    assert analyst.patch(url, json={"owed_workers": 5}).json()["repayment"]["owed_workers"] == 5
    edited = [e for e in analyst.get(f"{url}/history").json() if e["kind"] == "edited"]
    assert edited[0]["details"]["after"] == {
        "owed_amount": 10_000,
        "owed_currency": "THB",
        "owed_workers": 4,
        "owed_usd": 283.34,
    }

    assert pay(analyst, url, amount=5_000, currency="THB", paid_on="2026-11-01").status_code == 201
    refused = analyst.patch(url, json={"owed_amount": None, "owed_currency": None})
    assert refused.status_code == 409


def test_roles_tenancy_and_reading_writes_nothing(
    world: World, frozen: dict, engine: Engine
) -> None:
    analyst, viewer = world.analyst_a, world.viewer_a
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    owe(analyst, url, 1_000, "USD")
    made = pay(analyst, url, amount=250, currency="USD", paid_on="2026-11-01")
    assert made.status_code == 201
    payment_id = made.json()["payment"]["id"]

    assert pay(viewer, url, amount=10, currency="USD", paid_on="2026-11-01").status_code == 403
    void_url = f"{url}/payments/{payment_id}/void"
    assert viewer.post(void_url, json={"reason": "x"}).status_code == 403
    assert viewer.patch(url, json={"owed_amount": 1, "owed_currency": "USD"}).status_code == 403
    assert world.analyst_b.get(f"{url}/payments").status_code == 404
    assert world.analyst_b.post(void_url, json={"reason": "x"}).status_code == 404

    before = _snapshot(engine)
    listed = viewer.get(f"{url}/payments")
    assert listed.status_code == 200
    assert listed.json()["repayment"]["still_owed_usd"] == 750
    assert viewer.get(url).json()["repayment"]["paid_usd"] == 250
    assert viewer.get(f"/api/v1/networks/{network_id}/plan").status_code == 200
    assert _snapshot(engine) == before


def test_plan_export_shows_owed_paid_and_still_owed(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    new_action(analyst, network_id, "An action with nothing owed")
    owe(analyst, url, 1_000, "USD")
    assert pay(analyst, url, amount=400, currency="USD", paid_on="2026-11-01").status_code == 201
    exported = analyst.get(f"/api/v1/networks/{network_id}/plan/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    owing = next(r for r in rows if r["owed_currency"])
    assert (owing["owed_amount"], owing["owed_usd"], owing["paid_usd"]) == ("1000.0",) * 2 + (
        "400.0",
    )
    assert (owing["still_owed_usd"], owing["repayment_state"]) == ("600.0", "part_paid")
    empty = next(r for r in rows if not r["owed_currency"])
    assert empty["repayment_state"] == "" and empty["paid_usd"] == ""


def test_status_in_mixed_currencies_as_a_pure_function() -> None:
    """NPR 135,000,000 owed (USD 1,009,522.41); NPR 100,000,000 at face value is
    USD 747,794.38 at the owed rate, THB 10,000 is USD 283.34: USD 748,077.72 paid,
    USD 261,444.69 still owed, or NPR 34,962,109.91 at the owed rate (x 135,000,000 /
    1,009,522.41)."""
    action = RemediationAction(
        network_id=1,
        title="Repay",
        severity="critical",
        owner_kind="company",
        due_date=date(2027, 1, 1),
        owed_amount=135_000_000,
        owed_currency="NPR",
        owed_usd=NPR_OWED_USD,
        owed_workers=900,
    )

    def paid(amount: float, currency: str, usd: float, **extra: Any) -> ActionPayment:
        return ActionPayment(
            action_id=1,
            amount=amount,
            currency=currency,
            paid_on=date(2024, 6, 30),
            usd_amount=usd,
            usd_basis="converted at 35.2935 THB per USD (2024 annual average, WDI)",
            **extra,
        )

    status = repayment_status(
        action,
        [
            paid(100_000_000, "NPR", 747_794.38, proof_evidence_id=1),
            paid(10_000, "THB", 283.34),
            paid(99_000_000, "NPR", 740_000.0, voided_at=datetime(2026, 1, 1, tzinfo=UTC)),
        ],
    )
    assert status.state == "part_paid" and status.paid_amount is None
    assert (status.paid_usd, status.still_owed_usd) == (748_077.72, 261_444.69)
    assert status.still_owed_amount == 34_962_109.91
    assert (status.payments_counted, status.payments_voided, status.payments_without_proof) == (
        2,
        1,
        1,
    )
    assert any("paid in THB, compared in USD" in n for n in status.notes)
    unpaid = repayment_status(action, [])
    assert (unpaid.state, unpaid.still_owed_amount, unpaid.still_owed_usd) == (
        "unpaid",
        135_000_000,
        NPR_OWED_USD,
    )
    action.owed_amount = action.owed_currency = None
    assert repayment_status(action, []).state == "no_amount_owed_recorded"


def _payment_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(ActionPayment)).one()


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, to show a request wrote nothing (API tokens only by count:
    their last use is recorded at most once a minute, on purpose)."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                repr(tuple(row)) if table.name != "api_token" else "row"
                for row in connection.execute(table.select())
            )
            for table in metadata.sorted_tables
        }
