"""GET requests never write: findings are refreshed by the writes that change their causes.

The database is snapshotted whole (every table, every row, except the `last_used_at` stamps a
token or invitation gets on its own short transaction) before and after a sweep of reads as a
viewer and as an analyst; the two snapshots must be equal.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, inspect, text
from sqlalchemy.engine import Engine

from api.deps import clock
from tests.builders import Actor, World
from tests.questionnaires.test_assessments_api import setup_assessment
from tests.scoring.builders import best_answers
from tests.scoring.test_scores_api import FEES_PAID, RECRUITER_SAQ, answered, seafood
from tests.web.sessions import signed_in
from tests.web.test_dashboard_lists import dashboard_pages

STAMPS = {"last_used_at"}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered, without the last-used stamps."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            columns = [
                c["name"] for c in inspect(connection).get_columns(table) if c["name"] not in STAMPS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(text(f'SELECT {listed} FROM "{table}"')).all()
            tables[table] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return tables


def read_everything(actor: Actor, network_id: int, node_id: int) -> list[int]:
    base = f"/api/v1/networks/{network_id}"
    finding = actor.get(f"{base}/findings", params={"limit": 1}).json()["items"][0]["id"]
    paths = [
        f"{base}/findings",
        f"{base}/findings?severity=critical",
        f"{base}/findings/{finding}",
        f"{base}/scores",
        f"{base}/nodes/{node_id}/score",
        f"{base}/corridors",
        f"{base}/plan",
        f"{base}/report.json",
        f"{base}/report.html",
        f"{base}/report.pdf",
        f"{base}/heatmaps/corridors.svg",
        f"{base}/graph/stats",
        f"{base}/graph/gaps",
        f"{base}/graph/chains",
        f"{base}/nodes/{node_id}/downstream",
        f"{base}/assessments",
    ]
    return [actor.get(path).status_code for path in paths]


@pytest.fixture
def frozen(app: FastAPI) -> dict[str, datetime]:
    moment = {"now": datetime(2026, 11, 25, 9, 0, tzinfo=UTC)}
    app.dependency_overrides[clock] = lambda: moment["now"]
    return moment


def test_reads_by_a_viewer_and_an_analyst_leave_the_database_unchanged(
    world: World, engine: Engine, frozen: dict[str, datetime]
) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    sub_agent = ids["MM-SA-HPAAN"]
    answered(analyst, network_id, sub_agent, best_answers(RECRUITER_SAQ, **FEES_PAID))
    base = f"/api/v1/networks/{network_id}"

    # The acceptance (a write) refreshed the findings: the first read already sees them.
    listed = analyst.get(f"{base}/findings", params={"severity": "critical"}).json()
    assert listed["current"] is True and listed["generated_at"] is not None
    assert {f["code"] for f in listed["items"]} == {"RF_WORKER_PAID_FEES"}

    before = snapshot(engine)
    assert before["finding"], "the sweep must read real findings"
    for actor in (world.viewer_a, analyst):
        assert read_everything(actor, network_id, sub_agent) == [200] * 16
    assert snapshot(engine) == before

    # A year later the assessment has aged: reads say the findings are out of date, and still
    # write nothing; an explicit refresh (a POST) brings them up to date.
    frozen["now"] += timedelta(days=400)
    stale = world.viewer_a.get(f"{base}/findings").json()
    assert stale["current"] is False
    report = world.viewer_a.get(f"{base}/report.json").json()
    assert report["meta"]["findings_current"] is False
    assert any("may be out of date" in line for line in report["headline"])
    assert snapshot(engine) == before

    assert world.viewer_a.post(f"{base}/findings/refresh").status_code == 403
    refreshed = analyst.post(f"{base}/findings/refresh").json()
    assert refreshed["refreshed"] is True and refreshed["current"] is True
    again = analyst.post(f"{base}/findings/refresh").json()
    assert again["refreshed"] is False
    assert analyst.get(f"{base}/findings").json()["current"] is True


def test_dashboard_pages_leave_the_database_unchanged(
    world: World, client: TestClient, engine: Engine, frozen: dict[str, datetime]
) -> None:
    """The dashboard's pages (lists with their pages, searches and heatmap filters, the
    heatmaps, the jobs) read through the same services, and write nothing either."""
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ, **FEES_PAID))
    assert analyst.post(f"/api/v1/networks/{network_id}/plan").status_code in (200, 201)
    people = [signed_in(client, engine, u) for u in (world.viewer_a.user_id, analyst.user_id)]
    base = f"/dashboard/networks/{network_id}"
    paths = [path for path, _tab in dashboard_pages(world, network_id)] + [
        f"{base}/nodes?per_page=5&page=2&q=agent",
        f"{base}/nodes?origin=MM&sector=seafood_processing",
        f"{base}/nodes?principle=iris:1&principle_band=critical",
        f"{base}/nodes?page=99",
        f"{base}/findings?per_page=2&page=2&q=fees",
        f"{base}/plan?per_page=2&page=2",
        f"{base}/assessments?q=Hpa-An",
        f"{base}/training?q=crest&per_page=5",
        "/dashboard?q=seafood",
        "/dashboard/jobs?q=seafood",
    ]
    before = snapshot(engine)
    for person in people:
        assert [person.get(path).status_code for path in paths] == [200] * len(paths)
    assert snapshot(engine) == before


def test_findings_follow_a_change_without_anyone_reading_them(world: World, engine: Engine) -> None:
    """The refresh runs after the write that changed a cause, not on the next read."""
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ, **FEES_PAID))
    with engine.connect() as connection:
        codes = connection.execute(
            text("SELECT code FROM finding WHERE network_id = :n AND status = 'open'"),
            {"n": network_id},
        ).scalars()
        assert "RF_WORKER_PAID_FEES" in set(codes)

    # Deleting a node resolves its generated findings (kept for the audit trail) instead of
    # refusing the deletion because derived rows point at it.
    crew = ids["TH-DA-ANDAMANCREW"]
    query = text("SELECT id, status FROM finding WHERE node_id = :node AND source = 'generated'")
    with engine.connect() as connection:
        found = connection.execute(query, {"node": crew}).all()
    assert found and {status for _id, status in found} == {"open"}
    removed = analyst.delete(f"/api/v1/networks/{network_id}/nodes/{crew}")
    assert removed.status_code == 204, removed.text
    with engine.connect() as connection:
        after = connection.execute(
            text("SELECT node_id, status, status_reason FROM finding WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": [finding_id for finding_id, _status in found]},
        ).all()
    assert {tuple(row) for row in after} == {
        (None, "resolved", "resolved: the node was removed from the network")
    }


def test_a_respondent_saves_while_a_long_report_is_being_read(
    world: World, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report held open mid-render (a slow PDF on a big network) must not lock out the
    respondent's autosave: the read holds no write lock, and the token stamp commits alone."""
    network_id, _created, agent = setup_assessment(world)
    from api.routes import reports

    entered, release = threading.Event(), threading.Event()
    real_render = reports.render_pdf

    def slow_render(*args: Any, **kwargs: Any) -> bytes:
        entered.set()
        assert release.wait(30), "the test never released the report"
        return real_render(*args, **kwargs)

    monkeypatch.setattr(reports, "render_pdf", slow_render)
    results: dict[str, int] = {}

    def read_report() -> None:
        response = world.viewer_a.get(f"/api/v1/networks/{network_id}/report.pdf")
        results["report"] = response.status_code

    reader = threading.Thread(target=read_report)
    reader.start()
    try:
        assert entered.wait(30), "the report never started"
        saved = agent.put("/api/v1/respond/answers", json={"answers": {"D3": 12}})
        assert saved.status_code == 200, saved.text
        assert saved.json()["answers"]["D3"] == 12
    finally:
        release.set()
        reader.join(60)
    assert results["report"] == 200
    assert agent.get("/api/v1/respond/assessment").json()["answers"]["D3"] == 12
