"""Recording payments and their proof from the action page, as an analyst would, and the API's
proof attachment: a refused payment keeps nothing, not even its uploaded proof."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from audit.remediation.models import ActionEvidence, ActionPayment
from tests.audit.test_repayments import PDF, new_action, owe, pay, proof
from tests.audit.test_repayments import frozen as frozen  # the fixture
from tests.builders import World, create_network
from tests.web.sessions import CSRF, signed_in


def _count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_a_payment_without_proof_gets_its_proof_later_once(world: World, frozen: dict) -> None:
    analyst, viewer = world.analyst_a, world.viewer_a
    url = new_action(analyst, create_network(analyst)["id"])
    owe(analyst, url, 1_000, "USD", workers=2)
    made = pay(analyst, url, amount=1_000, currency="USD", paid_on="2026-11-20")
    assert made.status_code == 201 and made.json()["repayment"]["payments_without_proof"] == 1
    payment = made.json()["payment"]["id"]
    file_id = proof(analyst, url)
    assert viewer.post(
        f"{url}/payments/{payment}/proof", json={"proof_evidence_id": file_id}
    ).status_code in (403, 404)
    other = new_action(analyst, create_network(analyst, "Other")["id"])
    foreign = proof(analyst, other)
    wrong = analyst.post(f"{url}/payments/{payment}/proof", json={"proof_evidence_id": foreign})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "proof_evidence_id"
    attached = analyst.post(f"{url}/payments/{payment}/proof", json={"proof_evidence_id": file_id})
    assert attached.status_code == 200, attached.text
    assert attached.json()["payment"]["proof_filename"] == "transfers.pdf"
    assert attached.json()["repayment"]["payments_without_proof"] == 0
    again = analyst.post(f"{url}/payments/{payment}/proof", json={"proof_evidence_id": file_id})
    assert again.status_code == 409 and "never replaced" in again.json()["detail"]
    history = analyst.get(f"{url}/history").json()
    assert [e["kind"] for e in history][-1] == "payment_proof"


def test_payments_from_the_action_page(
    world: World, frozen: dict, client: object, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id = create_network(analyst)["id"]
    url = new_action(analyst, network_id)
    action_id = url.rsplit("/", 1)[1]
    page_url = f"/dashboard/networks/{network_id}/plan/actions/{action_id}"
    person = signed_in(client, engine, analyst.user_id)  # type: ignore[arg-type]

    # The amount owed is set from the edit form: NPR 135,000,000 to 900 workers.
    page = person.get(page_url)
    assert 'id="repayment"' not in page.text  # a manual action with nothing owed yet
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    edited = person.post(
        f"{page_url}/edit",
        data={
            "csrf": csrf,
            "title": "Repay recruitment fees",
            "owner_name": "Tidewell Foods Ltd",
            "due_date": "2027-03-31",
            "owed_amount": "135,000,000",
            "owed_currency": "npr",
            "owed_workers": "900",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    page = person.get(page_url)
    assert "Record a payment" in page.text and "NPR 135,000,000.00" in page.text

    # A payment with its proof file in one form.
    recorded = person.post(
        f"{page_url}/payments",
        data={"csrf": csrf, "amount": "100,000,000", "currency": "NPR", "paid_on": "2026-11-20"},
        files={"proof": ("batch-1.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    status = analyst.get(f"{url}/payments").json()
    assert status["repayment"]["still_owed_amount"] == 35_000_000
    assert status["items"][0]["proof_filename"] == "batch-1.pdf"

    # An overpayment is refused with the figures, and its proof file is not kept either.
    files_before = _count(engine, ActionEvidence)
    refused = person.post(
        f"{page_url}/payments",
        data={"csrf": csrf, "amount": "50,000,000", "currency": "NPR", "paid_on": "2026-11-21"},
        files={"proof": ("batch-2.pdf", PDF, "application/pdf")},
    )
    assert refused.status_code == 409 and "accept_overpayment" in refused.text
    assert _count(engine, ActionEvidence) == files_before
    assert _count(engine, ActionPayment) == 1

    # The rest without proof, then its proof attached from the payment's row.
    person.post(
        f"{page_url}/payments",
        data={"csrf": csrf, "amount": "35000000", "currency": "NPR", "paid_on": "2026-11-22"},
    )
    page = person.get(page_url)
    assert "Attach proof" in page.text and "no proof" in page.text
    second = analyst.get(f"{url}/payments").json()["items"][1]["id"]
    attached = person.post(
        f"{page_url}/payments/{second}/proof",
        data={"csrf": csrf},
        files={"proof": ("batch-2.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert attached.status_code == 303
    final = analyst.get(f"{url}/payments").json()["repayment"]
    assert (final["state"], final["payments_without_proof"]) == ("paid", 0)
    bad_date = person.post(
        f"{page_url}/payments",
        data={"csrf": csrf, "amount": "1", "currency": "NPR", "paid_on": "yesterday"},
    )
    assert bad_date.status_code == 422 and "Paid on" in bad_date.text
