"""The recruiter registry: one entry per licence shared by every buyer's network, name
matches offered but never merged, curated by programme staff with a history of who and why,
and proposals from organisations."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from questionnaires import service
from questionnaires.models import QuestionnaireRecord
from supplychain.registry.matching import licence_key, name_key, similarity
from tests.builders import Actor, World, edge, network_with, node, node_ids
from tests.questionnaires.builders import assign, complete_answers
from tests.web.sessions import csrf_of, signed_in

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


@SQLITE_ONLY
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


SAMPLE = Path(__file__).parents[2] / "examples" / "licence-lists" / "np-licences-illustrative.csv"
THEIR_HEADERS = {
    "licence_number": "Licence No.",
    "name": "Agency",
    "status": "Status",
    "valid_until": "Expiry",
}


def import_sample(actor: Actor, **fields: object) -> httpx.Response:
    return actor.post(
        "/api/v1/registry/licence-lists",
        files={"file": ("np-licences-illustrative.csv", SAMPLE.read_bytes(), "text/csv")},
        data={
            "authority": "Department of Foreign Employment (Nepal)",
            "country": "NP",
            "published_on": "2026-11-20",
            "source": "examples/licence-lists (illustrative sample, not the real list)",
            "illustrative": "true",
            "mapping": json.dumps(THEIR_HEADERS),
            **fields,
        },
    )


def licence_findings(actor: Actor, network_id: int) -> dict[str, tuple[str, str]]:
    found = actor.get(f"/api/v1/networks/{network_id}/findings", params={"limit": 500}).json()
    external = {ident: key for key, ident in node_ids(actor, network_id).items()}
    return {
        external[f["node_id"]]: (f["code"], f["detail"])
        for f in found["items"]
        if f["code"].startswith("LICENCE_")
    }


def test_an_authority_list_marks_a_licence_expired_in_every_buyers_network(world: World) -> None:
    himal = {"country": "NP", "role": "origin_agency", "licence": "DoFE-1234/067"}
    net_a = network_of(
        world.analyst_a,
        node("R1", "recruiter", "Himal Manpower", **himal),
        "A",
        node("R2", "recruiter", "Everest Overseas", country="NP", role="origin_agency",
             licence="dofe 2001 070"),
        node("R3", "recruiter", "Unknown Agency", country="NP", role="sub_agent",
             licence="DoFE-9999/001"),
        node("R4", "recruiter", "No Licence Given", country="NP", role="sub_agent"),
        node("R5", "recruiter", "Sagarmatha", country="NP", role="origin_agency",
             licence="DoFE-2002/071"),
        node("M1", "recruiter", "Klang Staffing", country="MY", role="destination_agency",
             licence="JTK-1"),
    )  # fmt: skip
    net_b = network_of(world.analyst_b, node("HM", "recruiter", "HIMAL MANPOWER", **himal), "B")
    assert licence_findings(world.analyst_a, net_a) == {}  # no list yet: nothing is known

    refused = import_sample(world.analyst_a)
    assert refused.status_code == 403
    bad = world.admin.post(
        "/api/v1/registry/licence-lists",
        files={"file": ("l.csv", b"Licence No.,Status\nA-1,Active\nA-1,Active\n,Lapsed\n")},
        data={"authority": "DoFE", "country": "NP", "published_on": "2026-11-20", "source": "x y z",
              "mapping": json.dumps({"licence_number": "Licence No.", "status": "Status"})},
    )  # fmt: skip
    assert bad.status_code == 422, bad.text
    assert [(e["row"], e["column"], e["message"].split(";")[0]) for e in bad.json()["errors"]] == [
        (3, "licence_no.", "this licence is listed twice"),
        (4, "licence_no.", "required: the licence number"),
        (4, "status", "unknown status"),
    ]
    assert world.admin.get("/api/v1/registry/licence-lists").json() == []  # nothing written

    imported = import_sample(world.admin)
    assert imported.status_code == 201, imported.text
    assert (imported.json()["entries"], imported.json()["illustrative"]) == (3, True)

    cited = "Department of Foreign Employment (Nepal)'s list of 2026-11-20 (an illustrative "
    cited += "sample list, not real data)"
    shown_a = licence_findings(world.analyst_a, net_a)
    assert {k: code for k, (code, _) in shown_a.items()} == {
        "R1": "LICENCE_EXPIRED",
        "R3": "LICENCE_NOT_ON_LIST",
        "R4": "LICENCE_MISSING",
        "R5": "LICENCE_REVOKED",
    }  # R2 is active on the list; M1 is licensed in Malaysia, which has no list here
    assert shown_a["R1"][1] == (
        f"Himal Manpower holds licence DoFE-1234/067, expired on {cited} (valid until 2026-07-15)."
    )
    assert shown_a["R4"][1] == (
        f"No Licence Given records no licence number, and {cited} lists every licensed recruiter."
    )
    # The same agency in the other buyer's network: the same finding, and only its own nodes.
    shown_b = licence_findings(world.analyst_b, net_b)
    assert {k: code for k, (code, _) in shown_b.items()} == {"HM": "LICENCE_EXPIRED"}
    assert world.analyst_b.get(f"/api/v1/networks/{net_a}/findings").status_code == 404


@SQLITE_ONLY
def test_a_recruiter_shares_its_accepted_assessment_with_a_second_buyer_and_revokes_it(
    world: World, engine: Engine
) -> None:
    himal = {"country": "NP", "role": "origin_agency", "licence": "DoFE-1234/067"}
    net_a = network_of(world.analyst_a, node("R1", "recruiter", "Himal Manpower", **himal), "A")
    net_b = network_of(world.analyst_b, node("HM", "recruiter", "HIMAL MANPOWER", **himal), "B")
    world.admin.post("/api/v1/registry/recruiters", json=HIMAL)  # links both by licence

    # Buyer A assesses the agency and accepts its answers.
    first = assign(world.analyst_a, net_a, node_ids(world.analyst_a, net_a)["R1"])
    agency_a = Actor(world.analyst_a.client, first["invitation"]["token"])
    with Session(engine) as session:
        record = session.get(QuestionnaireRecord, first["questionnaire"]["id"])
        assert record is not None
        answers = complete_answers(service.parsed(record))
    assert agency_a.put("/api/v1/respond/answers", json={"answers": answers}).status_code == 200
    assert agency_a.post("/api/v1/respond/submit").status_code == 200
    accepted = world.analyst_a.post(
        f"/api/v1/networks/{net_a}/assessments/{first['id']}/review", json={"decision": "accept"}
    )
    assert accepted.status_code == 200, accepted.text

    # Buyer B invites the same agency; nothing is shared without its consent.
    second = assign(world.analyst_b, net_b, node_ids(world.analyst_b, net_b)["HM"])
    agency_b = Actor(world.analyst_b.client, second["invitation"]["token"])
    shared_url = f"/api/v1/networks/{net_b}/assessments/{second['id']}/shared"
    assert world.analyst_b.get(shared_url).status_code == 404
    offer = agency_b.get("/api/v1/respond/share").json()
    assert (offer["available"], offer["shared"]) == (True, False)
    assert offer["accepted_at"] == accepted.json()["reviewed_at"]

    assert agency_b.post("/api/v1/respond/share").status_code == 201
    assert agency_b.post("/api/v1/respond/share").status_code == 409
    seen = world.analyst_b.get(shared_url)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["answers"] == accepted.json()["answers"]
    assert body["accepted_at"] == accepted.json()["reviewed_at"]
    assert body["accepted_by"] == "a reviewer at another organisation"
    assert "Org A" not in seen.text and str(net_a) not in {str(v) for v in body.values()}
    # The other way round, and for anyone else, nothing is shared.
    assert world.analyst_a.get(shared_url).status_code == 404
    assert (
        world.analyst_a.get(
            f"/api/v1/networks/{net_a}/assessments/{first['id']}/shared"
        ).status_code
        == 404
    )

    # The buyer's dashboard shows them too, naming no organisation.
    buyer = signed_in(world.analyst_b.client, engine, world.analyst_b.user_id)
    page = buyer.get(f"/dashboard/networks/{net_b}/assessments/{second['id']}").text
    assert "Answers the recruiter shares with you" in page and "Org A" not in page

    # The same consent through the respondent's form: it says so, and offers to stop.
    client = world.analyst_b.client
    assert client.get(f"/respond/{second['invitation']['token']}").status_code == 200
    form = client.get("/respond/form").text
    assert "can see your answers accepted on" in form and 'value="stop"' in form
    stop = client.post(
        "/respond/share", data={"csrf": csrf_of(form), "action": "stop"}, follow_redirects=False
    )
    assert stop.status_code == 303
    assert world.analyst_b.get(shared_url).status_code == 404
    offered = client.get("/respond/form").text
    assert "You answered this questionnaire for another company" in offered
    assert "Org A" not in offered
    again = client.post("/respond/share", data={"csrf": csrf_of(offered), "action": "share"})
    assert again.status_code == 200 and world.analyst_b.get(shared_url).status_code == 200

    # The agency withdraws its consent: buyer B no longer sees the answers.
    withdrawn = agency_b.delete("/api/v1/respond/share")
    assert withdrawn.status_code == 200 and withdrawn.json()["shared"] is False
    assert world.analyst_b.get(shared_url).status_code == 404
    assert agency_b.delete("/api/v1/respond/share").status_code == 404


@SQLITE_ONLY
def test_an_import_links_its_recruiters_to_the_registry_by_itself(world: World) -> None:
    world.admin.post("/api/v1/registry/recruiters", json=HIMAL)
    net = network_of(
        world.analyst_a,
        node("R1", "recruiter", "Himal Manpower", country="NP", role="origin_agency",
             licence="DOFE 1234 067"),
        "A",
        node("R2", "recruiter", "Himal Man Power", country="NP", role="sub_agent"),
    )  # fmt: skip
    links = world.analyst_a.get(f"/api/v1/networks/{net}/registry/links").json()
    assert [link["node_external_id"] for link in links] == ["R1"]
    offered = world.analyst_a.get(f"/api/v1/networks/{net}/registry/suggestions").json()
    assert [s["node_external_id"] for s in offered] == ["R2"]
