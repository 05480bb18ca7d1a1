"""The dashboard's recruiter registry: the honest empty state, an entry with its history (who to
programme staff, "programme staff" to everyone else), a network's Registry tab with its licence
links and name suggestions to accept or reject (refused to viewers), programme staff's open
proposals and licence lists, and reads that write nothing."""

from __future__ import annotations

from collections.abc import Mapping
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.builders import Actor, World, edge, network_with, node
from tests.supplychain.test_registry import HIMAL
from tests.web.sessions import csrf_of, session_csrf, signed_in
from tests.web.test_dashboard_campaigns import parsed, snapshot

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
EVEREST = {
    "legal_name": "Everest Overseas Pvt. Ltd.",
    "country": "NP",
    "licence_number": "DoFE-2001/070",
    "reason": "Illustrative entry for the tests (not a real agency)",
}


def recruiters(actor: Actor) -> int:
    """A licence holder (linked by licence) and a near name without a licence (a suggestion)."""
    network = network_with(
        actor,
        [
            node("C", "company", "Buyer", country="GB"),
            node(
                "R1",
                "recruiter",
                "Himal Manpower",
                country="NP",
                role="origin_agency",
                licence="dofe 1234 067",
            ),
            node(
                "R2",
                "recruiter",
                "Everest Overseas Private Limited",
                country="NP",
                role="sub_agent",
            ),
        ],
        [edge("R1", "C", "recruits_for"), edge("R2", "C", "recruits_for")],
        name="Recruiters",
    )
    return int(network["id"])


def entry(world: World, body: Mapping[str, object]) -> int:
    created = world.admin.post("/api/v1/registry/recruiters", json=dict(body))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_an_empty_registry_says_what_it_holds_and_how_it_fills(
    world: World, client: TestClient, engine: Engine
) -> None:
    person = signed_in(client, engine, world.analyst_a.user_id)
    shown = person.get("/dashboard/registry")
    assert shown.status_code == 200
    text_ = unescape(shown.text)
    assert '<a class="nav" href="/dashboard/registry">Registry</a>' in shown.text
    assert "The registry has no entry yet." in text_
    assert "POST /api/v1/registry/proposals" in text_
    # Programme staff's sections are theirs only.
    assert "Open proposals" not in text_ and "Imported licence lists" not in text_
    assert person.get("/dashboard/registry", params={"country": "Nepal"}).status_code == 400
    admin = signed_in(client, engine, world.admin.user_id)
    staff = unescape(admin.get("/dashboard/registry").text)
    assert "No proposal is waiting for a decision." in staff
    assert "No licence list has been imported." in staff


def test_an_entry_shows_its_licence_and_history_naming_staff_only_to_staff(
    world: World, client: TestClient, engine: Engine
) -> None:
    himal = entry(world, HIMAL)
    entry(world, EVEREST)
    changed = world.admin.patch(
        f"/api/v1/registry/recruiters/{himal}",
        json={"licence_status": "expired", "reason": "Authority list of 2026-11 (illustrative)"},
    )
    assert changed.status_code == 200, changed.text
    analyst = signed_in(client, engine, world.analyst_b.user_id)
    listing = analyst.get("/dashboard/registry")
    parsed(listing.text)
    text_ = unescape(listing.text)
    assert "Showing 1\u20132 of 2 entries" in text_
    assert text_.index("Everest Overseas") < text_.index("Himal Manpower")  # by name
    by_licence = unescape(
        analyst.get("/dashboard/registry", params={"licence": "dofe1234067"}).text
    )
    assert "Himal Manpower" in by_licence and "Everest Overseas" not in by_licence
    by_name = unescape(
        analyst.get("/dashboard/registry", params={"q": "everest", "country": "np"}).text
    )
    assert "Everest Overseas" in by_name and "Himal Manpower" not in by_name
    elsewhere = unescape(analyst.get("/dashboard/registry", params={"country": "BD"}).text)
    assert "No entry matches." in elsewhere

    seen = analyst.get(f"/dashboard/registry/{himal}")
    assert seen.status_code == 200
    parsed(seen.text)
    text_ = unescape(seen.text)
    for shown in (
        "DoFE-1234/067",
        "Department of Foreign Employment (Nepal)",
        "until 2027-07-15",
        '<b class="bad">expired</b>',
        "pledged",
        "Employer Pays pledge (2026-03-01)",
        "licence status: valid → expired",
        "Authority list of 2026-11 (illustrative)",
    ):
        assert shown in text_, shown
    assert "admin.1@example.org" not in text_ and '<td class="who">programme staff</td>' in text_
    staff = unescape(
        signed_in(client, engine, world.admin.user_id).get(f"/dashboard/registry/{himal}").text
    )
    assert '<td class="who">admin.1@example.org</td>' in staff
    assert analyst.get("/dashboard/registry/9999").status_code == 404


