"""Graph queries on the hand-built network of ``sample.py``; every expected value is worked out
by hand from the diagram there."""

from __future__ import annotations

import networkx as nx
import pytest

from supplychain import analysis
from tests.builders import World, network_with, node_ids
from tests.supplychain.sample import EDGES, NODES


@pytest.fixture
def sample(world: World) -> tuple[int, dict[str, int]]:
    network = network_with(world.analyst_a, NODES, EDGES)
    return network["id"], node_ids(world.analyst_a, network["id"])


def test_effective_tiers_and_declared_mismatch(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, _ids = sample
    rows = world.viewer_a.get(f"/api/v1/networks/{network_id}/graph/tiers").json()["items"]
    tiers = {
        r["node"]["external_id"]: (r["declared_tier"], r["effective_tier"], r["mismatch"])
        for r in rows
    }
    assert tiers == {
        "S1": (1, 1, False),
        "S2": (1, 2, True),
        "S3": (3, 3, False),
        "S4": (None, None, False),
    }
    only = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/tiers", params={"mismatch_only": True}
    ).json()
    assert [r["node"]["external_id"] for r in only["items"]] == ["S2"]


def _chain_ids(body: dict) -> set[tuple[str, ...]]:
    return {tuple(n["external_id"] for n in chain["nodes"]) for chain in body["chains"]}


def test_recruitment_chains_into_the_company(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, _ids = sample
    body = world.viewer_a.get(f"/api/v1/networks/{network_id}/graph/chains").json()
    assert body["target"]["external_id"] == "CO"
    assert body["total"] == 3
    assert _chain_ids(body) == {
        ("SA", "OA", "DA", "S1", "CO"),
        ("IB", "DA", "S1", "CO"),
        ("DA2", "S2", "S1", "CO"),
    }
    by_head = {c["nodes"][0]["external_id"]: c for c in body["chains"]}
    assert by_head["SA"]["edge_kinds"] == ["refers_to", "refers_to", "recruits_for", "supplies"]
    assert (by_head["SA"]["origin"], by_head["SA"]["destination"]) == ("MM", "TH")
    assert by_head["SA"]["workers"] == 30  # the narrowest hop: 30 referred by the sub-agent
    assert (by_head["IB"]["origin"], by_head["IB"]["workers"]) == ("KH", 20)


def test_recruitment_chains_into_a_supplier(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, ids = sample
    into_s2 = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/chains", params={"target": ids["S2"]}
    ).json()
    assert _chain_ids(into_s2) == {("DA2", "S2")}
    limited = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/chains", params={"limit": 1}
    ).json()
    assert limited["total"] == 3 and len(limited["chains"]) == 1
    pages = [
        world.viewer_a.get(
            f"/api/v1/networks/{network_id}/graph/chains", params={"limit": 1, "offset": offset}
        ).json()
        for offset in (0, 1, 2, 3)
    ]
    heads = [tuple(n["external_id"] for n in p["chains"][0]["nodes"]) for p in pages[:3]]
    assert set(heads) == _chain_ids(
        world.viewer_a.get(f"/api/v1/networks/{network_id}/graph/chains").json()
    )
    assert pages[3]["chains"] == [] and pages[3]["total"] == 3 and pages[3]["offset"] == 3


def test_chains_are_counted_without_walking_them() -> None:
    """A ladder of n referral rungs, each a pair of parallel agents, has 2**n chains; the count
    is exact where walking them would take forever, and equals the walk on a small ladder."""

    def ladder(rungs: int) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        graph.add_node("CO", kind="company", country="GB")
        graph.add_node("S", kind="supplier", country="MY")
        graph.add_edge("S", "CO", kind="supplies")
        graph.add_node("R0", kind="recruiter", country="MY")
        graph.add_edge("R0", "S", kind="recruits_for", origin="NP", destination="MY")
        for rung in range(rungs):
            below, above = f"R{rung}", f"R{rung + 1}"
            graph.add_node(above, kind="recruiter", country="NP")
            for side in ("a", "b"):
                graph.add_node(f"{above}{side}", kind="recruiter", country="NP")
                graph.add_edge(above, f"{above}{side}", kind="refers_to", origin="NP")
                graph.add_edge(f"{above}{side}", below, kind="refers_to", origin="NP")
        return graph

    small = ladder(6)
    walked = list(analysis._predecessor_paths(small, "CO"))
    assert analysis.count_chains(small, "CO") == len(walked) == 2**6
    assert analysis.count_chains(ladder(200), "CO") == 2**200
    chains, total = analysis.recruitment_chains(ladder(200), "CO", limit=5, offset=10)
    assert total == 2**200 and len(chains) == 5


