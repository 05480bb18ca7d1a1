"""The network view: the subgraph the server picks, its filters, its cap, its JSON, its scope."""

from __future__ import annotations

import re
from collections import defaultdict, deque

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.web import graph_view
from api.web.dashboard_graph import LEGEND
from benchmarks.synthetic import generate
from tests.audit.test_reads_never_write import snapshot
from tests.builders import Actor, World, edge, network_with, node, node_ids
from tests.web.sessions import browser, signed_in


def two_corridors(actor: Actor, name: str = "Two corridors") -> tuple[int, dict[str, int]]:
    """A brand with three suppliers and three corridors: Myanmar -> Thailand through a sub-agent
    and a Thai agency, Nepal -> Malaysia through one origin agency, and a Cambodian cohort
    hired straight by a second-tier Thai supplier."""
    network = network_with(
        actor,
        [
            node("CO", "company", "Brand", "GB"),
            node("S1", "supplier", "Bangkok Foods", "TH", migrant_workers=40),
            node("S2", "supplier", "Penang Gloves", "MY", migrant_workers=30),
            node("S3", "supplier", "Shrimp Shed", "TH", migrant_workers=15, tier=2),
            node("MM-SA", "recruiter", "Yangon Sub-agent", "MM", role="sub_agent"),
            node("TH-DA", "recruiter", "Thai Agency", "TH", role="destination_agency"),
            node("NP-OA", "recruiter", "Kathmandu Agency", "NP", role="origin_agency"),
            node("WG", "worker_group", "Cambodian cohort", "TH", origin="KH", workers=15),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("S2", "CO", "supplies"),
            edge("S3", "S1", "supplies"),
            edge("MM-SA", "TH-DA", "refers_to", origin="MM", workers=40),
            edge("TH-DA", "S1", "recruits_for", origin="MM", destination="TH", workers=40),
            edge("NP-OA", "S2", "recruits_for", origin="NP", destination="MY", workers=30),
            edge("WG", "S3", "employed_by", origin="KH", destination="TH"),
        ],
        name=name,
    )
    return network["id"], node_ids(actor, network["id"])


