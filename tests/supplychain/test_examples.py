"""The example networks under ``examples/`` import cleanly and show what their READMEs promise.

Each example is a CSV pair uploaded through the API exactly as a user would; the counts,
corridors and deliberate visibility gaps asserted here are the ones listed in its README, so
the files, the docs and the graph queries cannot drift apart unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from api.cli import main as cli
from tests.builders import Actor, World, create_network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Expected:
    """What one example network must look like once imported."""

    folder: str
    nodes_by_kind: dict[str, int]
    recruiters_by_role: dict[str, int]
    edges_by_kind: dict[str, int]
    suppliers_by_effective_tier: dict[str, int]
    # (origin, destination) -> (workers, recruiters, employers)
    corridors: dict[tuple[str | None, str], tuple[int, int, int]]
    longest_path_hops: int
    gaps: dict[str, set[str]] = field(default_factory=dict)  # code -> node external ids

    @property
    def node_count(self) -> int:
        return sum(self.nodes_by_kind.values())

    @property
    def edge_count(self) -> int:
        return sum(self.edges_by_kind.values())


SEAFOOD = Expected(
    folder="seafood-thailand",
    nodes_by_kind={"company": 1, "recruiter": 25, "supplier": 13, "worker_group": 3},
    recruiters_by_role={
        "destination_agency": 7,
        "informal_broker": 4,
        "origin_agency": 7,
        "sub_agent": 7,
    },
    edges_by_kind={"employed_by": 3, "recruits_for": 14, "refers_to": 16, "supplies": 14},
    suppliers_by_effective_tier={"1": 2, "2": 7, "3": 4},
    corridors={
        ("MM", "TH"): (1587, 12, 9),
        ("KH", "TH"): (688, 9, 5),
        ("LA", "TH"): (190, 3, 2),
        (None, "TH"): (60, 1, 1),
    },
    longest_path_hops=5,
    gaps={
        "unmapped_recruitment": {"TH-SKN-SHED-TC"},
        "unlicensed_recruiter": {
            "TH-DA-ANDAMANCREW",
            "TH-SA-MAHACHAI",
            "TH-IB-SGK-BOAT",
            "MM-SA-MAWLAMYINE",
            "MM-SA-HPAAN",
            "MM-SA-DAWEI",
            "MM-IB-KAWTHAUNG",
            "KH-SA-PREYVENG",
            "KH-SA-KAMPONGCHAM",
            "KH-IB-SVAYRIENG",
            "KH-IB-POIPET",
            "LA-SA-SAVANNAKHET",
        },
        "informal_broker_chain": {"MM-IB-KAWTHAUNG", "KH-IB-SVAYRIENG"},
        "unconnected": {"MM-OA-GOLDENBRIDGE"},
        "unknown_corridor_origin": {"TH-DA-CHALONG"},
        "declared_tier_mismatch": {"TH-SGK-V-LH5"},
    },
)

ELECTRONICS = Expected(
    folder="electronics-malaysia",
    nodes_by_kind={"company": 1, "recruiter": 22, "supplier": 14, "worker_group": 3},
    recruiters_by_role={
        "destination_agency": 7,
        "informal_broker": 3,
        "origin_agency": 7,
        "sub_agent": 5,
    },
    edges_by_kind={"employed_by": 3, "recruits_for": 13, "refers_to": 17, "supplies": 14},
    suppliers_by_effective_tier={"1": 2, "2": 5, "3": 6, "unconnected": 1},
    corridors={
        ("NP", "MY"): (1710, 10, 6),
        ("BD", "MY"): (1440, 8, 3),
        ("ID", "MY"): (380, 3, 2),
        ("MM", "MY"): (370, 3, 3),
        (None, "MY"): (60, 1, 1),
    },
    longest_path_hops=8,
    gaps={
        "unmapped_recruitment": {"MY-SEL-KLANGCABLE"},
        "unlicensed_recruiter": {
            "MY-DA-KULIMOUTSOURCE",
            "NP-SA-JHAPA",
            "NP-SA-RUPANDEHI",
            "NP-IB-DHANUSHA",
            "BD-SA-COMILLA",
            "BD-SA-DHAKA",
            "BD-IB-TANGAIL",
            "BD-IB-DHAKA",
            "ID-SA-LOMBOK",
        },
        "informal_broker_chain": {"NP-IB-DHANUSHA", "BD-IB-TANGAIL"},
        "unconnected": {"MY-NSN-NILAICONN"},
        "unknown_corridor_origin": {"MY-DA-JOHORJAYA"},
        "declared_tier_mismatch": {"MY-SEL-RAWANGSTAMP"},
    },
)

ALL = pytest.mark.parametrize("expected", [SEAFOOD, ELECTRONICS], ids=lambda e: e.folder)


def _import_example(actor: Actor, expected: Expected) -> dict:
    """Upload the example's CSV pair as multipart fields, the way the web client does."""
    folder = EXAMPLES / expected.folder
    network = create_network(actor, expected.folder)
    response = actor.post(
        f"/api/v1/networks/{network['id']}/import",
        files={
            "nodes": ("nodes.csv", (folder / "nodes.csv").read_bytes()),
            "edges": ("edges.csv", (folder / "edges.csv").read_bytes()),
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["nodes"] == {
        "created": expected.node_count,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
    }
    assert result["edges"]["created"] == expected.edge_count
    return network


@ALL
def test_example_imports_with_the_documented_shape(world: World, expected: Expected) -> None:
    network = _import_example(world.analyst_a, expected)
    stats = world.viewer_a.get(f"/api/v1/networks/{network['id']}/graph/stats").json()
    assert stats["nodes"] == expected.node_count
    assert stats["edges"] == expected.edge_count
    assert stats["nodes_by_kind"] == expected.nodes_by_kind
    assert stats["recruiters_by_role"] == expected.recruiters_by_role
    assert stats["edges_by_kind"] == expected.edges_by_kind
    assert stats["suppliers_by_effective_tier"] == expected.suppliers_by_effective_tier
    assert stats["declared_tier_mismatches"] == 1
    assert stats["corridors"] == len(expected.corridors)
    assert stats["recruited_workers"] == sum(w for w, _r, _e in expected.corridors.values())
    assert stats["longest_path_hops"] == expected.longest_path_hops
    # The company's component plus the one node left unconnected on purpose.
    assert stats["components"] == 2


@ALL
def test_example_corridors(world: World, expected: Expected) -> None:
    network = _import_example(world.analyst_a, expected)
    rows = world.viewer_a.get(
        f"/api/v1/networks/{network['id']}/corridors", params={"sort": "-workers"}
    ).json()["items"]
    found = {
        (row["origin"], row["destination"]): (row["workers"], row["recruiters"], row["employers"])
        for row in rows
    }
    assert found == expected.corridors
    assert all(row["edges_without_workers"] == 0 for row in rows)
    # Sorted by workers, largest first.
    assert [row["workers"] for row in rows] == sorted(
        (w for w, _r, _e in found.values()), reverse=True
    )


@ALL
def test_example_reports_its_deliberate_gaps(world: World, expected: Expected) -> None:
    network = _import_example(world.analyst_a, expected)
    url = f"/api/v1/networks/{network['id']}/graph/gaps"
    gaps = world.viewer_a.get(url, params={"limit": 500}).json()["items"]
    found: dict[str, set[str]] = {}
    for gap in gaps:
        found.setdefault(gap["code"], set()).add(gap["node"]["external_id"])
    assert found == expected.gaps
    assert len(gaps) == sum(len(ids) for ids in expected.gaps.values())
    # Worker numbers are consistent by design: nothing recruited beyond what is declared.
    assert "recruited_exceeds_declared" not in found

    only = world.viewer_a.get(url, params={"code": "unmapped_recruitment"}).json()["items"]
    assert [g["node"]["external_id"] for g in only] == sorted(expected.gaps["unmapped_recruitment"])


@ALL
def test_readme_names_every_gap_node(expected: Expected) -> None:
    readme = (EXAMPLES / expected.folder / "README.md").read_text(encoding="utf-8")
    for code, ids in expected.gaps.items():
        assert f"`{code}`" in readme
        for ident in ids:
            assert f"`{ident}`" in readme, f"{ident} ({code}) missing from the README"


def test_seafood_broker_chain_has_depth_three(world: World) -> None:
    network = _import_example(world.analyst_a, SEAFOOD)
    base = f"/api/v1/networks/{network['id']}"
    ids = {
        n["external_id"]: n["id"]
        for n in world.viewer_a.get(f"{base}/nodes", params={"limit": 500}).json()["items"]
    }
    chains = world.viewer_a.get(f"{base}/graph/chains", params={"target": ids["TH-SGK-V-LH5"]})
    assert chains.status_code == 200, chains.text
    body = chains.json()
    assert body["total"] == 1
    chain = body["chains"][0]
    assert [n["external_id"] for n in chain["nodes"]] == [
        "KH-IB-SVAYRIENG",
        "KH-IB-POIPET",
        "TH-IB-SGK-BOAT",
        "TH-SGK-V-LH5",
    ]
    assert [n["role"] for n in chain["nodes"][:3]] == ["informal_broker"] * 3
    assert chain["edge_kinds"] == ["refers_to", "refers_to", "recruits_for"]
    assert (chain["origin"], chain["destination"], chain["workers"]) == ("KH", "TH", 10)


def test_electronics_longest_chains_run_from_a_village_dalal(world: World) -> None:
    head = ("BD-IB-TANGAIL", "BD-IB-DHAKA", "BD-SA-DHAKA", "BD-OA-JAMUNA", "MY-DA-LEMBAH")
    network = _import_example(world.analyst_a, ELECTRONICS)
    base = f"/api/v1/networks/{network['id']}"
    chains = world.viewer_a.get(f"{base}/graph/chains", params={"limit": 1000}).json()
    assert chains["total"] == len(chains["chains"])
    longest = max(len(c["nodes"]) for c in chains["chains"])
    assert longest == ELECTRONICS.longest_path_hops + 1
    deepest = {
        tuple(n["external_id"] for n in c["nodes"]): c
        for c in chains["chains"]
        if len(c["nodes"]) == longest
    }
    # Lembah Kelang places workers at the glove maker (whose chip-plant customer supplies both
    # tier-1 factories) and at the Rawang stamper; every deepest chain starts at the village
    # dalal, three unlicensed intermediaries before a licensed agency.
    assert set(deepest) == {
        (*head, "MY-SEL-NITRILE", "MY-KDH-KULIMSEMI", "MY-PEN-BAYANLEPAS", "CO-AURELIA"),
        (*head, "MY-SEL-NITRILE", "MY-KDH-KULIMSEMI", "MY-JHR-SENAI", "CO-AURELIA"),
        (*head, "MY-SEL-RAWANGSTAMP", "MY-SEL-SHAHALAMPLASTIC", "MY-JHR-SENAI", "CO-AURELIA"),
    }
    glove = deepest[
        (*head, "MY-SEL-NITRILE", "MY-KDH-KULIMSEMI", "MY-PEN-BAYANLEPAS", "CO-AURELIA")
    ]
    assert (glove["origin"], glove["destination"], glove["workers"]) == ("BD", "MY", 40)


@ALL
def test_example_imports_from_the_shell(
    database_url: str, expected: Expected, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = EXAMPLES / expected.folder
    db = ["--database-url", database_url]
    assert cli(["import", str(folder), "--new", expected.folder, "--organisation", "Ex", *db]) == 0
    out = capsys.readouterr().out
    assert f"nodes: {expected.node_count} created" in out
    assert f"edges: {expected.edge_count} created" in out
