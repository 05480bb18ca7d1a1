"""Scores through HTTP on the seafood example: chains, caching, corridors, settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.cli import main as cli
from questionnaires.library import library_document
from scoring.compliance import compliance_score
from tests.builders import Actor, World, create_network, node_ids
from tests.scoring.builders import best_answers

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seafood-thailand"
# New assignments get the latest published version (v1 assessments stay on v1).
RECRUITER_SAQ = library_document("recruiter-saq", 2)
FEES_PAID = {
    "FEE_02": "yes",
    "FEE_03": ["fee", "med"],
    "FEE_04": 1_500_000,
    "FEE_05": "mmk",
    "FEE_06": 715,
    "FEE_07": 150,
    "FEE_08": "none",
}


def seafood(actor: Actor) -> tuple[int, dict[str, int]]:
    network = create_network(actor, "Thai seafood")
    with (EXAMPLE / "nodes.csv").open("rb") as nodes, (EXAMPLE / "edges.csv").open("rb") as edges:
        response = actor.post(
            f"/api/v1/networks/{network['id']}/import",
            files={
                "nodes": ("nodes.csv", nodes, "text/csv"),
                "edges": ("edges.csv", edges, "text/csv"),
            },
        )
    assert response.status_code == 200, response.text
    return network["id"], node_ids(actor, network["id"])


def answered(
    actor: Actor, network_id: int, node_id: int, answers: dict[str, Any], *, accept: bool = True
) -> int:
    """Assign recruiter-saq, answer on the respondent's behalf, submit, optionally accept."""
    base = f"/api/v1/networks/{network_id}/assessments"
    created = actor.post(base, json={"node_id": node_id})
    assert created.status_code == 201, created.text
    assessment = created.json()["id"]
    saved = actor.put(f"{base}/{assessment}/answers", json={"answers": answers})
    assert saved.status_code == 200, saved.text
    assert actor.post(f"{base}/{assessment}/submit").status_code == 200
    if accept:
        reviewed = actor.post(f"{base}/{assessment}/review", json={"decision": "accept"})
        assert reviewed.status_code == 200, reviewed.text
    return assessment


def test_a_sub_agent_charging_fees_puts_a_critical_chain_under_the_company(world: World) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    company, sub_agent = ids["CO-TIDEWELL"], ids["MM-SA-HPAAN"]
    before = analyst.get(f"/api/v1/networks/{network_id}/scores").json()
    assert before["company"]["critical_chain"] is False
    assert before["total"] == 42
    assert before["bands"]["critical"] == 0

    answered(analyst, network_id, sub_agent, best_answers(RECRUITER_SAQ, **FEES_PAID))
    after = analyst.get(f"/api/v1/networks/{network_id}/scores").json()
    assert after["company"]["exposure_band"] == "critical"
    assert after["bands"]["critical"] == 1
    worst = after["items"][0]
    assert (worst["external_id"], worst["band"]) == ("MM-SA-HPAAN", "critical")
    assert worst["red_flags"] == ["RF_WORKER_PAID_FEES"]

    explained = analyst.get(f"/api/v1/networks/{network_id}/nodes/{company}/score").json()
    assert [s["external_id"] for s in explained["critical_chain"]] == [
        "MM-SA-HPAAN",
        "MM-OA-SHWEPYI",
        "TH-DA-GOLDENWAVE",
        "TH-SKN-OCEAN",
        "CO-TIDEWELL",
    ]
    assert explained["critical_chain"][0]["red_flags"] == ["RF_WORKER_PAID_FEES"]
    assert explained["node"]["exposure_band"] == "critical"
    # The employer placed by that chain shows it too; an unrelated supplier does not.
    scores = {
        s["external_id"]: s
        for s in analyst.get(f"/api/v1/networks/{network_id}/scores", params={"limit": 100}).json()[
            "items"
        ]
    }
    assert scores["TH-SKN-OCEAN"]["critical_chain"] is True
    assert scores["TH-SGK-BAY"]["critical_chain"] is False

    flagged = analyst.get(f"/api/v1/networks/{network_id}/nodes/{sub_agent}/score").json()
    assert flagged["compliance"]["provisional"] is False
    assert flagged["compliance"]["questionnaire"] == "recruiter-saq v2"
    red_flag = flagged["compliance"]["red_flags"][0]
    assert (red_flag["code"], red_flag["question_id"], red_flag["answer"]) == (
        "RF_WORKER_PAID_FEES",
        "FEE_02",
        "yes",
    )
    assert "iris:1" in red_flag["evidences"]
    assert flagged["node"]["risk"] >= 75
    assert flagged["licensed"] is True  # best answers say a licence is held
    components = {c["name"]: c for c in flagged["components"]}
    assert components["role"]["risk"] == 70.0
    myanmar = components["country"]["figures"][0]
    assert myanmar["value"] == "3" and myanmar["year"] == 2025  # TIP tier 3
    assert "reference_overrides" in flagged and flagged["reference_overrides"] == []


