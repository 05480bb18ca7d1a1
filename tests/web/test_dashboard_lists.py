"""Dashboard lists: paging, search, honest empty states, labels for red flags, marked tabs and
table headers that say what they head."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.builders import World, create_network, edge, network_with, node
from tests.web.sessions import signed_in

SUPPLIERS = 119  # and the company: 120 nodes


@pytest.fixture
def big(world: World) -> int:
    """A company and 119 suppliers named "Supplier 001" ... "Supplier 119"."""
    nodes = [node("CO", "company", "Buyer", "GB")] + [
        node(f"S{i:03d}", "supplier", f"Supplier {i:03d}", "TH") for i in range(1, SUPPLIERS + 1)
    ]
    edges = [edge(f"S{i:03d}", "CO", "supplies") for i in range(1, SUPPLIERS + 1)]
    return int(network_with(world.analyst_a, nodes, edges, name="Big network")["id"])


def _names(html: str, network_id: int) -> list[str]:
    pattern = rf'<a href="/dashboard/networks/{network_id}/nodes/\d+">([^<]+)</a>'
    return [unescape(name) for name in re.findall(pattern, html)]


def test_the_second_page_shows_nodes_51_to_100(
    world: World, client: TestClient, engine: Engine, big: int
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    url = f"/dashboard/networks/{big}/nodes"
    first = person.get(url, params={"per_page": 50})
    second = person.get(url, params={"per_page": 50, "page": 2})
    assert second.status_code == 200
    # The same order as the API's scores list, whose offset 50 is the dashboard's page 2.
    api = world.viewer_a.get(
        f"/api/v1/networks/{big}/scores", params={"limit": 50, "offset": 50}
    ).json()
    expected = [item["name"] for item in api["items"]]
    assert len(expected) == 50
    assert _names(second.text, big) == expected
    assert not set(_names(first.text, big)) & set(expected)
    assert "Showing 51\u2013100 of 120" in unescape(second.text)
    # Page links keep the other parameters and mark the current page.
    assert f'href="{url}?per_page=50&amp;page=3"' in second.text
    assert f'href="{url}?per_page=50" rel="prev"' in second.text
    assert 'aria-current="page" class="current">2</a>' in second.text
    last = person.get(url, params={"per_page": 50, "page": 3})
    assert len(_names(last.text, big)) == 20 and "Showing 101\u2013120 of 120" in unescape(
        last.text
    )
    assert 'rel="next"' not in last.text


def test_search_finds_the_one_node_and_keeps_the_filters(
    world: World, client: TestClient, engine: Engine, big: int
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    url = f"/dashboard/networks/{big}/nodes"
    found = person.get(url, params={"q": "supplier 077", "kind": "supplier"})
    assert _names(found.text, big) == ["Supplier 077"]
    assert "Showing 1\u20131 of 1" in unescape(found.text)
    assert 'value="supplier 077"' in found.text
    none = person.get(url, params={"q": "supplier 077", "kind": "recruiter"})
    assert _names(none.text, big) == [] and "No node matches" in unescape(none.text)


def test_a_page_past_the_end_says_so_and_links_to_page_1(
    world: World, client: TestClient, engine: Engine, big: int
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    url = f"/dashboard/networks/{big}/nodes"
    beyond = person.get(url, params={"per_page": 50, "page": 9, "kind": "supplier"})
    assert beyond.status_code == 200
    text = unescape(beyond.text)
    assert _names(beyond.text, big) == []
    assert "No results on this page" in text and "119 in all, on 3 pages" in text
    assert f'<a href="{url}?per_page=50&amp;kind=supplier">Go to page 1</a>' in beyond.text


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"per_page": "10000"}, "per_page"),
        ({"per_page": "-5"}, "per_page"),
        ({"q": "x" * 101}, "q"),
        ({"kind": "spaceship"}, "kind"),
        ({"corridor": "Myanmar to Thailand"}, "corridor"),
        ({"principle": "nope", "principle_band": "high"}, "principle"),
        ({"principle": "iris:1", "principle_band": "awful"}, "principle_band"),
    ],
)
def test_bad_list_parameters_are_named_in_a_400_page(
    world: World, client: TestClient, engine: Engine, big: int, query: dict, named: str
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    refused = person.get(f"/dashboard/networks/{big}/nodes", params=query)
    assert refused.status_code == 400
    assert f"The {named} parameter" in unescape(refused.text)


def test_every_list_pages_and_searches(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    person = signed_in(client, engine, world.analyst_a.user_id)
    base = f"/dashboard/networks/{seafood}"
    api = f"/api/v1/networks/{seafood}"
    findings = world.analyst_a.get(f"{api}/findings", params={"status": "open"}).json()
    plan = world.analyst_a.get(f"{api}/plan").json()
    assessments = world.analyst_a.get(f"{api}/assessments").json()
    for path, total, row in (
        (f"{base}/findings", findings["total"], r'<tr id="f-\d+">'),
        (f"{base}/plan", plan["total"], r'<tr id="action-\d+">'),
        (f"{base}/assessments", assessments["total"], r'<tr id="a-\d+">'),
    ):
        assert total > 2, path
        page = person.get(path, params={"per_page": 2, "page": 2})
        assert page.status_code == 200, path
        assert len(re.findall(row, page.text)) == 2, path
        assert f"Showing 3\u20134 of {total}" in unescape(page.text), path
    # Searches go to the database: a finding by its node's name, an action by its owner.
    title = findings["items"][0]["title"]
    searched = person.get(f"{base}/findings", params={"q": title.upper()})
    assert title in unescape(searched.text)
    assert len(re.findall(r'<tr id="f-\d+">', searched.text)) < findings["total"]
    node_name = assessments["items"][0]["node"]["name"]
    by_node = unescape(person.get(f"{base}/assessments", params={"q": node_name}).text)
    assert node_name in by_node and "Showing 1\u2013" in by_node
    nothing = unescape(person.get(f"{base}/plan", params={"q": "no such action zzz"}).text)
    assert "No action matches “no such action zzz”" in nothing
    # The networks list and the jobs list page and search too.
    create_network(world.analyst_a, "Another network")
    assert "Another network" not in person.get("/dashboard", params={"q": "seafood"}).text
    assert "Showing 1\u20131 of 1" in unescape(
        person.get("/dashboard", params={"q": "SEAFOOD"}).text
    )
    assert "Showing 2\u20132 of 2" in unescape(
        person.get("/dashboard", params={"per_page": 1, "page": 2}).text
    )
    jobs = unescape(person.get("/dashboard/jobs", params={"q": "no such network"}).text)
    assert "No finished job for a network named like “no such network”" in jobs


def test_an_empty_network_says_nothing_is_mapped_and_offers_the_import(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = create_network(world.analyst_a, "Nothing yet")["id"]
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    base = f"/dashboard/networks/{network_id}"
    overview = unescape(analyst.get(base).text)
    assert "Nothing is mapped in this network yet" in overview
    assert "Visibility gaps" not in overview and "None found" not in overview
    assert f'action="{base}/import"' in overview and "examples/seafood-thailand" in overview
    seen_by_viewer = unescape(viewer.get(base).text)
    assert "Nothing is mapped in this network yet" in seen_by_viewer
    assert f'action="{base}/import"' not in seen_by_viewer
    assert "ask an analyst or an admin" in seen_by_viewer
    for path in ("/nodes", "/findings", "/assessments"):
        text = unescape(analyst.get(base + path).text)
        assert "Nothing is mapped in this network yet" in text, path
    plan = unescape(analyst.get(base + "/plan").text)
    assert "No actions yet: the plan is built from open findings, and there are none" in plan


def test_red_flags_are_shown_by_their_labels(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    base = f"/dashboard/networks/{seafood}"
    nodes = unescape(person.get(f"{base}/nodes", params={"band": "critical"}).text)
    assert "Workers paid recruitment fees or related costs" in nodes
    findings = unescape(person.get(f"{base}/findings").text)
    assert "Red flag: Workers paid recruitment fees or related costs" in findings
    for text in (nodes, findings):
        assert "RF_" not in text
    listing = person.get(f"{base}/nodes", params={"q": "Mahachai Ocean"}).text
    match = re.search(rf'href="{base}/nodes/(\d+)">Mahachai Ocean', listing)
    assert match is not None
    chain = unescape(person.get(f"{base}/nodes/{match.group(1)}").text)
    assert "Critical chain" in chain and "RF_" not in chain


class _Headers(HTMLParser):
    """Every <th> of a page with its scope, and the tabs marked as the current page."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[dict[str, str | None]] = []
        self.current: list[str] = []
        self._in_current = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "th":
            self.headers.append(named)
        if tag == "a" and named.get("aria-current") == "page":
            self._in_current = True

    def handle_data(self, data: str) -> None:
        if self._in_current and data.strip():
            self.current.append(data.strip())
            self._in_current = False


