"""The network view in a real browser: drawn within the CSP, filtered, tapped, on a phone.

Skips, saying why, where no browser can be had (the fixtures and the skip are test_browser's).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from api.web import graph_view
from tests.builders import World
from tests.web.sessions import PASSWORD, with_password
from tests.web.test_browser import CHROMIUM, ON_SQLITE, browser, server
from tests.web.test_dashboard_graph import big_network, two_corridors

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"
    ),
    ON_SQLITE,  # pages and layout; the graph routes run on PostgreSQL in test_dashboard_graph
]
__all__ = ["big_network", "browser", "server"]  # the fixtures, used by name


def open_signed_in(browser: object, base: str, email: str, width: int) -> tuple[object, list[str]]:
    """A page of a fresh context of this width, signed in, and the console messages it logs."""
    context = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    return page, messages


def drawn(page: object) -> int:
    """Waits for the drawing and returns how many nodes Cytoscape holds."""
    page.wait_for_selector("#network-graph[data-rendered]")  # type: ignore[attr-defined]
    box = page.locator("#network-graph")  # type: ignore[attr-defined]
    assert box.locator("canvas").count() >= 1  # Cytoscape drew on its canvases
    count = int(box.get_attribute("data-rendered"))
    assert page.evaluate("window.fairpathGraph.cy.nodes().length") == count  # type: ignore[attr-defined]
    return count


def no_horizontal_scroll(page: object) -> None:
    widths = page.evaluate(  # type: ignore[attr-defined]
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] == widths[1], widths


def test_filter_a_corridor_and_tap_a_node_in_a_browser(
    world: World, engine: Engine, server: str, browser: object, tmp_path: Path
) -> None:
    network_id, ids = two_corridors(world.analyst_a)
    email = with_password(engine, world.analyst_a.user_id)
    graph = f"{server}/dashboard/networks/{network_id}/graph"

    desk, desk_messages = open_signed_in(browser, server, email, 1280)
    desk.goto(graph)  # type: ignore[attr-defined]
    assert drawn(desk) == len(ids) == 8
    desk.screenshot(path=str(tmp_path / "graph-desktop.png"), full_page=True)  # type: ignore[attr-defined]

    desk.select_option("#corridor", "NP-MY")  # type: ignore[attr-defined]
    desk.click("#corridor-filter button")  # type: ignore[attr-defined]
    desk.wait_for_url("**/graph?corridor=NP-MY")  # type: ignore[attr-defined]
    assert drawn(desk) == 3
    assert desk.get_attribute("#graph-count", "data-shown") == "3"  # type: ignore[attr-defined]
    assert "Kathmandu Agency" in desk.inner_text("table.graph-nodes")  # type: ignore[attr-defined]
    assert "Bangkok Foods" not in desk.inner_text("table.graph-nodes")  # type: ignore[attr-defined]
    desk.screenshot(path=str(tmp_path / "graph-corridor-desktop.png"), full_page=True)  # type: ignore[attr-defined]

    # A real click on the canvas, where Cytoscape drew the agency, opens its page.
    agency = ids["NP-OA"]
    x, y = desk.evaluate(  # type: ignore[attr-defined]
        """id => {
            const box = document.getElementById("network-graph").getBoundingClientRect();
            const at = window.fairpathGraph.cy.$("#n" + id).renderedPosition();
            return [box.left + at.x, box.top + at.y];
        }""",
        agency,
    )
    desk.mouse.click(x, y)  # type: ignore[attr-defined]
    desk.wait_for_url(f"**/dashboard/networks/{network_id}/nodes/{agency}")  # type: ignore[attr-defined]
    assert "Kathmandu Agency" in desk.inner_text("h1")  # type: ignore[attr-defined]

    phone, phone_messages = open_signed_in(browser, server, email, 360)
    for url in (graph, f"{graph}?corridor=MM-TH", f"{graph}?supplier=S1"):
        phone.goto(url)  # type: ignore[attr-defined]
        assert drawn(phone) >= 3, url
        no_horizontal_scroll(phone)
    phone.goto(graph)  # type: ignore[attr-defined]
    drawn(phone)
    phone.screenshot(path=str(tmp_path / "graph-phone.png"), full_page=True)  # type: ignore[attr-defined]

    refused = [m for m in desk_messages + phone_messages if "Content Security Policy" in m]
    assert refused == []
    assert not [m for m in desk_messages + phone_messages if m.startswith("page error")]


def test_a_capped_corridor_of_a_large_network_in_a_browser(
    world: World,
    engine: Engine,
    server: str,
    browser: object,
    big_network: tuple[int, dict[str, int]],
    tmp_path: Path,
) -> None:
    network_id, _ids = big_network
    email = with_password(engine, world.analyst_a.user_id)
    graph = f"{server}/dashboard/networks/{network_id}/graph"
    phone, messages = open_signed_in(browser, server, email, 360)
    phone.goto(graph)  # type: ignore[attr-defined]
    drawn(phone)
    # The corridor placing the most workers: the largest, far over the cap in this network.
    capped = phone.eval_on_selector_all(  # type: ignore[attr-defined]
        "#corridor option",
        """options => options.filter(o => o.value).map(o => [o.value,
            Number(o.textContent.match(/\\(([\\d,]+) workers/)[1].replace(/,/g, ""))])
            .sort((a, b) => b[1] - a[1])[0][0]""",
    )
    phone.select_option("#corridor", capped)  # type: ignore[attr-defined]
    phone.click("#corridor-filter button")  # type: ignore[attr-defined]
    phone.wait_for_url(f"**corridor={capped}")  # type: ignore[attr-defined]
    assert drawn(phone) == graph_view.CAP
    assert f"Showing {graph_view.CAP} of" in phone.inner_text(".graph-note")  # type: ignore[attr-defined]
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "graph-capped-phone.png"))  # type: ignore[attr-defined]
    desk, desk_messages = open_signed_in(browser, server, email, 1280)
    desk.goto(f"{graph}?corridor={capped}")  # type: ignore[attr-defined]
    assert drawn(desk) == graph_view.CAP
    desk.screenshot(path=str(tmp_path / "graph-capped-desktop.png"))  # type: ignore[attr-defined]
    assert [m for m in messages + desk_messages if "Content Security Policy" in m] == []
