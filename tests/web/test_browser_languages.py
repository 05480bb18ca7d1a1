"""The respondent form in other scripts in a real browser: the script's words and a phone's width.

Uses the browser fixtures of test_browser.py and skips, like it, where no browser can be had.
"""

from __future__ import annotations

import yaml

from templates.messages import CATALOGUE_DIR
from tests.builders import World, network_with, node, node_ids
from tests.questionnaires.builders import assign
from tests.web import test_browser as shared

# The live server, the browser and the skip-when-no-Chromium marks of test_browser.py.
server, browser, pytestmark = shared.server, shared.browser, shared.pytestmark


def invitation(world: World, language: str) -> str:
    network = network_with(
        world.analyst_a,
        [
            node("S1", "supplier", "Factory", "TH", migrant_workers=20),
            node("SA", "recruiter", f"Village sub-agent {language}", "MM", role="sub_agent"),
        ],
        [{"source": "SA", "target": "S1", "kind": "recruits_for", "workers": 20}],
        name=f"Network in {language}",
    )
    ids = node_ids(world.analyst_a, network["id"])
    return assign(world.analyst_a, network["id"], ids["SA"], language=language)["invitation"][
        "token"
    ]


def test_autosave_speaks_nepali_and_long_scripts_fit_a_phone(
    world: World, server: str, browser: object
) -> None:
    tokens = {language: invitation(world, language) for language in ("ne", "my", "th")}
    nepali = yaml.safe_load((CATALOGUE_DIR / "ne.yaml").read_text(encoding="utf-8"))["messages"]
    for language, token in tokens.items():
        phone = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
        page = phone.new_page()
        page.goto(f"{server}/respond/{token}")
        page.wait_for_url("**/respond/form")
        assert page.locator("html").get_attribute("lang") == language
        page.check('input[name="q_LIC_01"][value="yes"]')
        page.wait_for_selector("#q-LIC_02", state="visible")
        if language == "ne":
            status = page.locator("#autosave-status")
            status.filter(has_text=nepali["js.saved"]).wait_for()
        page.click("button[value=stay]")
        page.wait_for_url("**saved=1")
        # Nothing is wider than the phone: long Burmese and Thai labels wrap.
        assert page.evaluate("document.documentElement.scrollWidth") == 360, language
        phone.close()