def test_chains_into_a_recruiter_are_refused(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, ids = sample
    response = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/chains", params={"target": ids["DA"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "target"


def test_corridor_summary(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, ids = sample
    rows = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/corridors", params={"sort": "-workers"}
    ).json()["items"]
    summary = [
        (r["origin"], r["destination"], r["workers"], r["recruiters"], r["employers"]) for r in rows
    ]
    # Workers are counted where they are placed, not again on the referrals behind them.
    assert summary == [("MM", "TH", 100, 3, 1), ("KH", "TH", 40, 3, 1), ("LA", "TH", 15, 0, 1)]
    assert rows[0]["origin_name"] == "Myanmar" and rows[2]["origin_name"] == "Lao PDR"
    assert set(rows[0]["recruiter_ids"]) == {ids["DA"], ids["OA"], ids["SA"]}
    assert set(rows[1]["recruiter_ids"]) == {ids["DA"], ids["DA2"], ids["IB"]}


def test_upstream_and_downstream(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, ids = sample
    up = world.viewer_a.get(f"/api/v1/networks/{network_id}/nodes/{ids['S1']}/upstream").json()
    assert up["total"] == 8
    up = up["items"]
    assert {(n["node"]["external_id"], n["depth"]) for n in up} == {
        ("S2", 1),
        ("DA", 1),
        ("S3", 2),
        ("DA2", 2),
        ("WG", 2),
        ("OA", 2),
        ("IB", 2),
        ("SA", 3),
    }
    near = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/nodes/{ids['S1']}/upstream", params={"depth": 1}
    ).json()["items"]
    assert {n["node"]["external_id"] for n in near} == {"S2", "DA"}
    down = world.viewer_a.get(f"/api/v1/networks/{network_id}/nodes/{ids['SA']}/downstream").json()
    down = down["items"]
    assert [(n["node"]["external_id"], n["depth"]) for n in down] == [
        ("OA", 1),
        ("DA", 2),
        ("S1", 3),
        ("CO", 4),
    ]


def test_statistics(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, _ids = sample
    stats = world.viewer_a.get(f"/api/v1/networks/{network_id}/graph/stats").json()
    assert stats["nodes"] == 11 and stats["edges"] == 9
    assert stats["nodes_by_kind"] == {
        "company": 1,
        "recruiter": 5,
        "supplier": 4,
        "worker_group": 1,
    }
    assert stats["recruiters_by_role"] == {
        "destination_agency": 2,
        "informal_broker": 1,
        "origin_agency": 1,
        "sub_agent": 1,
    }
    assert stats["edges_by_kind"] == {
        "employed_by": 1,
        "recruits_for": 2,
        "refers_to": 3,
        "supplies": 3,
    }
    assert stats["suppliers_by_effective_tier"] == {"1": 1, "2": 1, "3": 1, "unconnected": 1}
    assert stats["declared_tier_mismatches"] == 1
    assert stats["workers"] == 500 + 100 + 80 + 60
    assert stats["migrant_workers"] == 120 + 30 + 50
    assert stats["recruited_workers"] == 100 + 40 + 15
    assert stats["corridors"] == 3
    assert stats["longest_path_hops"] == 4  # SA -> OA -> DA -> S1 -> CO
    assert stats["components"] == 2  # S4 stands alone


def test_visibility_gaps(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, _ids = sample
    gaps = world.viewer_a.get(f"/api/v1/networks/{network_id}/graph/gaps").json()["items"]
    found = {(g["code"], g["node"]["external_id"]) for g in gaps}
    assert found == {
        ("unmapped_recruitment", "S3"),
        ("recruited_exceeds_declared", "S2"),  # 40 recruited + 15 employed directly > 30
        ("unlicensed_recruiter", "SA"),
        ("unlicensed_recruiter", "IB"),
        ("informal_broker_chain", "IB"),
        ("unconnected", "S4"),
        ("declared_tier_mismatch", "S2"),
    }
    only = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/gaps", params={"code": "unlicensed_recruiter"}
    ).json()["items"]
    assert {g["node"]["external_id"] for g in only} == {"SA", "IB"}
    first = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/gaps", params={"limit": 3}
    ).json()
    rest = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/gaps", params={"limit": 3, "offset": 3}
    ).json()
    assert first["total"] == rest["total"] == 7 and len(first["items"]) == 3
    assert len(rest["items"]) == 3 and not set(map(str, first["items"])) & set(
        map(str, rest["items"])
    )
    unknown = world.viewer_a.get(
        f"/api/v1/networks/{network_id}/graph/gaps", params={"code": "no_such_gap"}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "code"


def test_graph_is_rebuilt_when_the_network_changes(world: World, sample) -> None:  # type: ignore[no-untyped-def]
    network_id, _ids = sample
    url = f"/api/v1/networks/{network_id}"
    assert world.analyst_a.get(f"{url}/graph/stats").json()["edges"] == 9
    created = world.analyst_a.post(
        f"{url}/edges", json={"source": "S4", "target": "CO", "kind": "supplies"}
    )
    assert created.status_code == 201, created.text
    stats = world.analyst_a.get(f"{url}/graph/stats").json()
    assert stats["edges"] == 10
    assert stats["suppliers_by_effective_tier"] == {"1": 2, "2": 1, "3": 1}
