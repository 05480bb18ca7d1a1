"""The recruiter registry: one entry per licence shared by every buyer's network, name
matches offered but never merged, curated by programme staff with a history of who and why,
and proposals from organisations."""

from __future__ import annotations

import pytest

from supplychain.registry.matching import licence_key, name_key, similarity
from tests.builders import Actor, World, edge, network_with, node

SQLITE_ONLY = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
HIMAL = {
    "legal_name": "Himal Manpower Pvt. Ltd.",
    "country": "NP",
    "licence_number": "DoFE-1234/067",
    "licensing_authority": "Department of Foreign Employment (Nepal)",
    "licence_status": "valid",
    "licence_valid_until": "2027-07-15",
    "iris_status": "pledged",
    "commitments": [{"name": "Employer Pays pledge", "date": "2026-03-01"}],
    "reason": "Illustrative entry for the tests (not a real agency)",
}


def test_licences_and_names_are_keyed_as_people_write_them() -> None:
    assert licence_key("DoFE-1234/067") == licence_key("dofe 1234 067") == "DOFE1234067"
    assert licence_key(" - ") is None and licence_key(None) is None
    assert name_key("Himal Manpower Pvt. Ltd.") == name_key("HIMAL  MANPOWER") == "himal manpower"
    assert name_key("Sdn Bhd") == "sdn bhd"  # nothing but legal forms: kept as it is
    assert name_key("Agência São Paulo Ltda") == "agencia sao paulo ltda"
    assert similarity("himal manpower", "himal man power") == 0.97
    assert similarity("himal manpower", "padma overseas") < 0.5


def network_of(actor: Actor, recruiter: dict, name: str, *others: dict) -> int:
    nodes = [node("C", "company", "Buyer", country="GB"), recruiter, *others]
    edges = [edge(n["id"], "C", "recruits_for") for n in (recruiter, *others)]
    return int(network_with(actor, nodes, edges, name)["id"])


def test_two_buyers_share_one_entry_by_licence_and_a_name_alone_is_only_a_suggestion(
    world: World,
) -> None:
    # Two organisations work with the same agency, its licence written two ways.
    net_a = network_of(
        world.analyst_a,
        node("R1", "recruiter", "Himal Manpower", country="NP", role="origin_agency",
             licence="DoFE-1234/067"),
        "A",
        # A near name without a licence: offered, never linked.
        node("R2", "recruiter", "Himal Man Power", country="NP", role="sub_agent"),
    )  # fmt: skip
    net_b = network_of(
        world.analyst_b,
        node("HM", "recruiter", "HIMAL MANPOWER PVT LTD", country="NP", role="origin_agency",
             licence="dofe 1234 067", licence_country="NP"),
        "B",
    )  # fmt: skip
    assert world.analyst_a.post("/api/v1/registry/recruiters", json=HIMAL).status_code == 403
    created = world.admin.post("/api/v1/registry/recruiters", json=HIMAL)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["country"], entry["licence_status"], entry["version"]) == ("NP", "valid", 1)
    again = world.admin.post(
        "/api/v1/registry/recruiters", json={**HIMAL, "licence_number": "DOFE 1234-067"}
    )
    assert again.status_code == 409 and f"already entry {entry['id']}" in again.text

    # Both licence holders were linked as the entry was created, in both networks.
    for actor, network_id, ident in (
        (world.analyst_a, net_a, "R1"),
        (world.analyst_b, net_b, "HM"),
    ):
        linked = actor.get(f"/api/v1/networks/{network_id}/registry/links").json()
        assert [
            (link["node_external_id"], link["profile"]["id"], link["kind"]) for link in linked
        ] == [(ident, entry["id"], "licence")]
    match = world.analyst_a.post(f"/api/v1/networks/{net_a}/registry/match").json()
    assert match == {
        "recruiters": 2, "linked": 1, "newly_linked": 0, "suggestions_open": 1, "unmatched": 1
    }  # fmt: skip
    offered = world.analyst_a.get(f"/api/v1/networks/{net_a}/registry/suggestions").json()
    assert [(s["node_external_id"], s["profile"]["id"], s["similarity"]) for s in offered] == [
        ("R2", entry["id"], 0.97)
    ]
    # Another organisation cannot see or decide this network's suggestion.
    url = f"/api/v1/networks/{net_a}/registry/suggestions/{offered[0]['id']}"
    assert world.analyst_b.post(f"{url}/accept").status_code == 404
    assert world.viewer_a.post(f"{url}/accept").status_code == 403
    rejected = world.analyst_a.post(f"{url}/reject")
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert world.analyst_a.post(f"{url}/accept").status_code == 409
    # Rejected is never offered again, and still not linked.
    rematch = world.analyst_a.post(f"/api/v1/networks/{net_a}/registry/match").json()
    assert (rematch["linked"], rematch["suggestions_open"]) == (1, 0)
    # Neither buyer's view of the entry names the other: the entry holds no organisation.
    seen_by_b = world.analyst_b.get(f"/api/v1/registry/recruiters/{entry['id']}").json()
    assert "Org A" not in str(seen_by_b) and "organisation" not in str(seen_by_b)


