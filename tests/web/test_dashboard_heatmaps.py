"""The dashboard's heatmaps: HTML tables whose cells name their risk in words and link to the
nodes they count; unknown is never shown as low; readable on a 360 px phone."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.web import dashboard_heatmaps
from audit.scores.schemas import CorridorRiskRead
from audit.scores.service import ScoringContext
from tests.builders import World, edge, network_with, node
from tests.web.sessions import PASSWORD, signed_in, with_password
from tests.web.test_browser import ON_SQLITE, browser, server  # noqa: F401  (fixtures)

CELL = re.compile(
    r'<td class="heat heat-(?P<band>[a-z_]+)"><a href="(?P<href>[^"]+)"><b>(?P<text>[^<]+)</b>'
    r"(?:<br>(?P<detail>[^<]*))?<br><span class=\"words\">(?P<words>[^<]+)</span>"
)


def _section(html: str, key: str) -> str:
    start = html.index(f'<section id="{key}"')
    return html[start : html.index("</section>", start)]


def _listed(person: TestClient, href: str) -> int:
    text = unescape(person.get(unescape(href)).text)
    found = re.search(r"Showing 1\u2013(\d+) of (\d+)", text)
    assert found is not None, text[-2000:]
    assert found.group(1) == found.group(2)  # all on one page
    return int(found.group(2))


def test_three_heatmaps_whose_cells_open_the_nodes_they_count(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    page = person.get(f"/dashboard/networks/{seafood}/heatmaps")
    assert page.status_code == 200
    html = page.text
    assert f'<a href="/dashboard/networks/{seafood}/heatmaps" aria-current="page"' in html
    assert "<img" not in html and "<svg" not in html  # tables, not pictures
    corridors = _section(html, "corridors")
    cells = [m.groupdict() for m in CELL.finditer(corridors)]
    assert cells, corridors
    myanmar = next(c for c in cells if "corridor=MM-TH" in c["href"])
    assert "⚑" in myanmar["words"] and "critical" in myanmar["words"]
    recruiters = int(myanmar["detail"].split()[0])
    assert _listed(person, myanmar["href"]) == recruiters
    # The corridor endpoint agrees on the recruiters of the corridor.
    api = world.viewer_a.get(f"/api/v1/networks/{seafood}/corridors").json()
    items = api["items"] if isinstance(api, dict) else api
    row = next(c for c in items if c["origin"] == "MM" and c["destination"] == "TH")
    assert row["recruiters"] == recruiters

    sectors = [m.groupdict() for m in CELL.finditer(_section(html, "sectors"))]
    assert sectors
    for cell in sectors:
        placing = int(cell["detail"].split()[0])
        assert _listed(person, cell["href"]) == placing, cell

    principles = _section(html, "principles")
    cells = [m.groupdict() for m in CELL.finditer(principles)]
    unknown = [c for c in cells if c["band"] == "insufficient_data"]
    assert unknown and all(c["words"] == "not assessed" for c in unknown)
    flagged = [c for c in cells if c["band"] == "critical"]
    assert flagged
    for cell in (unknown[0], flagged[0]):
        count = int(cell["text"].split()[0])
        assert _listed(person, cell["href"]) == count
    # The not-assessed nodes are listed as such, never with a compliance score.
    listing = unescape(person.get(unescape(unknown[0]["href"])).text)
    assert "not assessed" in listing
    assert 'scope="row"' in principles and 'scope="col"' in principles


def test_a_corridor_nobody_knows_anything_about_is_not_assessed_not_low(
    world: World, client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference data gives most corridors a risk; one without any (no worst risk, no band)
    says "not assessed" in grey, and never shows as low."""
    network = network_with(
        world.analyst_a,
        [
            node("CO", "company", "Buyer", "GB"),
            node("S1", "supplier", "Plant", "TH", sector="electronics"),
            node("R1", "recruiter", "Agent", "TH", role="destination_agency"),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("R1", "S1", "recruits_for", origin="NP", destination="TH", workers=30),
        ],
    )
    person = signed_in(client, engine, world.viewer_a.user_id)
    url = f"/dashboard/networks/{network['id']}/heatmaps"
    (known,) = [m.groupdict() for m in CELL.finditer(_section(person.get(url).text, "corridors"))]
    assert known["band"] == "high" and known["words"] == "high" and known["text"] == "30 workers"

    real = dashboard_heatmaps.corridor_rows

    def unknown(context: ScoringContext) -> list[CorridorRiskRead]:
        return [r.model_copy(update={"worst_risk": None, "band": None}) for r in real(context)]

    monkeypatch.setattr(dashboard_heatmaps, "corridor_rows", unknown)
    (cell,) = [m.groupdict() for m in CELL.finditer(_section(person.get(url).text, "corridors"))]
    assert cell["band"] == "insufficient_data" and cell["words"] == "not assessed"
    assert cell["text"] == "30 workers"  # the workers are known, their risk is not