def test_a_submitted_assessment_scores_provisionally_until_accepted(world: World) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    agency = ids["TH-DA-GOLDENWAVE"]
    unassessed = analyst.get(f"/api/v1/networks/{network_id}/nodes/{agency}/score").json()
    assert unassessed["compliance"] is None
    gap = next(c for c in unassessed["components"] if c["name"] == "data_gap")
    assert gap["risk"] == 100.0

    answers = best_answers(RECRUITER_SAQ)
    assessment = answered(analyst, network_id, agency, answers, accept=False)
    provisional = analyst.get(f"/api/v1/networks/{network_id}/nodes/{agency}/score").json()
    assert provisional["node"]["provisional"] is True
    expected = compliance_score(RECRUITER_SAQ, answers).score
    assert expected is not None and expected > 90
    assert provisional["compliance"]["score"] == expected
    gap = next(c for c in provisional["components"] if c["name"] == "data_gap")
    assert gap["risk"] == 35.0 and "provisional" in gap["reason"]

    analyst.post(
        f"/api/v1/networks/{network_id}/assessments/{assessment}/review",
        json={"decision": "accept"},
    )
    accepted = analyst.get(f"/api/v1/networks/{network_id}/nodes/{agency}/score").json()
    assert accepted["node"]["provisional"] is False
    assert accepted["node"]["risk"] < provisional["node"]["risk"]


def test_scores_filter_sort_and_paginate(world: World) -> None:
    analyst = world.analyst_a
    network_id, _ids = seafood(analyst)
    url = f"/api/v1/networks/{network_id}/scores"
    recruiters = analyst.get(url, params={"kind": "recruiter", "limit": 500}).json()
    assert recruiters["total"] == 25
    order = {"low": 0, "medium": 1, "high": 2, "critical": 3}
    ranks = [(order[r["band"]], r["risk"]) for r in recruiters["items"]]
    assert ranks == sorted(ranks, reverse=True)
    by_name = analyst.get(url, params={"sort": "name", "limit": 3}).json()["items"]
    assert [r["name"] for r in by_name] == sorted(r["name"] for r in by_name)
    burmese = analyst.get(url, params={"country": "mm", "limit": 500}).json()
    assert burmese["total"] > 0 and {r["country"] for r in burmese["items"]} == {"MM"}
    high = analyst.get(url, params={"band": "high", "limit": 500}).json()
    assert all(r["band"] == "high" for r in high["items"])
    assert high["total"] == high["bands"]["high"]
    page = analyst.get(url, params={"limit": 5, "offset": 40}).json()
    assert len(page["items"]) == 2 and page["total"] == 42
    assert analyst.get(url, params={"sort": "colour"}).status_code == 422
    assert analyst.get(url, params={"band": "severe"}).status_code == 422


def test_corridors_carry_risk_and_cost_data(world: World) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["TH-DA-GOLDENWAVE"], best_answers(RECRUITER_SAQ, **FEES_PAID))
    corridors = analyst.get(f"/api/v1/networks/{network_id}/corridors").json()["items"]
    by_key = {(c["origin"], c["destination"]): c for c in corridors}
    myanmar = by_key[("MM", "TH")]
    assert myanmar["workers"] == 1587
    assert myanmar["band"] == "critical"
    assert ids["TH-DA-GOLDENWAVE"] in myanmar["critical_recruiter_ids"]
    assert myanmar["reported_fees"] == [
        {
            "node_id": ids["TH-DA-GOLDENWAVE"],
            "amount_usd": 715.0,
            "amount_local": 1500000.0,
            "currency": "MMK",
            "workers_charged": 150,
        }
    ]
    assert myanmar["reported_median_usd"] == 715.0
    assert corridors[0]["origin"] == "MM"  # worst first
    cambodia = by_key[("KH", "TH")]
    assert cambodia["reference_costs"], "KH->TH has survey-based estimates in scoring/data"
    assert all(f["estimate"] for f in cambodia["reference_costs"])
    assert cambodia["worker_weighted_risk"] is not None