def reaches_buyer(data: dict[str, object], company: int) -> set[int]:
    """The shown nodes with a shown way down to the buyer."""
    into: dict[int, list[int]] = defaultdict(list)
    for link in data["edges"]:  # type: ignore[attr-defined]
        into[link["target"]].append(link["source"])
    seen, queue = {company}, deque([company])
    while queue:
        for source in into[queue.popleft()]:
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def test_the_page_draws_the_riskiest_chains_with_links_and_a_legend(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id, ids = two_corridors(world.analyst_a)
    person = signed_in(client, engine, world.viewer_a.user_id)
    base = f"/dashboard/networks/{network_id}"
    page = person.get(f"{base}/graph")
    assert page.status_code == 200, page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the CSP would refuse it
    assert 'src="/static/vendor/cytoscape.min.js"' in page.text
    assert f'data-src="{base}/graph.json"' in page.text
    for ident in ("CO", "S1", "S2", "S3", "MM-SA", "TH-DA", "NP-OA", "WG"):
        assert f'href="{base}/nodes/{ids[ident]}"' in page.text, ident
    assert "insufficient data (not assessed)" in page.text
    assert '<option value="MM-TH"' in page.text and '<option value="NP-MY"' in page.text

    data = person.get(f"{base}/graph.json").json()
    assert data["scope"] == "network" and data["left_out"] == 0
    assert {n["id"] for n in data["nodes"]} == set(ids.values())
    assert {n["band"] for n in data["nodes"]} <= set(LEGEND)
    assert {(e["source"], e["target"], e["kind"]) for e in data["edges"]} >= {
        (ids["MM-SA"], ids["TH-DA"], "refers_to"),
        (ids["S3"], ids["S1"], "supplies"),
    }
    shown = {n["id"]: n for n in data["nodes"]}
    assert shown[ids["NP-OA"]]["url"] == f"{base}/nodes/{ids['NP-OA']}"

    # The overview and a node page lead to the graph.
    assert f'href="{base}/graph"' in person.get(base).text
    node_page = person.get(f"{base}/nodes/{ids['S1']}").text
    assert f'href="{base}/graph?supplier={ids["S1"]}"' in node_page


def test_a_corridor_shows_its_recruiters_and_employers_down_to_the_buyer(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id, ids = two_corridors(world.analyst_a)
    person = signed_in(client, engine, world.analyst_a.user_id)
    base = f"/dashboard/networks/{network_id}"

    nepal = person.get(f"{base}/graph.json", params={"corridor": "NP-MY"}).json()
    assert {n["id"] for n in nepal["nodes"]} == {ids["NP-OA"], ids["S2"], ids["CO"]}
    assert nepal["scope"] == "corridor" and nepal["total"] == 3 and nepal["corridor"] == "NP-MY"

    myanmar = person.get(f"{base}/graph.json", params={"corridor": "MM-TH"}).json()
    assert {n["id"] for n in myanmar["nodes"]} == {ids["MM-SA"], ids["TH-DA"], ids["S1"], ids["CO"]}

    cohort = person.get(f"{base}/graph.json", params={"corridor": "KH-TH"}).json()
    assert {n["id"] for n in cohort["nodes"]} == {ids["WG"], ids["S3"], ids["S1"], ids["CO"]}
    assert reaches_buyer(cohort, ids["CO"]) == {n["id"] for n in cohort["nodes"]}

    page = person.get(f"{base}/graph", params={"corridor": "NP-MY"})
    assert page.status_code == 200
    assert 'data-shown="3"' in page.text and "corridor=NP-MY" in page.text
    assert '<option value="NP-MY" selected>' in page.text
    assert "Shrimp Shed" not in page.text.split('id="graph-title"')[1]


def test_a_node_shows_what_feeds_it_and_where_it_leads(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id, ids = two_corridors(world.analyst_a)
    person = signed_in(client, engine, world.analyst_a.user_id)
    url = f"/dashboard/networks/{network_id}/graph.json"
    chain = {ids[i] for i in ("S1", "S3", "WG", "TH-DA", "MM-SA", "CO")}
    for asked in (str(ids["S1"]), "S1", "bangkok foods"):  # database id, external id, name
        data = person.get(url, params={"supplier": asked}).json()
        assert {n["id"] for n in data["nodes"]} == chain, asked
        assert data["focus"] == ids["S1"] and data["scope"] == "chain"
    agency = person.get(url, params={"supplier": ids["TH-DA"]}).json()
    assert {n["id"] for n in agency["nodes"]} == {ids[i] for i in ("MM-SA", "TH-DA", "S1", "CO")}
    page = person.get(f"/dashboard/networks/{network_id}/graph", params={"supplier": "S2"})
    assert page.status_code == 200 and "The chain of Penang Gloves" in page.text
    assert 'value="S2"' in page.text  # the filter keeps what was typed


def test_unknown_filters_and_other_organisations_look_missing(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id, ids = two_corridors(world.analyst_a)
    theirs, their_ids = two_corridors(world.analyst_b, "Theirs")
    person = signed_in(client, engine, world.analyst_a.user_id)
    base = f"/dashboard/networks/{network_id}"

    missing = person.get(f"{base}/graph", params={"supplier": "nobody"})
    assert missing.status_code == 404 and "no node" in missing.text
    assert 'id="supplier-filter"' in missing.text  # the filters stay, to try again
    wrong_corridor = person.get(f"{base}/graph.json", params={"corridor": "XX-YY"})
    assert wrong_corridor.status_code == 404 and "no corridor" in wrong_corridor.json()["detail"]
    # Another network's node is not this network's, even by its database id.
    foreign_node = person.get(f"{base}/graph.json", params={"supplier": their_ids["S1"]})
    assert foreign_node.status_code == 404
    assert person.get(f"/dashboard/networks/{theirs}/graph").status_code == 404
    assert person.get(f"/dashboard/networks/{theirs}/graph.json").status_code == 404

    stranger = browser(client)
    assert stranger.get(f"{base}/graph.json").status_code == 401
    redirect = stranger.get(f"{base}/graph", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].startswith("/login")
    assert ids  # the network exists: the refusals above are about who asks


def test_reading_the_graph_writes_nothing(world: World, client: TestClient, engine: Engine) -> None:
    network_id, ids = two_corridors(world.analyst_a)
    person = signed_in(client, engine, world.viewer_a.user_id)
    base = f"/dashboard/networks/{network_id}"
    before = snapshot(engine)
    for path, params in [
        (f"{base}/graph", {}),
        (f"{base}/graph", {"corridor": "MM-TH"}),
        (f"{base}/graph", {"supplier": "S1"}),
        (f"{base}/graph.json", {}),
        (f"{base}/graph.json", {"corridor": "NP-MY"}),
        (f"{base}/graph.json", {"supplier": str(ids["S3"])}),
    ]:
        assert person.get(path, params=params).status_code == 200, (path, params)
    assert snapshot(engine) == before


@pytest.fixture
def big_network(world: World) -> tuple[int, dict[str, int]]:
    """A few thousand nodes of the benchmark's shape: corridors far larger than the cap."""
    synthetic = generate(nodes=3000, edges=4500, seed=11)
    network = network_with(world.analyst_a, synthetic.nodes, synthetic.edges, name="Big")
    listed = world.analyst_a.get(
        f"/api/v1/networks/{network['id']}/nodes", params={"limit": 1, "kind": "company"}
    ).json()
    return network["id"], {"CO": listed["items"][0]["id"]}


def test_a_large_network_is_never_sent_whole_and_says_what_it_left_out(
    world: World, client: TestClient, engine: Engine, big_network: tuple[int, dict[str, int]]
) -> None:
    network_id, ids = big_network
    person = signed_in(client, engine, world.analyst_a.user_id)
    base = f"/dashboard/networks/{network_id}"
    cap = graph_view.CAP

    default = person.get(f"{base}/graph.json").json()
    assert default["network_nodes"] == 3000 and 1 < default["shown"] <= cap
    assert default["left_out"] == 3000 - default["shown"] and default["notes"]
    assert default["title"].startswith(f"The {graph_view.CHAINS} riskiest chains")
    assert reaches_buyer(default, ids["CO"]) == {n["id"] for n in default["nodes"]}

    page = person.get(f"{base}/graph").text
    corridors = re.findall(r'<option value="([A-Z]{2}-[A-Z]{2})"', page)
    assert len(corridors) >= 2
    capped = 0
    for key in corridors:
        data = person.get(f"{base}/graph.json", params={"corridor": key}).json()
        assert data["shown"] == len(data["nodes"]) <= cap
        assert data["total"] >= data["shown"] and data["left_out"] == data["total"] - data["shown"]
        if data["left_out"]:
            capped += 1
            assert data["shown"] == cap
            assert data["notes"] == [
                f"Showing {cap} of {data['total']:,} nodes in this corridor, the riskiest "
                "chains first. Filter to a supplier to see all its chain."
            ]
            # Grown from the buyer: nothing shown hangs loose without its way down.
            assert reaches_buyer(data, ids["CO"]) == {n["id"] for n in data["nodes"]}
    assert capped, "the test network must have corridors larger than the cap"

    everything = person.get(f"{base}/graph.json", params={"supplier": "CO"}).json()
    assert everything["shown"] == cap and everything["total"] == 3000
    capped_page = person.get(f"{base}/graph", params={"supplier": "CO"}).text
    assert f"Showing {cap} of 3,000 nodes in the chain of" in capped_page
    assert capped_page.count('<tr>\n    <td><a href="/dashboard/networks/') == cap