def test_the_network_tab_links_by_licence_and_a_suggestion_is_accepted_from_the_page(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = recruiters(world.analyst_a)
    himal = entry(world, HIMAL)  # links R1 by licence as it is created
    everest = entry(world, EVEREST)
    url = f"/dashboard/networks/{network_id}/registry"
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    viewer = signed_in(client, engine, world.viewer_a.user_id)

    before = snapshot(engine)
    first = analyst.get(url)
    assert snapshot(engine) == before  # a GET never matches
    assert 'aria-current="page" class="active">Registry</a>' in first.text
    parsed(first.text)
    assert f'href="/dashboard/registry/{himal}">Himal Manpower Pvt. Ltd.</a>' in first.text
    assert "same licence" in first.text and "No name suggestion is open" in first.text

    matched = analyst.post(
        f"{url}/match", data={"csrf": csrf_of(first.text)}, follow_redirects=False
    )
    assert matched.status_code == 303
    shown = analyst.get(matched.headers["location"])
    text_ = unescape(shown.text)
    assert "Matched: 0 recruiters newly linked by licence; 1 suggestion open." in text_
    row = shown.text.split('id="suggestion-', 1)[1].split("</tr>", 1)[0]
    suggestion = int(row.split('"', 1)[0])
    assert "Everest Overseas Private Limited" in row and f"/dashboard/registry/{everest}" in row
    assert "100%" in row and "Accept" in row and "Reject" in row

    # A viewer sees the suggestion without buttons, and a post is refused.
    seen = viewer.get(url)
    assert f'id="suggestion-{suggestion}"' in seen.text
    assert "Match now" not in seen.text and "/accept" not in seen.text
    token = session_csrf(viewer)
    for action in (f"{url}/suggestions/{suggestion}/accept", f"{url}/match"):
        refused = viewer.post(action, data={"csrf": token}, follow_redirects=False)
        assert refused.status_code == 403, action
    # Another organisation's analyst finds no such network.
    other = signed_in(client, engine, world.analyst_b.user_id)
    assert other.get(url).status_code == 404
    assert (
        other.post(
            f"{url}/suggestions/{suggestion}/accept",
            data={"csrf": session_csrf(other)},
            follow_redirects=False,
        ).status_code
        == 404
    )

    accepted = analyst.post(
        f"{url}/suggestions/{suggestion}/accept",
        data={"csrf": csrf_of(shown.text)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    done = unescape(analyst.get(accepted.headers["location"]).text)
    assert "Suggestion accepted" in done and "No name suggestion is open" in done
    links = world.analyst_a.get(f"/api/v1/networks/{network_id}/registry/links").json()
    assert sorted((link["node_external_id"], link["kind"]) for link in links) == [
        ("R1", "licence"),
        ("R2", "accepted"),
    ]
    again = analyst.post(
        f"{url}/suggestions/{suggestion}/reject",
        data={"csrf": csrf_of(shown.text)},
        follow_redirects=False,
    )
    assert again.status_code == 409


def test_programme_staff_decide_proposals_and_see_the_licence_lists(
    world: World, client: TestClient, engine: Engine
) -> None:
    himal = entry(world, HIMAL)
    proposed = world.analyst_a.post(
        "/api/v1/registry/proposals",
        json={"profile_id": himal, "fields": {"address": "Kathmandu 44600"},
              "reason": "Address on the agency's letterhead"},
    )  # fmt: skip
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()["id"]
    listed = world.admin.post(
        "/api/v1/registry/licence-lists",
        files={"file": ("l.csv", b"licence_number,status\nDoFE-1234/067,Expired\n", "text/csv")},
        data={"authority": "Department of Foreign Employment (Nepal)", "country": "NP",
              "published_on": "2026-11-20", "source": "examples (illustrative)",
              "illustrative": "true"},
    )  # fmt: skip
    assert listed.status_code == 201, listed.text

    admin = signed_in(client, engine, world.admin.user_id)
    before = snapshot(engine)
    shown = admin.get("/dashboard/registry")
    assert snapshot(engine) == before
    parsed(shown.text)
    text_ = unescape(shown.text)
    assert "address: Kathmandu 44600" in text_ and "Address on the agency's letterhead" in text_
    assert "illustrative sample</span>" in text_ and "2026-11-20" in text_

    # An analyst's forged post is refused: only programme staff decide.
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    action = f"/dashboard/registry/proposals/{proposal}/accept"
    refused = analyst.post(action, data={"csrf": session_csrf(analyst)}, follow_redirects=False)
    assert refused.status_code == 403
    decided = admin.post(
        action, data={"csrf": csrf_of(shown.text), "note": "checked"}, follow_redirects=False
    )
    assert decided.status_code == 303
    after = unescape(admin.get(decided.headers["location"]).text)
    assert f"Proposal {proposal} accepted" in after and "No proposal is waiting" in after
    assert world.analyst_a.get(f"/api/v1/registry/recruiters/{himal}").json()["address"] == (
        "Kathmandu 44600"
    )


def test_an_analyst_proposes_a_correction_from_the_entry_page(
    world: World, client: TestClient, engine: Engine
) -> None:
    entry_id = entry(world, HIMAL)
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    url = f"/dashboard/registry/{entry_id}"
    page = analyst.get(url).text
    assert 'id="propose"' in page
    refused = analyst.post(
        f"{url}/proposals",
        data={"csrf": csrf_of(page), "licence_valid_until": "not a date", "reason": "letterhead"},
    )
    assert refused.status_code == 422 and "The proposal was not sent." in refused.text
    assert "fields.licence_valid_until" in refused.text
    sent = analyst.post(
        f"{url}/proposals",
        data={"csrf": csrf_of(page), "address": "Kathmandu 44600", "reason": "letterhead"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    proposals = world.analyst_a.get("/api/v1/registry/proposals").json()
    assert [(p["fields"], p["state"]) for p in proposals] == [
        ({"address": "Kathmandu 44600"}, "open")
    ]
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert 'id="propose"' not in viewer.get(url).text
    assert (
        viewer.post(
            f"{url}/proposals",
            data={"csrf": session_csrf(viewer), "address": "x", "reason": "why not"},
        ).status_code
        == 403
    )