def test_scores_follow_network_changes(world: World) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    url = f"/api/v1/networks/{network_id}/nodes/{ids['TH-DA-GOLDENWAVE']}/score"
    before = analyst.get(url).json()["node"]["risk"]
    patched = analyst.patch(
        f"/api/v1/networks/{network_id}/nodes/{ids['TH-DA-GOLDENWAVE']}", json={"licence": None}
    )
    assert patched.status_code == 200, patched.text
    after = analyst.get(url).json()
    assert after["licensed"] is False
    assert after["node"]["risk"] > before


def test_country_overrides_and_weights_change_scores_within_bounds(world: World) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    url = f"/api/v1/networks/{network_id}/nodes/{ids['TH-SKN-OCEAN']}/score"
    before = analyst.get(url).json()

    override = analyst.put(
        "/api/v1/reference/countries/Thailand",
        json={"tip_tier": "3", "source": "Our 2026 country review"},
    )
    assert override.status_code == 200, override.text
    assert override.json()["origin"] == "organisation"
    assert override.json()["tip_tier"] == "3"
    after = analyst.get(url).json()
    assert after["node"]["inherent"] > before["node"]["inherent"]
    assert after["reference_overrides"] == ["TH: tip_tier from the organisation's own ratings"]
    figure = next(c for c in after["components"] if c["name"] == "country")["figures"][0]
    assert figure["source"] == "Organisation override: Our 2026 country review"
    # Another organisation keeps the shipped figures.
    thai = next(
        c for c in world.analyst_b.get("/api/v1/reference/countries").json() if c["iso2"] == "TH"
    )
    assert (thai["tip_tier"], thai["origin"]) == ("2", "shipped")
    assert analyst.delete("/api/v1/reference/countries/TH").status_code == 204
    assert analyst.get(url).json()["node"]["inherent"] == before["node"]["inherent"]

    refused = analyst.put(
        "/api/v1/scoring/profile", json={"weights": {"combine.compliance": 0.95, "shoe": 1}}
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == [
        "weights.combine.compliance",
        "weights.shoe",
    ]
    adjusted = analyst.put("/api/v1/scoring/profile", json={"weights": {"propagation.decay": 0.5}})
    assert adjusted.status_code == 200
    assert adjusted.json()["profile"]["decay"] == 0.5
    assert adjusted.json()["bounds"]["propagation.decay"] == [0.5, 1.0]
    company = analyst.get(f"/api/v1/networks/{network_id}/nodes/{ids['CO-TIDEWELL']}/score")
    assert company.json()["profile"]["adjusted_by"] is not None
    assert world.viewer_a.put("/api/v1/scoring/profile", json={"weights": {}}).status_code == 403
    assert (
        analyst.put(
            "/api/v1/reference/countries/Atlantis", json={"tip_tier": "1", "source": "none"}
        ).status_code
        == 404
    )


def test_scores_are_private_to_the_organisation(world: World) -> None:
    network_id, ids = seafood(world.analyst_a)
    for url in (
        f"/api/v1/networks/{network_id}/scores",
        f"/api/v1/networks/{network_id}/corridors",
        f"/api/v1/networks/{network_id}/nodes/{ids['CO-TIDEWELL']}/score",
    ):
        assert world.analyst_b.get(url).status_code == 404
        assert world.viewer_a.get(url).status_code == 200
    assert (
        world.analyst_a.get(f"/api/v1/networks/{network_id}/nodes/999999/score").status_code == 404
    )


def test_cli_prints_the_riskiest_nodes_and_writes_json(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ, **FEES_PAID))
    output = tmp_path / "scores.json"
    code = cli(
        [
            "scores",
            "--network",
            str(network_id),
            "--top",
            "3",
            "--json",
            str(output),
            "--database-url",
            database_url,
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Company exposure:" in printed and "(critical)" in printed
    assert (
        "Critical chain: Hpa-An village sub-agent -> Shwe Pyi Overseas Employment Agency -> "
        in printed
    )
    table = printed.splitlines()
    header = next(i for i, line in enumerate(table) if line.startswith("band"))
    first_row = table[header + 1]
    assert first_row.startswith("critical") and first_row.endswith("[RF_WORKER_PAID_FEES]")
    document = json.loads(output.read_text(encoding="utf-8"))
    assert len(document["nodes"]) == 42
    assert document["nodes"][0]["external_id"] == "MM-SA-HPAAN"
    assert {c["origin"] for c in document["corridors"]} >= {"MM", "KH", "LA"}
    assert cli(["scores", "--network", "999", "--database-url", database_url]) == 1
