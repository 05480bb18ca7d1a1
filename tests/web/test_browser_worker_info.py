"""The corridor information page in a real phone-sized browser, in each of the six languages:
no horizontal scroll at 360 px, the sources listed and the unreviewed text marked.

Uses the browser fixtures of test_browser.py and skips, like it, where no browser can be had.
Screenshots go to the test's tmp_path (one per language) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web import test_browser as shared

server, browser, pytestmark = shared.server, shared.browser, shared.pytestmark
LANGUAGES = ("en", "my", "th", "bn", "ne", "id")


@pytest.mark.parametrize("slug", ["mm-th", "np-my"])
def test_the_page_fits_a_phone_in_every_language(
    server: str, browser: object, slug: str, tmp_path: Path
) -> None:
    for language in LANGUAGES:
        phone = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
        page = phone.new_page()
        page.goto(f"{server}/info/{slug}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("#sources li").count() >= 5
        assert page.locator("#machine-draft").count() == (0 if language == "en" else 1)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), (language, width)
        page.screenshot(path=str(tmp_path / f"{slug}-{language}.png"), full_page=False)
        phone.close()