def test_an_accepted_suggestion_links_the_node(world: World) -> None:
    world.admin.post("/api/v1/registry/recruiters", json=HIMAL)
    net = network_of(
        world.analyst_a,
        node(
            "R9", "recruiter", "Himal Manpower Private Limited", country="NP", role="origin_agency"
        ),
        "A",
    )
    world.analyst_a.post(f"/api/v1/networks/{net}/registry/match")
    offered = world.analyst_a.get(f"/api/v1/networks/{net}/registry/suggestions").json()
    assert [s["similarity"] for s in offered] == [1.0]
    accepted = world.analyst_a.post(
        f"/api/v1/networks/{net}/registry/suggestions/{offered[0]['id']}/accept"
    )
    assert accepted.status_code == 200, accepted.text
    links = world.analyst_a.get(f"/api/v1/networks/{net}/registry/links").json()
    assert [(link["node_external_id"], link["kind"]) for link in links] == [("R9", "accepted")]


@SQLITE_ONLY
def test_changes_keep_who_and_why_and_proposals_wait_for_programme_staff(world: World) -> None:
    entry = world.admin.post("/api/v1/registry/recruiters", json=HIMAL).json()
    url = f"/api/v1/registry/recruiters/{entry['id']}"
    assert world.admin.patch(url, json={"licence_status": "expired"}).status_code == 422  # no why
    changed = world.admin.patch(
        url,
        json={"licence_status": "expired", "reason": "Authority list of 2026-11 (illustrative)"},
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    same = world.admin.patch(url, json={"licence_status": "expired", "reason": "again"})
    assert same.status_code == 422 and "Nothing would change" in same.text

    # An organisation proposes a correction; nothing changes until programme staff accept.
    proposal = world.analyst_a.post(
        "/api/v1/registry/proposals",
        json={"profile_id": entry["id"], "fields": {"address": "Kathmandu 44600"},
              "reason": "Address on the agency's letterhead"},
    )  # fmt: skip
    assert proposal.status_code == 201, proposal.text
    assert world.analyst_a.get(url).json()["address"] == ""
    mine = world.analyst_a.get("/api/v1/registry/proposals").json()
    assert [p["id"] for p in mine] == [proposal.json()["id"]]
    assert world.analyst_b.get("/api/v1/registry/proposals").json() == []
    decide = f"/api/v1/registry/proposals/{proposal.json()['id']}/decision"
    assert world.analyst_a.post(decide, json={"decision": "accept"}).status_code == 403
    done = world.admin.post(decide, json={"decision": "accept", "note": "checked by phone"})
    assert done.status_code == 200 and done.json()["state"] == "accepted"
    assert world.admin.post(decide, json={"decision": "accept"}).status_code == 409
    assert world.analyst_a.get(url).json()["address"] == "Kathmandu 44600"

    history = world.admin.get(f"{url}/history").json()
    assert [(h["action"], sorted(h["changes"])) for h in history] == [
        ("created", sorted(k for k in HIMAL if k != "reason")),
        ("updated", ["licence_status"]),
        ("proposal_accepted", ["address"]),
    ]
    assert history[1]["changes"]["licence_status"] == ["valid", "expired"]
    assert history[2]["reason"] == "Address on the agency's letterhead (decision: checked by phone)"
    assert history[0]["user"] == "admin.1@example.org"
    # An organisation sees why, not which staff member.
    assert {h["user"] for h in world.analyst_b.get(f"{url}/history").json()} == {"programme staff"}

    # A proposed new entry must be a whole one.
    bad = world.analyst_a.post(
        "/api/v1/registry/proposals", json={"fields": {"address": "x"}, "reason": "new agency"}
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["fields.legal_name", "fields.country"]
    found = world.analyst_b.get("/api/v1/registry/recruiters", params={"licence": "dofe1234067"})
    assert [e["id"] for e in found.json()["items"]] == [entry["id"]]
    assert (
        world.analyst_b.get("/api/v1/registry/recruiters", params={"q": "himal"}).json()["total"]
        == 1
    )
