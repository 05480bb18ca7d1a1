"""The action page shows what is owed to workers, each payment with its proof, and what is
still owed; an action with nothing owed recorded shows no repayment block."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.deps import clock
from tests.builders import World, create_network
from tests.web.sessions import signed_in


class _Balanced(HTMLParser):
    """Counts open table/section/ul elements, to catch a block left unclosed."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = {"table": 0, "section": 0, "ul": 0}

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.depth:
            self.depth[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.depth:
            self.depth[tag] -= 1


def _balanced(html: str) -> bool:
    parser = _Balanced()
    parser.feed(html)
    return all(v == 0 for v in parser.depth.values())


def _block(html: str) -> str:
    found = re.search(r'<section id="repayment">(.*?)</section>', html, re.S)
    assert found is not None
    return found.group(1)


def test_action_page_shows_owed_payments_and_still_owed(
    world: World, client: TestClient, engine: Engine, app: FastAPI
) -> None:
    app.dependency_overrides[clock] = lambda: datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    analyst = world.analyst_a
    network_id = create_network(analyst)["id"]
    api = f"/api/v1/networks/{network_id}/plan/actions"
    action = analyst.post(
        api,
        json={
            "title": "Repay recruitment fees to the Nepali workers",
            "severity": "critical",
            "owner_kind": "company",
            "due_date": "2027-03-31",
        },
    ).json()
    url = f"{api}/{action['id']}"
    other = analyst.post(
        api,
        json={
            "title": "Interview workers",
            "severity": "high",
            "owner_kind": "company",
            "due_date": "2027-03-31",
        },
    ).json()
    page_url = f"/dashboard/networks/{network_id}/plan/actions/{action['id']}"
    person = signed_in(client, engine, world.viewer_a.user_id)

    plain = person.get(f"/dashboard/networks/{network_id}/plan/actions/{other['id']}")
    assert plain.status_code == 200 and 'id="repayment"' not in plain.text

    owed = analyst.patch(
        url, json={"owed_amount": 135_000_000, "owed_currency": "NPR", "owed_workers": 900}
    )
    assert owed.status_code == 200, owed.text
    empty = person.get(page_url)
    assert empty.status_code == 200
    block = _block(empty.text)
    assert "Owed <b>NPR 135,000,000.00</b>" in block and "USD 1,009,522.41" in block
    assert "<b>900</b> workers" in block
    assert "No payments recorded yet." in block and "unpaid" in block
    assert _balanced(empty.text)

    upload = analyst.post(
        f"{url}/evidence", files={"file": ("batch-1.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    )
    evidence_id = upload.json()["id"]
    for body in (
        {"amount": 100_000_000, "currency": "NPR", "paid_on": "2026-11-20"},
        {"amount": 10_000, "currency": "THB", "paid_on": "2024-06-30"},
    ):
        made = analyst.post(f"{url}/payments", json={**body, "proof_evidence_id": evidence_id})
        assert made.status_code == 201, made.text
    lacking = analyst.post(
        f"{url}/payments", json={"amount": 5_000, "currency": "NPR", "paid_on": "2026-11-21"}
    )
    assert lacking.status_code == 201
    voided = analyst.post(
        f"{url}/payments/{lacking.json()['payment']['id']}/void",
        json={"reason": "Entered on the wrong action"},
    )
    assert voided.status_code == 200

    shown = person.get(page_url)
    assert shown.status_code == 200
    block = _block(shown.text)
    assert "No payments recorded yet." not in block
    assert "NPR 100,000,000.00" in block and "THB 10,000.00" in block and "283.34" in block
    assert "converted at 35.2935 THB per USD (2024 annual average" in block
    link = f"/dashboard/networks/{network_id}/plan/actions/{action['id']}/evidence/{evidence_id}"
    assert f'<a href="{link}">batch-1.pdf</a>' in block
    assert "no proof" in block and "Entered on the wrong action" in block  # the voided one
    assert "Still owed <b>NPR" in block and "part paid" in block
    assert "paid in THB, compared in USD" in block
    assert _balanced(shown.text)
    assert person.get(link).status_code == 200
