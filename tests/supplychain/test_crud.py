"""Networks, nodes and edges one at a time, with the same rules as the bulk import."""

from __future__ import annotations

from tests.builders import World, create_network, network_with, node_ids
from tests.supplychain.sample import EDGES, NODES


def test_network_lifecycle_and_versions(world: World) -> None:
    created = create_network(world.analyst_a, "Seafood 2026", description="Thai sourcing")
    assert created["organisation_id"] == world.org_a and created["version"] == 1
    url = f"/api/v1/networks/{created['id']}"
    updated = world.analyst_a.patch(url, json={"description": "Thai and Vietnamese sourcing"})
    assert updated.json()["version"] == 2
    assert (
        world.analyst_a.post("/api/v1/networks", json={"name": "Seafood 2026"}).status_code == 409
    )
    listing = world.viewer_a.get("/api/v1/networks", params={"q": "seafood"}).json()
    assert [n["name"] for n in listing["items"]] == ["Seafood 2026"]
    assert world.analyst_a.delete(url).status_code == 204
    assert world.analyst_a.get(url).status_code == 404


def test_admin_creates_networks_for_an_organisation(world: World) -> None:
    made = world.admin.post("/api/v1/networks", json={"name": "N", "organisation_id": world.org_b})
    assert made.status_code == 201 and made.json()["organisation_id"] == world.org_b
    assert world.analyst_b.get(f"/api/v1/networks/{made.json()['id']}").status_code == 200
    refused = world.analyst_a.post(
        "/api/v1/networks", json={"name": "N", "organisation_id": world.org_b}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "organisation_id"


def test_organisation_isolation_on_every_network_route(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    ids = node_ids(world.analyst_a, network["id"])
    edge_id = world.analyst_a.get(f"/api/v1/networks/{network['id']}/edges").json()["items"][0][
        "id"
    ]
    base = f"/api/v1/networks/{network['id']}"
    reads = [
        base,
        f"{base}/nodes",
        f"{base}/nodes/{ids['S1']}",
        f"{base}/edges",
        f"{base}/edges/{edge_id}",
        f"{base}/export",
        f"{base}/graph/stats",
        f"{base}/graph/tiers",
        f"{base}/graph/chains",
        f"{base}/graph/gaps",
        f"{base}/corridors",
        f"{base}/nodes/{ids['S1']}/upstream",
    ]
    for url in reads:
        assert world.analyst_b.get(url).status_code == 404, url
        assert world.viewer_a.get(url).status_code == 200, url
    writes = [
        ("PATCH", base, {"name": "x"}),
        ("DELETE", base, None),
        (
            "POST",
            f"{base}/nodes",
            {"external_id": "X", "kind": "supplier", "name": "X", "country": "TH"},
        ),
        ("PATCH", f"{base}/nodes/{ids['S1']}", {"name": "x"}),
        ("DELETE", f"{base}/nodes/{ids['S1']}", None),
        ("POST", f"{base}/edges", {"source": "S4", "target": "CO", "kind": "supplies"}),
        ("PATCH", f"{base}/edges/{edge_id}", {"workers": 1}),
        ("DELETE", f"{base}/edges/{edge_id}", None),
    ]
    for method, url, body in writes:
        assert world.analyst_b.request(method, url, json=body).status_code == 404, url
        assert world.viewer_a.request(method, url, json=body).status_code == 403, url
    assert world.analyst_b.get("/api/v1/networks").json()["total"] == 0
    assert world.admin.get(base).status_code == 200


def test_node_crud_and_filters(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    base = f"/api/v1/networks/{network['id']}/nodes"
    created = world.analyst_a.post(
        base,
        json={
            "external_id": "R9",
            "kind": "recruiter",
            "name": "Dhaka Overseas",
            "country": "BGD",
            "role": "origin_agency",
            "licence": "RL-1234",
            "licence_country": "Bangladesh",
            "attributes": {"district": "Dhaka"},
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["country"] == "BD" and created.json()["licence_country"] == "BD"
    assert (
        world.analyst_a.post(
            base, json={"external_id": "R9", "kind": "supplier", "name": "x", "country": "TH"}
        ).status_code
        == 409
    )

    def listed(**params: object) -> list[str]:
        body = world.viewer_a.get(base, params=params).json()
        return sorted(n["external_id"] for n in body["items"])

    assert listed(kind="recruiter") == ["DA", "DA2", "IB", "OA", "R9", "SA"]
    assert listed(kind="recruiter", country="MM") == ["OA", "SA"]
    assert listed(role="destination_agency") == ["DA", "DA2"]
    assert listed(sector="seafood_processing") == ["S1", "S2"]
    assert listed(tier=3) == ["S3"]
    assert listed(q="peeling") == ["S2"]
    assert listed(external_id="WG") == ["WG"]
    page = world.viewer_a.get(base, params={"limit": 5, "offset": 10}).json()
    assert page["total"] == 12 and len(page["items"]) == 2

    node_id = created.json()["id"]
    patched = world.analyst_a.patch(f"{base}/{node_id}", json={"name": "Dhaka Overseas Ltd"})
    assert patched.json()["name"] == "Dhaka Overseas Ltd"
    assert patched.json()["role"] == "origin_agency"  # untouched fields stay
    bad = world.analyst_a.patch(f"{base}/{node_id}", json={"country": "Gondor"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "country"
    assert world.analyst_a.delete(f"{base}/{node_id}").status_code == 204
    assert world.viewer_a.get(f"{base}/{node_id}").status_code == 404


def test_node_rules_through_the_api(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    base = f"/api/v1/networks/{network['id']}/nodes"
    ids = node_ids(world.analyst_a, network["id"])
    second_company = world.analyst_a.post(
        base, json={"external_id": "CO2", "kind": "company", "name": "Other", "country": "US"}
    )
    assert second_company.status_code == 422
    no_role = world.analyst_a.post(
        base, json={"external_id": "R", "kind": "recruiter", "name": "R", "country": "TH"}
    )
    assert no_role.json()["errors"][0]["field"] == "role"
    unknown = world.analyst_a.post(
        base,
        json={"external_id": "R", "kind": "recruiter", "name": "R", "country": "TH", "colour": 1},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"
    # DA recruits for S1: it cannot become a supplier while that edge exists.
    change = world.analyst_a.patch(
        f"{base}/{ids['DA']}", json={"kind": "supplier", "role": None, "licence": None}
    )
    assert change.status_code == 422
    assert "recruits_for" in change.json()["errors"][0]["message"]


def test_edge_crud_and_rules(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    ids = node_ids(world.analyst_a, network["id"])
    base = f"/api/v1/networks/{network['id']}/edges"
    made = world.analyst_a.post(base, json={"source": "S4", "target": "S3", "kind": "supplies"})
    assert made.status_code == 201
    assert (made.json()["source_id"], made.json()["target_id"]) == (ids["S4"], ids["S3"])
    assert (
        world.analyst_a.post(
            base, json={"source": "S4", "target": "S3", "kind": "supplies"}
        ).status_code
        == 409
    )
    cycle = world.analyst_a.post(base, json={"source": "DA", "target": "SA", "kind": "refers_to"})
    assert cycle.status_code == 422 and "leads back" in cycle.json()["errors"][0]["message"]
    supply_cycle = world.analyst_a.post(
        base, json={"source": "CO", "target": "S1", "kind": "supplies"}
    )
    assert supply_cycle.status_code == 422
    wrong_kind = world.analyst_a.post(
        base, json={"source": "DA", "target": "CO", "kind": "supplies"}
    )
    assert wrong_kind.json()["errors"][0]["field"] == "kind"
    missing = world.analyst_a.post(base, json={"source": "ZZ", "target": "CO", "kind": "supplies"})
    assert missing.json()["errors"][0]["field"] == "source"
    listed = world.viewer_a.get(base, params={"kind": "refers_to", "target_id": ids["DA"]}).json()
    assert sorted(e["source"] for e in listed["items"]) == ["IB", "OA"]
    corridor = world.viewer_a.get(base, params={"origin": "KH"}).json()
    assert sorted(e["source"] for e in corridor["items"]) == ["DA2", "IB"]
    edge_id = made.json()["id"]
    patched = world.analyst_a.patch(f"{base}/{edge_id}", json={"share": 0.25})
    assert patched.json()["share"] == 0.25
    assert world.analyst_a.patch(f"{base}/{edge_id}", json={"share": 2}).status_code == 422
    assert world.analyst_a.delete(f"{base}/{edge_id}").status_code == 204
    assert world.viewer_a.get(f"{base}/{edge_id}").status_code == 404


def test_deleting_a_node_removes_its_edges(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    ids = node_ids(world.analyst_a, network["id"])
    url = f"/api/v1/networks/{network['id']}"
    before = world.viewer_a.get(f"{url}").json()["version"]
    assert world.analyst_a.delete(f"{url}/nodes/{ids['DA']}").status_code == 204
    assert world.viewer_a.get(f"{url}/edges").json()["total"] == len(EDGES) - 3
    assert world.viewer_a.get(url).json()["version"] == before + 1
