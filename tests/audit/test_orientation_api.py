"""CREST pillar 2 orientation sessions through HTTP: record, list and filter, coverage for the
acceptance case (1,200 workers recruited NP to MY, 900 oriented before departure: 75 % and
0 %), the gap and language findings, the corridor table's fields, imports, roles and tenancy,
and reads that write nothing. Every network and session here is illustrative."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from api.deps import clock
from tests.audit.test_reads_never_write import snapshot
from tests.builders import Actor, World, edge, network_with, node, node_ids

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
POST_GAP = "GAP_NO_POSTARRIVAL_ORIENTATION"
PRE_GAP = "GAP_NO_PREDEPARTURE_ORIENTATION"
LANGUAGE = "GAP_ORIENTATION_LANGUAGE"


@pytest.fixture
def frozen(app: FastAPI) -> dict[str, datetime]:
    moment = {"now": NOW}
    app.dependency_overrides[clock] = lambda: moment["now"]
    return moment


def nepal_malaysia(actor: Actor, workers: int | None = 1200) -> tuple[int, dict[str, int]]:
    """Illustrative: a glove maker in Malaysia receiving 1,200 workers from a Nepali agency."""
    placement = {"origin": "NP", "destination": "MY"}
    if workers is not None:
        placement["workers"] = workers  # type: ignore[assignment]
    network = network_with(
        actor,
        [
            node("CO", "company", country="GB"),
            node(
                "EMP",
                "supplier",
                name="Glove factory (illustrative)",
                country="MY",
                migrant_workers=1200,
            ),
            node("AG", "recruiter", country="NP", role="origin_agency", licence="NP-1"),
        ],
        [edge("EMP", "CO", "supplies"), edge("AG", "EMP", "recruits_for", **placement)],
        name="Illustrative NP-MY",
    )
    return network["id"], node_ids(actor, network["id"])


def session(stage: str = "pre_departure", **fields: object) -> dict:
    return {
        "stage": stage,
        "origin": "NP",
        "destination": "MY",
        "delivered_on": "2026-10-01",
        "language": "ne",
        "topics": ["contract-terms", "fees-and-rights"],
        "deliverer": "recruiter",
        "workers_reached": 500,
        **fields,
    }


def open_findings(actor: Actor, network_id: int, code: str) -> dict[str, dict]:
    found = actor.get(
        f"/api/v1/networks/{network_id}/findings",
        params={"code": code, "status": "open", "limit": 500},
    ).json()["items"]
    return {f["key"]: f for f in found}


def test_acceptance_75_and_0_percent_and_the_post_arrival_finding(
    world: World, frozen: dict
) -> None:
    analyst = world.analyst_a
    network_id, ids = nepal_malaysia(analyst)
    base = f"/api/v1/networks/{network_id}"
    # Nothing recorded yet: both stages are gaps of the corridor.
    assert sorted(open_findings(analyst, network_id, PRE_GAP)) == [
        "gap:orientation:pre_departure:NP-MY"
    ]

    first = analyst.post(f"{base}/orientation-sessions", json=session(recruiter_node_id=ids["AG"]))
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["corridor"], body["recruiter_name"], body["info_page_shown"]) == (
        "NP-MY",
        "AG",
        False,
    )
    second = analyst.post(
        f"{base}/orientation-sessions",
        json=session(workers_reached=400, deliverer="iom", info_page_shown=True),
    )
    assert second.status_code == 201 and second.json()["info_page_shown"] is True

    coverage = analyst.get(f"{base}/orientation-coverage").json()
    [corridor] = coverage["corridors"]
    assert corridor["recruited"] == 1200
    assert corridor["pre_departure"] == {
        "oriented": 900,
        "sessions": 2,
        "share": 0.75,
        "shown": "75%",
    }
    assert corridor["post_arrival"] == {"oriented": 0, "sessions": 0, "share": 0.0, "shown": "0%"}
    [employer] = coverage["employers"]
    assert (employer["node_id"], employer["recruited"], employer["corridors"]) == (
        ids["EMP"],
        1200,
        ["NP-MY"],
    )

    assert open_findings(analyst, network_id, PRE_GAP) == {}
    post_gaps = open_findings(analyst, network_id, POST_GAP)
    assert sorted(post_gaps) == ["gap:orientation:post_arrival:NP-MY"]  # one, not two
    gap = post_gaps["gap:orientation:post_arrival:NP-MY"]
    assert (gap["severity"], gap["node_id"], gap["principle"]) == (
        "medium",
        ids["EMP"],
        "crest:PILLAR-2",
    )
    assert gap["evidence"]["pre_departure_share"] == 0.75
    assert gap["evidence"]["post_arrival_share"] == 0.0
    assert "1,200 workers recruited NP to MY" in gap["detail"] and "75%" in gap["detail"]

    rows = analyst.get(f"{base}/corridors").json()["items"]
    [row] = [r for r in rows if (r["origin"], r["destination"]) == ("NP", "MY")]
    assert (row["pre_departure_oriented"], row["pre_departure_share"]) == (900, 0.75)
    assert (row["post_arrival_oriented"], row["post_arrival_share"]) == (0, 0.0)

    # A post-arrival session is at an employer; once recorded, the gap is resolved.
    nowhere = analyst.post(f"{base}/orientation-sessions", json=session("post_arrival"))
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"][0]["field"] == "employer_node_id"
    arrived = analyst.post(
        f"{base}/orientation-sessions",
        json=session(
            "post_arrival", employer_node_id=ids["EMP"], deliverer="employer", workers_reached=1300
        ),
    )
    assert arrived.status_code == 201, arrived.text
    assert open_findings(analyst, network_id, POST_GAP) == {}
    after = analyst.get(f"{base}/orientation-coverage").json()["corridors"][0]["post_arrival"]
    assert (after["oriented"], after["share"]) == (1300, 1.0)  # capped at the 1,200 recruited


def test_unknown_recruited_is_unknown_never_zero(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = nepal_malaysia(analyst, workers=None)
    base = f"/api/v1/networks/{network_id}"
    assert analyst.post(f"{base}/orientation-sessions", json=session()).status_code == 201
    [corridor] = analyst.get(f"{base}/orientation-coverage").json()["corridors"]
    assert corridor["recruited"] is None and corridor["edges_without_workers"] == 1
    assert corridor["pre_departure"]["share"] is None
    assert corridor["pre_departure"]["shown"] == "unknown"
    assert corridor["post_arrival"]["shown"] == "unknown"


def test_a_session_in_thai_for_nepali_workers_raises_a_language_finding(
    world: World, frozen: dict
) -> None:
    analyst = world.analyst_a
    network_id, ids = nepal_malaysia(analyst)
    base = f"/api/v1/networks/{network_id}/orientation-sessions"
    thai = analyst.post(base, json=session(language="th")).json()
    found = open_findings(analyst, network_id, LANGUAGE)
    assert sorted(found) == ["gap:orientation-language:NP-MY:th"]
    finding = found["gap:orientation-language:NP-MY:th"]
    assert finding["severity"] == "high" and finding["node_id"] == ids["EMP"]
    assert finding["evidence"]["workers_speak"] == ["ne"]
    assert finding["evidence"]["session_ids"] == [thai["id"]]
    assert "CLDR" in finding["evidence"]["languages_source"]
    # Nepali is what the workers speak: correcting the language resolves it.
    fixed = analyst.patch(f"{base}/{thai['id']}", json={"language": "ne"})
    assert fixed.status_code == 200 and fixed.json()["language"] == "ne"
    assert open_findings(analyst, network_id, LANGUAGE) == {}


def test_list_filters_get_patch_delete_and_bad_input(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = nepal_malaysia(analyst)
    base = f"/api/v1/networks/{network_id}/orientation-sessions"
    early = analyst.post(base, json=session(delivered_on="2026-09-01")).json()
    late = analyst.post(
        base, json=session("post_arrival", employer_node_id=ids["EMP"], deliverer="employer")
    ).json()
    other = analyst.post(base, json=session(origin="BD", language="bn")).json()
    listed = analyst.get(base).json()
    assert listed["total"] == 3
    # Newest first; the same day by the latest recorded.
    assert [s["id"] for s in listed["items"]] == [other["id"], late["id"], early["id"]]
    assert [
        s["id"] for s in analyst.get(base, params={"stage": "post_arrival"}).json()["items"]
    ] == [late["id"]]
    np_my = analyst.get(base, params={"corridor": "np-my"}).json()
    assert sorted(s["id"] for s in np_my["items"]) == sorted([early["id"], late["id"]])
    at = analyst.get(base, params={"employer_node_id": ids["EMP"]}).json()
    assert [s["id"] for s in at["items"]] == [late["id"]]
    bad_corridor = analyst.get(base, params={"corridor": "Nepal"})
    assert (
        bad_corridor.status_code == 422 and bad_corridor.json()["errors"][0]["field"] == "corridor"
    )

    assert world.viewer_a.get(f"{base}/{early['id']}").json()["workers_reached"] == 500
    patched = analyst.patch(f"{base}/{early['id']}", json={"workers_reached": 520})
    assert patched.status_code == 200 and patched.json()["workers_reached"] == 520
    cleared = analyst.patch(f"{base}/{late['id']}", json={"employer_node_id": None})
    assert cleared.status_code == 422  # a post-arrival session keeps its employer
    assert analyst.patch(f"{base}/{early['id']}", json={"stage": None}).status_code == 422

    cases: list[tuple[dict[str, Any], str]] = [
        ({"delivered_on": "2026-11-26"}, "delivered_on"),
        ({"language": "xx"}, "language"),
        ({"origin": "ZZ"}, "origin"),
        ({"topics": ["juggling"]}, "topics"),
        ({"workers_reached": 0}, "workers_reached"),
        ({"deliverer": "friend"}, "deliverer"),
        ({"destination": "NP"}, "destination"),
        ({"employer_node_id": ids["AG"]}, "employer_node_id"),
    ]
    for fields, field in cases:
        refused = analyst.post(base, json=session(**fields))
        assert refused.status_code == 422, (fields, refused.text)
        assert refused.json()["errors"][0]["field"] == field, (fields, refused.json())
    assert analyst.get(base).json()["total"] == 3

    assert analyst.delete(f"{base}/{other['id']}").status_code == 204
    assert analyst.get(f"{base}/{other['id']}").status_code == 404


def test_viewer_reads_other_organisation_sees_nothing(world: World, frozen: dict) -> None:
    network_id, _ids = nepal_malaysia(world.analyst_a)
    base = f"/api/v1/networks/{network_id}"
    made = world.analyst_a.post(f"{base}/orientation-sessions", json=session()).json()
    viewer, outsider = world.viewer_a, world.analyst_b
    sheet = {"file": ("s.csv", b"stage\n", "text/csv")}
    assert viewer.get(f"{base}/orientation-sessions").status_code == 200
    assert viewer.get(f"{base}/orientation-coverage").status_code == 200
    assert viewer.post(f"{base}/orientation-sessions", json=session()).status_code == 403
    assert (
        viewer.patch(f"{base}/orientation-sessions/{made['id']}", json={"notes": "x"}).status_code
        == 403
    )
    assert viewer.delete(f"{base}/orientation-sessions/{made['id']}").status_code == 403
    assert viewer.post(f"{base}/orientation-sessions/import", files=sheet).status_code == 403
    for response in (
        outsider.get(f"{base}/orientation-sessions"),
        outsider.get(f"{base}/orientation-sessions/{made['id']}"),
        outsider.get(f"{base}/orientation-coverage"),
        outsider.post(f"{base}/orientation-sessions", json=session()),
        outsider.delete(f"{base}/orientation-sessions/{made['id']}"),
        outsider.post(f"{base}/orientation-sessions/import", files=sheet),
    ):
        assert response.status_code == 404
    topics = {t["id"]: t for t in viewer.get("/api/v1/orientation-topics").json()}
    assert "fees-and-rights" in topics and "grievance-channels" in topics
    assert any("Employer Pays" in s for s in topics["fees-and-rights"]["sources"])


GOOD_CSV = (
    "stage,origin,destination,employer,recruiter,date,language,topics,deliverer,workers,info_page_shown\n"
    "pre_departure,NP,MY,,AG,2026-10-01,ne,contract-terms;fees-and-rights,recruiter,600,yes\n"
    "post_arrival,NP,MY,EMP,,2026-10-20,ne,grievance-channels,employer,700,no\n"
)


def test_import_dry_run_then_for_real_and_not_twice(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = nepal_malaysia(analyst)
    base = f"/api/v1/networks/{network_id}/orientation-sessions"
    sheet = {"file": ("sessions.csv", GOOD_CSV.encode(), "text/csv")}
    dry = analyst.post(f"{base}/import", files=sheet, params={"dry_run": True})
    assert dry.status_code == 200, dry.text
    assert (dry.json()["rows"], dry.json()["created"]) == (2, 0)
    assert analyst.get(base).json()["total"] == 0
    done = analyst.post(f"{base}/import", files=sheet)
    assert done.status_code == 200 and done.json()["created"] == 2
    listed = {s["stage"]: s for s in analyst.get(base).json()["items"]}
    assert listed["pre_departure"]["info_page_shown"] is True
    assert listed["post_arrival"]["employer_name"] == "Glove factory (illustrative)"
    again = analyst.post(f"{base}/import", files=sheet)
    assert again.status_code == 422 and "already recorded" in again.text
    assert analyst.get(base).json()["total"] == 2


def test_a_bad_import_names_row_and_column_and_writes_nothing(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = nepal_malaysia(analyst)
    base = f"/api/v1/networks/{network_id}/orientation-sessions"
    bad = (
        "stage,origin,destination,employer,date,language,topics,deliverer,workers\n"
        "pre_departure,NP,MY,,2026-10-01,ne,contract-terms,recruiter,600\n"
        "post_arrival,NP,MY,,2026-10-02,ne,contract-terms,employer,10\n"
        "arrival,NP,MY,NOPE,2026-13-01,ne,juggling,friend,none\n"
        "pre_departure,NP,ZZ,,2026-10-01,xx,return,iom,5\n"
    )
    refused = analyst.post(f"{base}/import", files={"file": ("s.csv", bad.encode(), "text/csv")})
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["detail"].startswith("Orientation import:")
    assert [(e["row"], e["column"]) for e in problem["errors"]] == [
        (3, "employer"),
        (4, "stage"),
        (4, "employer"),
        (4, "date"),
        (4, "workers"),
        (4, "deliverer"),
        (4, "topics"),
        (5, "destination"),
        (5, "language"),
    ]
    assert analyst.get(base).json()["total"] == 0


def test_import_an_xlsx_sheet(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = nepal_malaysia(analyst)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Orientation sessions, NP-MY (illustrative)"])
    sheet.append(
        ["stage", "origin", "destination", "date", "language", "topics", "deliverer", "workers"]
    )
    sheet.append(
        ["pre_departure", "NP", "MY", datetime(2026, 9, 2), "ne", "documents", "government", 900]
    )
    data = io.BytesIO()
    workbook.save(data)
    base = f"/api/v1/networks/{network_id}/orientation-sessions"
    done = analyst.post(
        f"{base}/import", files={"file": ("s.xlsx", data.getvalue(), "application/octet-stream")}
    )
    assert done.status_code == 200, done.text
    [item] = analyst.get(base).json()["items"]
    assert (item["delivered_on"], item["workers_reached"], item["deliverer"]) == (
        "2026-09-02",
        900,
        "government",
    )


def test_evidence_and_reads_write_nothing(world: World, engine: Engine, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = nepal_malaysia(analyst)
    base = f"/api/v1/networks/{network_id}"
    made = analyst.post(f"{base}/orientation-sessions", json=session()).json()
    pdf = b"%PDF-1.4\n% attendance count, illustrative\n%%EOF\n"
    uploaded = analyst.post(
        f"{base}/orientation-sessions/{made['id']}/evidence",
        files={"file": ("count.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()
    before = snapshot(engine)
    paths = [
        f"{base}/orientation-sessions",
        f"{base}/orientation-sessions?stage=pre_departure&corridor=NP-MY",
        f"{base}/orientation-sessions/{made['id']}",
        f"{base}/orientation-sessions/{made['id']}/evidence/{evidence['id']}",
        f"{base}/orientation-coverage",
        f"{base}/corridors",
        "/api/v1/orientation-topics",
    ]
    for actor in (world.viewer_a, analyst):
        assert [actor.get(path).status_code for path in paths] == [200] * len(paths)
    assert snapshot(engine) == before
    download = world.viewer_a.get(paths[3])
    assert download.content == pdf
    assert analyst.get(f"{base}/findings").json()["current"] is True
    # Removing the employer keeps the pre-departure session; the network takes all with it.
    assert analyst.delete(f"{base}/nodes/{ids['EMP']}").status_code == 204
    assert analyst.get(f"{base}/orientation-sessions").json()["total"] == 1
    assert analyst.delete(base).status_code == 204
    assert analyst.get(f"{base}/orientation-sessions").status_code == 404
