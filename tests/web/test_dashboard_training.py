"""The dashboard's training page: coverage, the trainings recorded (paged and searched), the
record form and the attendance-sheet import, through the API's validation, for analysts only."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

from audit.reports.crest import NO_TRAINING
from supplychain.models import Node
from tests.builders import Actor, World, edge, network_with, node, node_ids
from tests.web.sessions import csrf_of, session_csrf, signed_in

TODAY = date.today()  # the dashboard reads the real clock
RECENT = (TODAY - timedelta(days=300)).isoformat()  # about 10 months ago: current
OLD = (TODAY - timedelta(days=900)).isoformat()  # about 30 months ago: expired at 24 months


def plants(actor: Actor) -> tuple[int, dict[str, int]]:
    network = network_with(
        actor,
        [
            node("CO", "company", "Brand", country="GB"),
            node("S1", "supplier", "Ocean Plant", migrant_workers=60),
            node("S2", "supplier", "Harbour Plant", migrant_workers=30),
            node("S3", "supplier", "Dry Goods", migrant_workers=0),
            node("WG", "worker_group", "Crew cohort", origin="MM", destination="TH", size=40),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("S2", "CO", "supplies"),
            edge("S3", "CO", "supplies"),
        ],
        name="Plants",
    )
    return network["id"], node_ids(actor, network["id"])


def trainings_of(actor: Actor, network_id: int) -> list[dict]:
    listed = actor.get(f"/api/v1/networks/{network_id}/trainings", params={"limit": 200})
    assert listed.status_code == 200
    return list(listed.json()["items"])


def form(csrf: str, **fields: object) -> dict[str, object]:
    return {
        "csrf": csrf,
        "node": "S1",
        "delivered_on": RECENT,
        "provider": "IOM CREST",
        "topics": ["trafficking-forced-labour", "employer-pays"],
        "audience_roles": ["hr", "supervisors"],
        "participants": "14",
        "language": "th",
        "notes": "",
        **fields,
    }


def test_an_analyst_records_a_training_and_sees_coverage_move(
    world: World, client: TestClient, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id, ids = plants(analyst)
    old = {
        "node_id": ids["S2"],
        "delivered_on": OLD,
        "provider": "Ethical Trade Partners",
        "topics": ["grievance-handling"],
        "participants": 5,
    }
    assert analyst.post(f"/api/v1/networks/{network_id}/trainings", json=old).status_code == 201
    person = signed_in(client, engine, analyst.user_id)
    url = f"/dashboard/networks/{network_id}/training"
    before = person.get(url)
    assert before.status_code == 200
    text = unescape(before.text)
    assert 'aria-current="page" class="active">Training</a>' in before.text
    # Two suppliers with migrant workers, neither current: 0 of 2 (a known 0 %), no recruiter.
    held = "of suppliers with migrant workers hold current training (0 of 2)"
    assert "<b>0%</b>" in before.text and held in text
    assert "<b>no recruiters</b> <span>in the network</span>" in before.text
    assert "expired: needs training" in text and "never trained: needs training" in text
    assert "Ethical Trade Partners" in text and "No training recorded yet" not in text

    done = person.post(url, data=form(csrf_of(before.text)), follow_redirects=False)
    assert done.status_code == 303, done.text
    after = unescape(person.get(done.headers["location"]).text)
    recorded = [t for t in trainings_of(analyst, network_id) if t["node_external_id"] == "S1"]
    assert len(recorded) == 1 and recorded[0]["participants"] == 14
    assert recorded[0]["audience_roles"] == ["hr", "supervisors"]
    assert f"Training {recorded[0]['id']} recorded." in after
    assert "50%" in after and "(1 of 2)" in after
    # The same page, seen by the API: the coverage the page printed.
    coverage = analyst.get(f"/api/v1/networks/{network_id}/training-coverage").json()
    assert coverage["suppliers_with_migrants"] == {"current": 1, "total": 2, "share": 0.5}


def test_the_form_shows_the_apis_validation_errors_and_writes_nothing(
    world: World, client: TestClient, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id, _ids = plants(analyst)
    person = signed_in(client, engine, analyst.user_id)
    url = f"/dashboard/networks/{network_id}/training"
    csrf = csrf_of(person.get(url).text)

    bad = person.post(url, data=form(csrf, participants="0", topics=[]))
    assert bad.status_code == 422
    text = unescape(bad.text)
    assert "The training was not recorded." in text and "2 fields are invalid." in text
    assert "field participants: Input should be greater than or equal to 1" in text
    assert "field topics:" in text
    assert 'value="0"' in bad.text and 'value="IOM CREST"' in bad.text  # the form kept

    future = (TODAY + timedelta(days=3)).isoformat()
    later = unescape(person.post(url, data=form(csrf, delivered_on=future)).text)
    assert f"field delivered_on: must be on or before {TODAY.isoformat()}" in later

    group = person.post(url, data=form(csrf, node="WG"))
    assert group.status_code == 422
    assert "field node_id: a worker_group has no staff to train" in unescape(group.text)
    missing = unescape(person.post(url, data=form(csrf, node="NOPE")).text)
    assert "field node_id: not a node of this network" in missing

    assert person.post(url, data=form(csrf), follow_redirects=False).status_code == 303
    twice = person.post(url, data=form(csrf))
    assert twice.status_code == 409 and "already records" in unescape(twice.text)
    assert len(trainings_of(analyst, network_id)) == 1


def _sheet(person: TestClient, url: str, csrf: str, body: str, **fields: str) -> httpx.Response:
    return person.post(
        f"{url}/import",
        data={"csrf": csrf, **fields},
        files={"file": ("attendance.csv", body.encode(), "text/csv")},
    )


def test_an_attendance_sheet_is_checked_then_imported_all_or_nothing(
    world: World, client: TestClient, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id, _ids = plants(analyst)
    person = signed_in(client, engine, analyst.user_id)
    url = f"/dashboard/networks/{network_id}/training"
    csrf = csrf_of(person.get(url).text)
    header = "node,date,provider,topics,participants\n"
    bad = _sheet(
        person,
        url,
        csrf,
        header + f"S1,{RECENT},IOM CREST,employer-pays,12\nS2,{RECENT},IOM CREST,employer-pays,0\n",
    )
    assert bad.status_code == 422
    text = unescape(bad.text)
    assert "Nothing was imported." in text and "row 3, column participants" in text
    assert trainings_of(analyst, network_id) == []  # the good first row was not kept either

    good = header + f"S1,{RECENT},IOM CREST,employer-pays,12\nS2,{OLD},IOM CREST,employer-pays,9\n"
    trial = unescape(_sheet(person, url, csrf, good, dry_run="yes").text)
    assert "Dry run: the sheet is valid, and nothing was written." in trial
    assert "2 trainings read." in trial
    assert trainings_of(analyst, network_id) == []
    done = _sheet(person, url, csrf, good)
    assert done.status_code == 200 and "Imported." in unescape(done.text)
    assert "2 trainings read, 2 recorded" in unescape(done.text)
    assert len(trainings_of(analyst, network_id)) == 2
    assert "50%" in unescape(done.text)  # S1 current, S2 expired


def test_trainings_are_paged_and_searched(world: World, client: TestClient, engine: Engine) -> None:
    analyst = world.analyst_a
    network_id, ids = plants(analyst)
    base = f"/api/v1/networks/{network_id}/trainings"
    for days in range(3):
        made = analyst.post(
            base,
            json={
                "node_id": ids["S1" if days else "S2"],
                "delivered_on": (TODAY - timedelta(days=10 + days)).isoformat(),
                "provider": "IOM CREST" if days else "Harbour Trainers",
                "topics": ["employer-pays"],
                "participants": 3,
            },
        )
        assert made.status_code == 201, made.text
    person = signed_in(client, engine, analyst.user_id)
    url = f"/dashboard/networks/{network_id}/training"
    second = unescape(person.get(url, params={"per_page": 2, "page": 2}).text)
    assert "Showing 3\u20133 of 3 trainings" in second
    assert (TODAY - timedelta(days=12)).isoformat() in second  # the oldest, on page 2
    found = unescape(person.get(url, params={"q": "harbour"}).text)
    assert "Showing 1\u20131 of 1 trainings" in found and "Harbour Trainers" in found
    nothing = unescape(person.get(url, params={"q": "zzz"}).text)
    assert "No training matches “zzz”" in nothing
    assert person.get(url, params={"page": "x"}).status_code == 400


def test_viewers_see_the_lists_not_the_forms_and_cannot_post(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id, _ids = plants(world.analyst_a)
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    url = f"/dashboard/networks/{network_id}/training"
    seen = viewer.get(url)
    text = unescape(seen.text)
    assert seen.status_code == 200 and "Ocean Plant" in text
    assert 'method="post" action="/dashboard/networks' not in seen.text
    assert NO_TRAINING in text
    csrf = session_csrf(viewer)
    assert viewer.post(url, data=form(csrf)).status_code == 403
    assert _sheet(viewer, url, csrf, "node,date\n").status_code == 403
    assert trainings_of(world.analyst_a, network_id) == []
    # Another organisation's analyst finds no such network.
    other = signed_in(client, engine, world.analyst_b.user_id)
    assert other.get(url).status_code == 404


def test_the_page_and_the_api_of_300_suppliers_load_no_node_rows(
    world: World, client: TestClient, engine: Engine
) -> None:
    """Coverage is counted and paged by the database: a view reads the nodes it shows as
    columns, and whole node rows only for the trainings listed (a page of them)."""
    analyst = world.analyst_a
    suppliers = [
        node(f"S{i:03}", "supplier", f"Plant {i:03}", migrant_workers=i % 3) for i in range(300)
    ]
    network = network_with(
        analyst,
        [node("CO", "company", "Brand", country="GB"), *suppliers],
        [edge(f"S{i:03}", "CO", "supplies") for i in range(300)],
        name="Many plants",
    )
    network_id, ids = network["id"], node_ids(analyst, network["id"])
    for key, day in (("S001", RECENT), ("S002", OLD), ("S004", RECENT)):
        body = {
            "node_id": ids[key],
            "delivered_on": day,
            "provider": "IOM CREST",
            "topics": ["employer-pays"],
            "participants": 4,
        }
        assert (
            analyst.post(f"/api/v1/networks/{network_id}/trainings", json=body).status_code == 201
        )
    person = signed_in(client, engine, analyst.user_id)
    loaded: list[Node] = []

    def seen(_session: object, instance: object) -> None:
        if isinstance(instance, Node):
            loaded.append(instance)

    event.listen(OrmSession, "loaded_as_persistent", seen)
    try:
        shown = person.get(f"/dashboard/networks/{network_id}/training")
        api = analyst.get(f"/api/v1/networks/{network_id}/training-coverage", params={"limit": 20})
    finally:
        event.remove(OrmSession, "loaded_as_persistent", seen)
    assert shown.status_code == 200 and api.status_code == 200
    assert len(loaded) <= 3  # the nodes of the three trainings listed, nothing per coverage row
    text = unescape(shown.text)
    assert "The first 200 of 301 nodes" in text
    # 200 suppliers employ migrant workers; S001 and S004 are current, S002 expired.
    assert "(2 of 200)" in text and "<b>198</b>" in text
    assert text.index("Plant 005") < text.index("Plant 002")  # never trained before expired
    body = api.json()
    assert (body["total"], body["limit"], body["offset"], body["gaps"]) == (301, 20, 0, 198)
    assert [n["external_id"] for n in body["nodes"]] == ["CO"] + [f"S{i:03}" for i in range(19)]
    more = analyst.get(
        f"/api/v1/networks/{network_id}/training-coverage",
        params={"limit": 5, "offset": 5, "required_only": True},
    ).json()
    assert more["total"] == 200
    assert [n["external_id"] for n in more["nodes"]] == ["S008", "S010", "S011", "S013", "S014"]
