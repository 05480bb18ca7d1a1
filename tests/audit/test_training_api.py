"""CREST pillar 1 trainings through HTTP: record, list, coverage, the gap finding, the plan's
training action closed by a training, roles and tenancy, and attendance-sheet imports."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from api.deps import clock
from tests.audit.test_reads_never_write import snapshot
from tests.builders import Actor, World, edge, network_with, node, node_ids

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TEN_MONTHS_AGO = "2026-01-25"
THIRTY_MONTHS_AGO = "2024-05-25"
GAP = "GAP_NO_CURRENT_TRAINING"


@pytest.fixture
def frozen(app: FastAPI) -> dict[str, datetime]:
    """The request clock, and the one the findings refresh after each write uses."""
    moment = {"now": NOW}
    app.dependency_overrides[clock] = lambda: moment["now"]
    return moment


def two_suppliers(actor: Actor) -> tuple[int, dict[str, int]]:
    network = network_with(
        actor,
        [
            node("CO", "company", country="GB"),
            node("S1", "supplier", migrant_workers=60),
            node("S2", "supplier", migrant_workers=30),
            node("S3", "supplier", migrant_workers=0),
        ],
        [edge("S1", "CO", "supplies"), edge("S2", "CO", "supplies"), edge("S3", "CO", "supplies")],
    )
    return network["id"], node_ids(actor, network["id"])


def with_recruiter(actor: Actor) -> tuple[int, dict[str, int]]:
    network = network_with(
        actor,
        [
            node("CO", "company", country="GB"),
            node("S1", "supplier", migrant_workers=60),
            node("R1", "recruiter", role="destination_agency", licence="TH-77"),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("R1", "S1", "recruits_for", origin="MM", destination="TH", workers=60),
        ],
        name="Recruited",
    )
    return network["id"], node_ids(actor, network["id"])


def training(node_id: int, delivered_on: str, **fields: object) -> dict:
    return {
        "node_id": node_id,
        "delivered_on": delivered_on,
        "provider": "IOM CREST",
        "topics": ["trafficking-forced-labour", "employer-pays"],
        "audience_roles": ["hr"],
        "participants": 12,
        "language": "th",
        **fields,
    }


def gaps(actor: Actor, network_id: int) -> dict[str, dict]:
    """Open training-gap findings by the external id in their key."""
    found = actor.get(
        f"/api/v1/networks/{network_id}/findings",
        params={"code": GAP, "status": "open", "limit": 500},
    ).json()["items"]
    return {f["key"].removeprefix("gap:training:"): f for f in found}


def test_two_suppliers_trained_10_and_30_months_ago(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}"
    assert sorted(gaps(analyst, network_id)) == ["S1", "S2"]  # S3 has no migrant workers

    first = analyst.post(f"{base}/trainings", json=training(ids["S1"], TEN_MONTHS_AGO))
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["node_external_id"], body["current"], body["expires_on"]) == (
        "S1",
        True,
        "2028-01-25",
    )
    assert body["closed_actions"] == [] and body["validity_months"] == 24
    old = analyst.post(f"{base}/trainings", json=training(ids["S2"], THIRTY_MONTHS_AGO))
    assert old.status_code == 201 and old.json()["current"] is False

    covered = analyst.get(f"{base}/training-coverage").json()
    assert covered["suppliers_with_migrants"] == {"current": 1, "total": 2, "share": 0.5}
    assert covered["recruiters"] == {"current": 0, "total": 0, "share": None}
    assert (covered["validity_months"], covered["gaps"], covered["today"]) == (24, 1, "2026-11-25")
    rows = {n["external_id"]: n for n in covered["nodes"]}
    assert sorted(rows) == ["CO", "S1", "S2", "S3"]
    assert rows["S2"] == {
        "node_id": ids["S2"],
        "external_id": "S2",
        "name": "S2",
        "kind": "supplier",
        "required": True,
        "last_trained": THIRTY_MONTHS_AGO,
        "expires_on": "2026-05-25",
        "current": False,
    }
    longer = analyst.get(f"{base}/training-coverage", params={"validity_months": 36}).json()
    assert longer["suppliers_with_migrants"]["share"] == 1.0 and longer["gaps"] == 0
    required = analyst.get(f"{base}/training-coverage", params={"required_only": True}).json()
    assert [n["external_id"] for n in required["nodes"]] == ["S1", "S2"]

    # One gap finding: the supplier trained 30 months ago, naming that training's date.
    found = gaps(analyst, network_id)
    assert sorted(found) == ["S2"]
    assert found["S2"]["severity"] == "medium"
    assert found["S2"]["evidence"]["last_training"] == THIRTY_MONTHS_AGO
    assert found["S2"]["evidence"]["last_training_id"] == old.json()["id"]


def test_list_filters_get_patch_and_delete(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}/trainings"
    recent = analyst.post(base, json=training(ids["S1"], TEN_MONTHS_AGO)).json()
    old = analyst.post(
        base, json=training(ids["S2"], THIRTY_MONTHS_AGO, topics=["grievance-handling"])
    ).json()

    listed = analyst.get(base).json()
    assert [t["id"] for t in listed["items"]] == [recent["id"], old["id"]]  # newest first
    assert listed["total"] == 2
    only = analyst.get(base, params={"node_id": ids["S2"]}).json()
    assert [t["id"] for t in only["items"]] == [old["id"]]
    by_topic = analyst.get(base, params={"topic": "grievance-handling"}).json()
    assert [t["id"] for t in by_topic["items"]] == [old["id"]] and by_topic["total"] == 1
    current = analyst.get(base, params={"current": True}).json()
    assert [t["id"] for t in current["items"]] == [recent["id"]]
    expired = analyst.get(base, params={"current": False}).json()
    assert [t["id"] for t in expired["items"]] == [old["id"]]
    longer = analyst.get(base, params={"current": True, "validity_months": 36}).json()
    assert longer["total"] == 2
    unknown = analyst.get(base, params={"topic": "juggling"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "topic"

    assert world.viewer_a.get(f"{base}/{old['id']}").json()["participants"] == 12
    changed = analyst.patch(f"{base}/{old['id']}", json={"delivered_on": "2026-06-01"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["current"] is True and changed.json()["expires_on"] == "2028-06-01"
    assert gaps(analyst, network_id) == {}  # the edit refreshed the findings

    assert analyst.delete(f"{base}/{old['id']}").status_code == 204
    assert analyst.get(f"{base}/{old['id']}").status_code == 404
    assert sorted(gaps(analyst, network_id)) == ["S2"]  # deleting brought the gap back


def test_bad_trainings_are_refused_naming_the_field(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}/trainings"
    future = analyst.post(base, json=training(ids["S1"], "2026-11-26"))
    assert future.status_code == 422
    assert future.json()["errors"] == [
        {"field": "delivered_on", "message": "must be on or before 2026-11-25"}
    ]
    topic = analyst.post(base, json=training(ids["S1"], TEN_MONTHS_AGO, topics=["juggling"]))
    assert topic.status_code == 422
    assert [e["field"] for e in topic.json()["errors"]] == ["topics"]
    _other_network, other_ids = with_recruiter(analyst)
    foreign_node = analyst.post(base, json=training(other_ids["R1"], TEN_MONTHS_AGO))
    assert foreign_node.status_code == 422
    assert foreign_node.json()["errors"][0]["field"] == "node_id"
    zero = analyst.post(base, json=training(ids["S1"], TEN_MONTHS_AGO, participants=0))
    assert zero.status_code == 422
    assert analyst.post(base, json=training(ids["S1"], TEN_MONTHS_AGO)).status_code == 201
    twice = analyst.post(base, json=training(ids["S1"], TEN_MONTHS_AGO))
    assert twice.status_code == 409
    assert analyst.get(base).json()["total"] == 1


def test_recording_a_training_closes_the_plans_training_action(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = with_recruiter(analyst)
    base = f"/api/v1/networks/{network_id}"
    found = gaps(analyst, network_id)
    assert sorted(found) == ["R1", "S1"]
    assert found["R1"]["evidence"] == {"last_training": "none recorded", "validity_months": 24}

    plan = analyst.post(f"{base}/plan", params={"limit": 500}).json()
    training_actions = {
        a["node_id"]: a for a in plan["items"] if a["template_id"] == "train-hr-and-recruiters"
    }
    assert sorted(training_actions) == sorted([ids["R1"], ids["S1"]])
    action = training_actions[ids["R1"]]
    assert action["status"] == "open" and action["crest_pillar"] == "PILLAR-1"
    assert found["R1"]["id"] in action["finding_ids"]

    recorded = analyst.post(f"{base}/trainings", json=training(ids["R1"], "2026-11-20"))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["closed_actions"] == [action["id"]]
    closed = analyst.get(f"{base}/plan/actions/{action['id']}").json()
    assert closed["status"] == "completed"
    history = analyst.get(f"{base}/plan/actions/{action['id']}/history").json()
    last = history[-1]
    assert (last["kind"], last["from_status"], last["to_status"]) == ("status", "open", "completed")
    assert last["comment"].startswith(
        f"Completed by training {recorded.json()['id']}: IOM CREST on 2026-11-20, 12 participants"
    )
    # The supplier's action stays open; the recruiter's gap finding is resolved by the refresh.
    supplier_action = analyst.get(f"{base}/plan/actions/{training_actions[ids['S1']]['id']}")
    assert supplier_action.json()["status"] == "open"
    assert sorted(gaps(analyst, network_id)) == ["S1"]
    resolved = analyst.get(f"{base}/findings/{found['R1']['id']}").json()
    assert resolved["status"] == "resolved"

    # An old training, recorded for the file, closes nothing.
    old = analyst.post(f"{base}/trainings", json=training(ids["S1"], THIRTY_MONTHS_AGO))
    assert old.json()["closed_actions"] == []
    assert analyst.get(f"{base}/plan/actions/{training_actions[ids['S1']]['id']}").json()[
        "status"
    ] == ("open")


def test_viewers_read_only_and_other_organisations_see_nothing(world: World, frozen: dict) -> None:
    network_id, ids = two_suppliers(world.analyst_a)
    base = f"/api/v1/networks/{network_id}"
    made = world.analyst_a.post(f"{base}/trainings", json=training(ids["S1"], TEN_MONTHS_AGO))
    training_id = made.json()["id"]
    viewer = world.viewer_a
    assert viewer.get(f"{base}/trainings").json()["total"] == 1
    assert viewer.get(f"{base}/training-coverage").status_code == 200
    assert (
        viewer.post(f"{base}/trainings", json=training(ids["S2"], TEN_MONTHS_AGO)).status_code
        == 403
    )
    assert (
        viewer.patch(f"{base}/trainings/{training_id}", json={"participants": 3}).status_code == 403
    )
    assert viewer.delete(f"{base}/trainings/{training_id}").status_code == 403
    sheet = {"file": ("t.csv", b"node,date,provider,topics,participants\n", "text/csv")}
    assert viewer.post(f"{base}/trainings/import", files=sheet).status_code == 403
    outsider = world.analyst_b
    for method, path in (
        ("GET", f"{base}/trainings"),
        ("GET", f"{base}/trainings/{training_id}"),
        ("GET", f"{base}/training-coverage"),
        ("PATCH", f"{base}/trainings/{training_id}"),
        ("DELETE", f"{base}/trainings/{training_id}"),
    ):
        kwargs = {"json": {"participants": 3}} if method == "PATCH" else {}
        assert outsider.request(method, path, **kwargs).status_code == 404, (method, path)
    posted = outsider.post(f"{base}/trainings", json=training(ids["S2"], TEN_MONTHS_AGO))
    assert posted.status_code == 404
    assert outsider.post(f"{base}/trainings/import", files=sheet).status_code == 404
    assert world.analyst_a.get(f"{base}/trainings").json()["total"] == 1


GOOD_SHEET = (
    "node,date,provider,topics,participants,audience,language,notes\n"
    f"S1,{TEN_MONTHS_AGO},IOM CREST,trafficking-forced-labour;employer-pays,18,hr;supervisors,th,\n"
    f"S2,{THIRTY_MONTHS_AGO},Issara Institute,grievance-handling,9,,my,refresher due\n"
)


def test_import_a_csv_attendance_sheet_dry_run_then_for_real(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}/trainings"
    sheet = {"file": ("attendance.csv", GOOD_SHEET.encode(), "text/csv")}
    dry = analyst.post(f"{base}/import", files=sheet, params={"dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json() == {
        "dry_run": True,
        "rows": 2,
        "created": 0,
        "training_ids": [],
        "closed_actions": [],
    }
    assert analyst.get(base).json()["total"] == 0
    done = analyst.post(f"{base}/import", files=sheet)
    assert done.status_code == 200, done.text
    assert done.json()["created"] == 2
    items = {t["node_external_id"]: t for t in analyst.get(base).json()["items"]}
    assert items["S1"]["topics"] == ["trafficking-forced-labour", "employer-pays"]
    assert items["S1"]["audience_roles"] == ["hr", "supervisors"]
    assert (items["S1"]["participants"], items["S1"]["language"]) == (18, "th")
    assert (items["S2"]["provider"], items["S2"]["notes"]) == ("Issara Institute", "refresher due")
    covered = analyst.get(f"/api/v1/networks/{network_id}/training-coverage").json()
    assert covered["suppliers_with_migrants"]["share"] == 0.5
    # The same sheet again counts nothing twice.
    again = analyst.post(f"{base}/import", files=sheet)
    assert again.status_code == 422
    assert [(e["row"], e["column"]) for e in again.json()["errors"]] == [(2, "date"), (3, "date")]
    assert analyst.get(base).json()["total"] == 2


def test_a_bad_sheet_names_each_row_and_column_and_writes_nothing(
    world: World, frozen: dict
) -> None:
    analyst = world.analyst_a
    network_id, _ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}/trainings"
    bad = (
        "node,date,provider,topics,participants\n"
        f"S1,{TEN_MONTHS_AGO},IOM CREST,employer-pays,18\n"
        f"NOPE,{TEN_MONTHS_AGO},IOM CREST,employer-pays,18\n"
        "S2,25/01/2026,IOM CREST,juggling,many\n"
    )
    refused = analyst.post(
        f"{base}/import", files={"file": ("sheet.csv", bad.encode(), "text/csv")}
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["detail"].startswith("Training import: 4 problems found")
    assert [(e["file"], e["row"], e["column"]) for e in problem["errors"]] == [
        ("sheet.csv", 3, "node"),
        ("sheet.csv", 4, "date"),
        ("sheet.csv", 4, "participants"),
        ("sheet.csv", 4, "topics"),
    ]
    assert problem["errors"][0]["value"] == "NOPE"
    assert analyst.get(base).json()["total"] == 0
    missing = analyst.post(
        f"{base}/import",
        files={"file": ("short.csv", b"node,date\nS1,2026-01-25\n", "text/csv")},
    )
    assert missing.status_code == 422
    assert "provider" in missing.text and "participants" in missing.text


def test_import_an_xlsx_sheet_below_a_title(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = two_suppliers(analyst)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Attendance, CREST training, Samut Sakhon"])
    sheet.append(["node", "date", "provider", "topics", "participants"])
    sheet.append(["S2", datetime(2026, 3, 2), "In-house", "ethical-recruitment", 7])
    sheet.append(["S1", datetime(2026, 3, 3), "In-house", "ethical-recruitment", 7.5])
    data = io.BytesIO()
    workbook.save(data)
    base = f"/api/v1/networks/{network_id}/trainings"
    upload = {"file": ("sheet.xlsx", data.getvalue(), "application/octet-stream")}
    refused = analyst.post(f"{base}/import", files=upload)
    assert refused.status_code == 422
    assert [(e["file"], e["row"], e["column"]) for e in refused.json()["errors"]] == [
        ("sheet.xlsx:Sheet", 4, "participants")
    ]
    sheet.cell(row=4, column=5, value=8)
    data = io.BytesIO()
    workbook.save(data)
    upload = {"file": ("sheet.xlsx", data.getvalue(), "application/octet-stream")}
    done = analyst.post(f"{base}/import", files=upload)
    assert done.status_code == 200, done.text
    items = analyst.get(base).json()["items"]
    assert [(t["node_external_id"], t["delivered_on"], t["participants"]) for t in items] == [
        ("S1", "2026-03-03", 8),
        ("S2", "2026-03-02", 7),
    ]


def test_evidence_files_are_kept_with_the_training(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}/trainings"
    made = analyst.post(base, json=training(ids["S1"], TEN_MONTHS_AGO)).json()
    pdf = b"%PDF-1.4\n% attendance sheet, illustrative\n%%EOF\n"
    uploaded = analyst.post(
        f"{base}/{made['id']}/evidence",
        files={"file": ("attendance.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()
    assert (evidence["filename"], evidence["media_type"], evidence["size"]) == (
        "attendance.pdf",
        "application/pdf",
        len(pdf),
    )
    shown = analyst.get(f"{base}/{made['id']}").json()["evidence"]
    assert [e["id"] for e in shown] == [evidence["id"]]
    download = world.viewer_a.get(f"{base}/{made['id']}/evidence/{evidence['id']}")
    assert download.status_code == 200 and download.content == pdf
    assert world.analyst_b.get(f"{base}/{made['id']}/evidence/{evidence['id']}").status_code == 404
    assert analyst.delete(f"{base}/{made['id']}").status_code == 204


def test_topics_are_listed_with_their_sources(world: World) -> None:
    topics = world.viewer_a.get("/api/v1/training-topics").json()
    by_id = {t["id"]: t for t in topics}
    assert by_id["employer-pays"]["sources"][0].startswith("Employer Pays Principle")
    assert "responsible-exit" in by_id


def test_trainings_go_with_their_node_and_network(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}"
    made = analyst.post(f"{base}/trainings", json=training(ids["S1"], TEN_MONTHS_AGO)).json()
    analyst.post(
        f"{base}/trainings/{made['id']}/evidence",
        files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    kept = analyst.post(f"{base}/trainings", json=training(ids["S2"], TEN_MONTHS_AGO)).json()
    assert analyst.delete(f"{base}/nodes/{ids['S1']}").status_code == 204
    assert [t["id"] for t in analyst.get(f"{base}/trainings").json()["items"]] == [kept["id"]]
    assert analyst.delete(base).status_code == 204
    assert analyst.get(f"{base}/trainings").status_code == 404


def test_training_reads_write_nothing_and_findings_stay_current(
    world: World, engine: Engine, frozen: dict
) -> None:
    analyst = world.analyst_a
    network_id, ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}"
    made = analyst.post(f"{base}/trainings", json=training(ids["S1"], TEN_MONTHS_AGO)).json()
    before = snapshot(engine)
    paths = [
        f"{base}/trainings",
        f"{base}/trainings?current=true&topic=employer-pays",
        f"{base}/trainings/{made['id']}",
        f"{base}/training-coverage",
        f"{base}/training-coverage?validity_months=6",
        "/api/v1/training-topics",
    ]
    for actor in (world.viewer_a, analyst):
        assert [actor.get(path).status_code for path in paths] == [200] * len(paths)
    assert snapshot(engine) == before
    # The training was a write that marked the findings stale and refreshed them.
    assert analyst.get(f"{base}/findings").json()["current"] is True
