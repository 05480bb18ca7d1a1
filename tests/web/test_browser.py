"""The respondent and the analyst in a real browser (Playwright driving Debian's Chromium).

Skips, saying why, where no browser can be had; `.ci/run` installs Chromium when missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts.models import User
from api.accounts.passwords import hash_password
from tests.builders import World
from tests.questionnaires.builders import assign, sub_agent_network

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
# In a browser on SQLite only: these tests are about pages, scripts and layout, and every
# route they drive runs on PostgreSQL in the API and page tests; a second browser pass cost
# the suite a minute.
ON_SQLITE = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"
    ),
    ON_SQLITE,
]
PASSWORD = "a long demo password"


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not instance.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        except Exception as exc:
            pytest.skip(f"Chromium could not start: {exc}")
        yield chromium
        chromium.close()


def setup(world: World, engine: Engine, hostile: str) -> tuple[int, str, str]:
    network_id, ids = sub_agent_network(
        world.analyst_a, hostile, name="Browser network", migrant_workers=20
    )
    created = assign(world.analyst_a, network_id, ids["SA"])
    with Session(engine) as session:
        for user_id in (world.analyst_a.user_id, world.viewer_a.user_id):
            user = session.get(User, user_id)
            assert user is not None
            user.password_hash = hash_password(PASSWORD)
            session.add(user)
        session.commit()
        analyst = session.get(User, world.analyst_a.user_id).email  # type: ignore[union-attr]
        viewer = session.get(User, world.viewer_a.user_id).email  # type: ignore[union-attr]
    world.analyst_a.post(f"/api/v1/networks/{network_id}/plan")
    return network_id, created["invitation"]["token"], f"{analyst}|{viewer}"


def sign_in(page: object, base: str, email: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("#email", email)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/dashboard")  # type: ignore[attr-defined]


def fill_visible(page: object) -> None:
    for group in page.locator(".question:not([hidden]) fieldset").all():  # type: ignore[attr-defined]
        boxes = group.locator("input")
        if not any(box.is_checked() for box in boxes.all()):
            boxes.first.check()
    for kind in ("input[type=number]", "input[type=date]", "textarea"):
        for field in page.locator(f".question:not([hidden]) {kind}").all():  # type: ignore[attr-defined]
            if not field.input_value():
                # A number at its field's minimum when it has one (a year paid: 2000).
                lowest = field.get_attribute("min") if kind == "input[type=number]" else None
                number = lowest if lowest and float(lowest) >= 1 else "1"
                field.fill(
                    {"input[type=number]": number, "input[type=date]": "2026-06-30"}.get(
                        kind, "Described in our policy"
                    )
                )


def answer_everything_else(page: object) -> None:
    """Walk the steps choosing the first option everywhere still unanswered, saving each."""
    for _ in range(12):
        for _round in range(4):  # answering a gate question reveals its follow-ups live
            fill_visible(page)
        last = page.locator("button[value=review]")  # type: ignore[attr-defined]
        if last.count():
            last.click()
            return
        page.click("button[value=next]")  # type: ignore[attr-defined]


def test_respondent_and_analyst_in_a_browser(
    world: World, engine: Engine, server: str, browser: object, tmp_path: Path
) -> None:
    hostile = "<script>window.hacked=1</script>Agent"
    network_id, token, emails = setup(world, engine, hostile)
    analyst_email, viewer_email = emails.split("|")
    phone = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    page = phone.new_page()

    page.goto(f"{server}/respond/{token}")
    page.wait_for_url("**/respond/form")
    assert token not in page.url
    assert page.evaluate("window.hacked") is None
    assert hostile in page.inner_text("main")  # shown as text
    page.screenshot(path=str(tmp_path / "respond-phone.png"))

    # Switch language and back; answers are language-independent.
    page.select_option("#language", "ne")
    page.click("form.language button")
    assert page.locator("html").get_attribute("lang") == "ne"
    page.select_option("#language", "en")
    page.click("form.language button")

    # A show_if branch opens live.
    assert page.locator("#q-LIC_02").is_hidden()
    page.check('input[name="q_LIC_01"][value="yes"]')
    page.wait_for_selector("#q-LIC_02", state="visible")
    page.fill("#f-LIC_02", "MM-777")
    page.click("button[value=stay]")
    page.wait_for_url("**saved=1")

    # Leave and come back with the same link: answers are kept.
    page.goto("about:blank")
    page.goto(f"{server}/respond/{token}")
    page.wait_for_url("**/respond/form")
    page.goto(f"{server}/respond/form?step=0")
    assert page.input_value("#f-LIC_02") == "MM-777"

    # Submitting with answers missing is blocked and says which ones.
    page.goto(f"{server}/respond/review")
    page.click("text=Submit the assessment")
    assert "Not submitted yet" in page.inner_text("main")
    page.goto(f"{server}/respond/form?step=0")
    answer_everything_else(page)
    page.wait_for_url("**/respond/review")
    page.click("text=Submit the assessment")
    page.wait_for_load_state()
    assert "/respond/done" in page.url, page.inner_text("main")
    assert "Thank you" in page.inner_text("main")

    # The analyst signs in, sees it submitted, and returns it with a comment.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    analyst = desk.new_page()
    sign_in(analyst, server, analyst_email)
    analyst.goto(f"{server}/dashboard/networks/{network_id}/assessments")
    analyst.locator("tr", has_text="submitted").locator("td a").click()
    assert "MM-777" in analyst.inner_text("#q-LIC_02")  # the answers, read before deciding
    analyst.click("#q-LIC_02 summary")
    analyst.fill("#qc-LIC_02", "This number is not in the ministry's register")
    analyst.fill("#comment", "Please check your licence details")
    analyst.click("button[value=return]")
    analyst.wait_for_load_state()
    assert "returned" in analyst.inner_text("main")
    analyst.screenshot(path=str(tmp_path / "dashboard-desktop.png"))

    page.goto(f"{server}/respond/form?step=0")
    assert "Please check your licence details" in page.inner_text("main")
    assert "not in the ministry's register" in page.inner_text("#q-LIC_02")

    # A viewer sees the plan but cannot change an action's status.
    viewer = browser.new_context().new_page()  # type: ignore[attr-defined]
    sign_in(viewer, server, viewer_email)
    viewer.goto(f"{server}/dashboard/networks/{network_id}/plan")
    assert viewer.locator(".status-form").count() == 0
    assert "Remediation plan" in viewer.inner_text("main")