def test_an_empty_network_has_no_heatmaps_to_show(
    world: World, client: TestClient, engine: Engine
) -> None:
    network = world.analyst_a.post("/api/v1/networks", json={"name": "Blank"}).json()
    person = signed_in(client, engine, world.viewer_a.user_id)
    text = unescape(person.get(f"/dashboard/networks/{network['id']}/heatmaps").text)
    assert "Nothing is mapped in this network yet" in text and "<table" not in text


@pytest.mark.browser
@ON_SQLITE  # layout in a browser; the page itself runs on PostgreSQL in the tests above
def test_heatmaps_fit_a_360_px_phone(
    world: World,
    engine: Engine,
    seafood: int,
    server: str,  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    """The page never scrolls sideways; a wide table scrolls inside its own frame, with its
    first column kept in view."""
    email = with_password(engine, world.viewer_a.user_id)
    context = browser.new_context(viewport={"width": 360, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/dashboard/networks/{seafood}/heatmaps")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    frame = page.locator("#principles .scroll")
    assert frame.evaluate("e => e.scrollWidth > e.clientWidth")
    header = page.locator("#principles tbody th").first
    before = header.bounding_box()
    frame.evaluate("e => { e.scrollLeft = 400; }")
    after = header.bounding_box()
    assert before is not None and after is not None and after["x"] == before["x"]
    for path in ("", "/nodes", "/findings", "/plan", "/assessments"):
        page.goto(f"{server}/dashboard/networks/{seafood}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()


def test_orientation_coverage_shows_both_stages_and_unknown_never_zero(
    world: World, client: TestClient, engine: Engine
) -> None:
    """Illustrative: 1,200 workers NP -> MY, 900 oriented before departure (75 %) and none
    after arrival (0 %); BD -> MY with no worker count is "unknown", never 0 %."""
    analyst = world.analyst_a
    network = network_with(
        analyst,
        [
            node("CO", "company", "Buyer", "GB"),
            node("S1", "supplier", "Plant", "MY"),
            node("R1", "recruiter", "Agent NP", "NP", role="origin_agency"),
            node("R2", "recruiter", "Agent BD", "BD", role="origin_agency"),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("R1", "S1", "recruits_for", origin="NP", destination="MY", workers=1200),
            edge("R2", "S1", "recruits_for", origin="BD", destination="MY"),
        ],
    )
    recorded = analyst.post(
        f"/api/v1/networks/{network['id']}/orientation-sessions",
        json={
            "stage": "pre_departure",
            "origin": "NP",
            "destination": "MY",
            "delivered_on": "2026-01-10",
            "language": "ne",
            "topics": ["fees-and-rights"],
            "deliverer": "iom",
            "workers_reached": 900,
        },
    )
    assert recorded.status_code == 201, recorded.text
    person = signed_in(client, engine, world.viewer_a.user_id)
    html = person.get(f"/dashboard/networks/{network['id']}/heatmaps").text
    section = _section(html, "orientation")
    assert "Orientation coverage" in section
    pre, post = section.split('id="orientation-post-arrival"')
    pre_cells = {unescape(c["detail"]): c for c in map(re.Match.groupdict, CELL.finditer(pre))}
    post_cells = {unescape(c["detail"]): c for c in map(re.Match.groupdict, CELL.finditer(post))}
    assert pre_cells["900 of 1,200 workers"]["text"] == "75%"
    assert pre_cells["900 of 1,200 workers"]["band"] == "medium"
    assert post_cells["0 of 1,200 workers"]["text"] == "0%"
    assert post_cells["0 of 1,200 workers"]["band"] == "critical"
    for cells in (pre_cells, post_cells):
        unknown = cells["0 of unknown workers"]
        assert (unknown["text"], unknown["band"]) == ("unknown", "insufficient_data")
        assert unknown["words"].startswith("unknown")
