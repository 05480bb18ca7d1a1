"""The repayment block of an action page in a real browser, on a desktop and a phone.

Uses the browser fixtures of test_browser.py and skips, like it, where no browser can be had.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.deps import clock
from tests.builders import World, create_network
from tests.web import test_browser as shared
from tests.web.sessions import PASSWORD, with_password

# The live server, the browser and the skip-when-no-Chromium marks of test_browser.py.
server, browser, pytestmark = shared.server, shared.browser, shared.pytestmark


def test_owed_paid_and_still_owed_read_on_desktop_and_phone(
    world: World, engine: Engine, app: FastAPI, server: str, browser: object, tmp_path: Path
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
    analyst.patch(url, json={"owed_amount": 135_000_000, "owed_currency": "NPR"})
    page_url = f"{server}/dashboard/networks/{network_id}/plan/actions/{action['id']}"
    email = with_password(engine, world.viewer_a.user_id)

    desk = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = desk.new_page()
    page.goto(f"{server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    page.goto(page_url)
    assert "No payments recorded yet." in page.inner_text("#repayment")

    proof = analyst.post(
        f"{url}/evidence", files={"file": ("batch-1.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    ).json()["id"]
    paid = analyst.post(
        f"{url}/payments",
        json={
            "amount": 100_000_000,
            "currency": "NPR",
            "paid_on": "2026-11-20",
            "proof_evidence_id": proof,
        },
    )
    assert paid.status_code == 201, paid.text
    page.goto(page_url)
    block = page.inner_text("#repayment")
    assert "Still owed NPR 35,000,000.00" in block and "part paid" in block
    assert page.locator("#repayment a", has_text="batch-1.pdf").count() == 1
    page.screenshot(path=str(tmp_path / "repayment-desktop.png"), full_page=True)

    phone = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 360, "height": 740}, storage_state=desk.storage_state()
    )
    small = phone.new_page()
    small.goto(page_url)
    assert "Owed NPR 135,000,000.00" in small.inner_text("#repayment")
    # The payments table scrolls inside itself, like every dashboard table: the page keeps
    # the phone's width.
    assert small.evaluate("document.documentElement.scrollWidth") == 360
    small.screenshot(path=str(tmp_path / "repayment-phone.png"), full_page=True)