def dashboard_pages(world: World, network_id: int) -> list[tuple[str, str | None]]:
    """Every GET page of the dashboard for one network, with the tab it belongs to."""
    api = f"/api/v1/networks/{network_id}"
    node_id = world.analyst_a.get(f"{api}/nodes").json()["items"][0]["id"]
    assessment_id = world.analyst_a.get(f"{api}/assessments").json()["items"][0]["id"]
    action_id = world.analyst_a.get(f"{api}/plan").json()["items"][0]["id"]
    base = f"/dashboard/networks/{network_id}"
    return [
        ("/dashboard", None),
        ("/dashboard/jobs", None),
        (base, "Overview"),
        (f"{base}/nodes", "Nodes"),
        (f"{base}/nodes?corridor=MM-TH", "Nodes"),
        (f"{base}/nodes/{node_id}", "Nodes"),
        (f"{base}/heatmaps", "Heatmaps"),
        (f"{base}/graph", "Graph"),
        (f"{base}/graph?corridor=MM-TH", "Graph"),
        (f"{base}/assessments", "Assessments"),
        (f"{base}/assessments/{assessment_id}", None),
        (f"{base}/findings", "Findings"),
        (f"{base}/plan", "Remediation plan"),
        (f"{base}/plan/actions/{action_id}", None),
        (f"{base}/training", "Training"),
    ]


def test_every_table_header_has_a_scope_and_the_active_tab_is_marked(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    person = signed_in(client, engine, world.analyst_a.user_id)
    for path, tab in dashboard_pages(world, seafood):
        page = person.get(path)
        assert page.status_code == 200, path
        parsed = _Headers()
        parsed.feed(page.text)
        assert parsed.headers, f"{path} has no table"
        missing = [h for h in parsed.headers if h.get("scope") not in ("col", "row")]
        assert not missing, f"{path}: th without scope {missing}"
        if tab is not None:
            assert tab in parsed.current, (path, parsed.current)
