"""Assessments through HTTP: the whole flow, the audit trail, invitations and evidence."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import utcnow
from questionnaires.models import Invitation
from tests.builders import Actor, World
from tests.questionnaires.builders import (
    COMPLETE_CLEAN,
    assign,
    mini_document,
    publish_mini,
    recruiter_network,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def respondent(world: World, token: str) -> Actor:
    return Actor(world.analyst_a.client, token)


def setup_assessment(world: World, **fields: object) -> tuple[int, dict, Actor]:
    questionnaire_id = publish_mini(world.analyst_a)
    network_id, ids = recruiter_network(world.analyst_a)
    created = assign(
        world.analyst_a, network_id, ids["DA"], questionnaire_id=questionnaire_id, **fields
    )
    return network_id, created, respondent(world, created["invitation"]["token"])


def test_assign_save_submit_return_fix_accept_end_to_end(world: World) -> None:
    analyst = world.analyst_a
    network_id, created, agent = setup_assessment(world, due_date="2027-01-31")
    base = f"/api/v1/networks/{network_id}/assessments/{created['id']}"
    assert created["status"] == "assigned"
    assert created["questionnaire"]["key"] == "mini-saq"
    assert created["invitation"]["token"].startswith("fpi_")
    assert created["invitation"]["url"].endswith(f"/respond/{created['invitation']['token']}")
    assert created["progress"] == {
        "answered": 0,
        "required": 4,
        "missing_required": ["F1", "D1", "D3", "D4"],
    }

    # The respondent sees their assessment and who asks for it, and saves part of it.
    view = agent.get("/api/v1/respond/assessment")
    assert view.status_code == 200, view.text
    assert view.json()["requested_by"] == "Org A"
    assert view.json()["respondent"] == "Agency"
    saved = agent.put("/api/v1/respond/answers", json={"answers": {"F1": "yes", "F3": "800"}})
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "in_progress"
    assert saved.json()["answers"] == {"F1": "yes", "F3": 800}
    assert saved.json()["progress"]["missing_required"] == ["F2", "D1", "D3", "D4"]

    early = agent.post("/api/v1/respond/submit")
    assert early.status_code == 422
    assert [e["question"] for e in early.json()["errors"]] == ["F2", "D1", "D3", "D4"]

    done = agent.put(
        "/api/v1/respond/answers",
        json={
            "answers": {"F2": ["service", "medical"], "D1": "2027-03-01", "D3": 35, "D4": "agency"}
        },
    )
    assert done.status_code == 200, done.text
    submitted = agent.post("/api/v1/respond/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    locked = agent.put("/api/v1/respond/answers", json={"answers": {"D3": 36}})
    assert locked.status_code == 409

    # The analyst returns it with comments; the respondent sees them and fixes the answer.
    returned = analyst.post(
        f"{base}/review",
        json={
            "decision": "return",
            "comment": "Check the passport answer",
            "question_comments": {"D4": "Are passports really kept by the agency?"},
        },
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    seen = agent.get("/api/v1/respond/assessment").json()
    assert seen["question_comments"] == {"D4": "Are passports really kept by the agency?"}
    assert seen["review_comment"] == "Check the passport answer"
    fixed = agent.put("/api/v1/respond/answers", json={"answers": {"D4": "locker"}})
    assert fixed.json()["status"] == "in_progress"
    assert agent.post("/api/v1/respond/submit").status_code == 200

    accepted = analyst.post(f"{base}/review", json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    final = accepted.json()
    assert final["status"] == "accepted"
    assert final["answers"] == {
        "F1": "yes",
        "F2": ["service", "medical"],
        "F3": 800,
        "D1": "2027-03-01",
        "D3": 35,
        "D4": "locker",
    }
    assert final["reviewed_at"] is not None and final["submitted_at"] is not None

    trail = analyst.get(f"{base}/events").json()
    assert [(e["action"], e["actor"], e["to_status"]) for e in trail] == [
        ("assigned", "user", "assigned"),
        ("invitation_issued", "user", None),
        ("answers_saved", "respondent", "in_progress"),
        ("answers_saved", "respondent", "in_progress"),
        ("submitted", "respondent", "submitted"),
        ("returned", "user", "returned"),
        ("answers_saved", "respondent", "in_progress"),
        ("submitted", "respondent", "submitted"),
        ("accepted", "user", "accepted"),
    ]
    assert trail[0]["user_id"] == analyst.user_id
    assert trail[2]["details"]["questions"] == ["F1", "F3"]
    assert trail[5]["details"]["question_comments"] == {
        "D4": "Are passports really kept by the agency?"
    }
    # Accepted is final, for everyone.
    assert agent.put("/api/v1/respond/answers", json={"answers": {"D3": 1}}).status_code == 409
    assert (
        analyst.post(f"{base}/review", json={"decision": "return", "comment": "x"}).status_code
        == 409
    )


def test_a_failed_save_writes_nothing(world: World) -> None:
    _network_id, _created, agent = setup_assessment(world)
    agent.put("/api/v1/respond/answers", json={"answers": {"D3": 10}})
    bad = agent.put("/api/v1/respond/answers", json={"answers": {"D4": "worker", "D1": "nope"}})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"question": "D1", "code": "bad_date", "message": "'nope' is not a date as YYYY-MM-DD"}
    ]
    assert agent.get("/api/v1/respond/assessment").json()["answers"] == {"D3": 10}


def test_changing_a_gate_answer_clears_hidden_follow_ups(world: World) -> None:
    _network_id, _created, agent = setup_assessment(world)
    agent.put("/api/v1/respond/answers", json={"answers": {"F1": "yes", "F3": 20, "F4": "visa"}})
    changed = agent.put("/api/v1/respond/answers", json={"answers": {"F1": "no"}})
    assert changed.json()["answers"] == {"F1": "no"}


def test_an_autosave_asking_for_return_minimal_gets_a_receipt(world: World) -> None:
    _network_id, _created, agent = setup_assessment(world)
    full = agent.put("/api/v1/respond/answers", json={"answers": {"D3": 10}})
    assert "questionnaire" in full.json() and "preference-applied" not in full.headers
    assert full.headers["vary"] == "Prefer"

    minimal = agent.put(
        "/api/v1/respond/answers",
        json={"answers": {"F1": "yes", "F3": 20, "F4": "visa"}},
        headers={"Prefer": "respond-async, return=minimal"},
    )
    assert minimal.status_code == 200, minimal.text
    assert minimal.headers["preference-applied"] == "return=minimal"
    receipt = minimal.json()
    assert set(receipt) == {"assessment_id", "status", "answers", "progress", "updated_at"}
    assert receipt["answers"] == {"D3": 10, "F1": "yes", "F3": 20, "F4": "visa"}
    assert receipt["status"] == "in_progress"
    assert receipt["progress"]["missing_required"] == ["F2", "D1", "D4"]
    # What show_if clears comes back too: the client must not keep showing a hidden answer.
    cleared = agent.put(
        "/api/v1/respond/answers",
        json={"answers": {"F1": "no"}},
        headers={"Prefer": "return=minimal"},
    )
    assert cleared.json()["answers"] == {"D3": 10, "F1": "no"}
    assert agent.get("/api/v1/respond/assessment").json()["answers"] == {"D3": 10, "F1": "no"}
    # A refused save is a problem document whatever the preference.
    bad = agent.put(
        "/api/v1/respond/answers",
        json={"answers": {"D1": "nope"}},
        headers={"Prefer": "return=minimal"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["question"] == "D1"


def test_respondent_token_opens_one_assessment_and_nothing_else(world: World) -> None:
    network_id, created, agent = setup_assessment(world)
    # Not an API token: no network data, no other assessment.
    assert agent.get("/api/v1/networks").status_code == 401
    assert agent.get(f"/api/v1/networks/{network_id}").status_code == 401
    assert agent.get(f"/api/v1/networks/{network_id}/assessments").status_code == 401
    assert agent.get("/api/v1/questionnaires").status_code == 401
    other = world.analyst_a.post(
        f"/api/v1/networks/{network_id}/assessments/{created['id']}/invitations", json={}
    )
    assert other.status_code == 201
    # Re-issuing revoked the first link.
    gone = agent.get("/api/v1/respond/assessment")
    assert gone.status_code == 401
    assert "replaced or withdrawn" in gone.json()["detail"]
    # An API token is not an invitation either.
    assert world.analyst_a.get("/api/v1/respond/assessment").status_code == 401
    assert Actor(agent.client, "fpi_unknown").get("/api/v1/respond/assessment").status_code == 401
    assert Actor(agent.client, None).get("/api/v1/respond/assessment").status_code == 401


def test_another_assessment_token_sees_only_its_own(world: World) -> None:
    network_id, first, agent = setup_assessment(world)
    ids = {
        n["external_id"]: n["id"]
        for n in world.analyst_a.get(f"/api/v1/networks/{network_id}/nodes").json()["items"]
    }
    second = assign(
        world.analyst_a, network_id, ids["SA"], questionnaire_id=first["questionnaire"]["id"]
    )
    other_agent = respondent(world, second["invitation"]["token"])
    other_agent.put("/api/v1/respond/answers", json={"answers": {"D3": 3}})
    assert agent.get("/api/v1/respond/assessment").json()["assessment_id"] == first["id"]
    assert agent.get("/api/v1/respond/assessment").json()["answers"] == {}
    assert other_agent.get("/api/v1/respond/assessment").json()["respondent"] == "Sub-agent"


def test_expired_and_revoked_invitations_get_401(world: World, engine: Engine) -> None:
    network_id, created, agent = setup_assessment(world)
    with Session(engine) as session:
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    expired = agent.get("/api/v1/respond/assessment")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]

    base = f"/api/v1/networks/{network_id}/assessments/{created['id']}/invitations"
    fresh = world.analyst_a.post(base, json={"expires_in_days": 7}).json()
    new_agent = respondent(world, fresh["token"])
    assert new_agent.get("/api/v1/respond/assessment").status_code == 200
    listed = world.analyst_a.get(base).json()
    assert [i["revoked_at"] is None for i in listed] == [False, True]
    assert listed[1]["last_used_at"] is not None
    assert "token" not in listed[1]
    revoked = world.analyst_a.delete(f"{base}/{fresh['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert new_agent.get("/api/v1/respond/assessment").status_code == 401


def test_roles_on_the_staff_endpoints(world: World) -> None:
    network_id, created, agent = setup_assessment(world)
    base = f"/api/v1/networks/{network_id}/assessments"
    ids = {
        n["external_id"]: n["id"]
        for n in world.analyst_a.get(f"/api/v1/networks/{network_id}/nodes").json()["items"]
    }
    # Viewers read but never write.
    assert world.viewer_a.get(f"{base}/{created['id']}").status_code == 200
    assert world.viewer_a.post(base, json={"node_id": ids["DA"]}).status_code == 403
    assert (
        world.viewer_a.put(
            f"{base}/{created['id']}/answers", json={"answers": {"D3": 1}}
        ).status_code
        == 403
    )
    agent.put("/api/v1/respond/answers", json={"answers": COMPLETE_CLEAN})
    agent.post("/api/v1/respond/submit")
    assert (
        world.viewer_a.post(
            f"{base}/{created['id']}/review", json={"decision": "accept"}
        ).status_code
        == 403
    )
    # Another organisation cannot see that any of it exists.
    for url in (
        f"{base}/{created['id']}",
        f"{base}/{created['id']}/events",
        f"{base}/{created['id']}/evidence",
        base,
    ):
        assert world.analyst_b.get(url).status_code == 404, url
    assert (
        world.analyst_b.post(
            f"{base}/{created['id']}/review", json={"decision": "accept"}
        ).status_code
        == 404
    )
    # Programme staff (admin) may review any organisation's assessment.
    accepted = world.admin.post(f"{base}/{created['id']}/review", json={"decision": "accept"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_review_needs_a_submitted_assessment_and_a_reason_to_return(world: World) -> None:
    network_id, created, agent = setup_assessment(world)
    url = f"/api/v1/networks/{network_id}/assessments/{created['id']}/review"
    early = world.analyst_a.post(url, json={"decision": "accept"})
    assert early.status_code == 409
    agent.put("/api/v1/respond/answers", json={"answers": COMPLETE_CLEAN})
    agent.post("/api/v1/respond/submit")
    silent = world.analyst_a.post(url, json={"decision": "return"})
    assert silent.status_code == 422
    assert silent.json()["errors"][0]["field"] == "comment"
    unknown = world.analyst_a.post(
        url, json={"decision": "return", "question_comments": {"Z1": "what?"}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "question_comments.Z1"


def test_analyst_can_answer_on_behalf_and_submit(world: World) -> None:
    network_id, created, _agent = setup_assessment(world)
    base = f"/api/v1/networks/{network_id}/assessments/{created['id']}"
    saved = world.analyst_a.put(f"{base}/answers", json={"answers": COMPLETE_CLEAN})
    assert saved.status_code == 200, saved.text
    submitted = world.analyst_a.post(f"{base}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    trail = world.analyst_a.get(f"{base}/events").json()
    assert trail[-1]["actor"] == "user" and trail[-1]["user_id"] == world.analyst_a.user_id


def test_list_assessments_filters_and_paginates(world: World) -> None:
    network_id, first, agent = setup_assessment(world, due_date="2020-01-01")
    ids = {
        n["external_id"]: n["id"]
        for n in world.analyst_a.get(f"/api/v1/networks/{network_id}/nodes").json()["items"]
    }
    assign(
        world.analyst_a,
        network_id,
        ids["SA"],
        questionnaire_id=first["questionnaire"]["id"],
        due_date="2099-01-01",
    )
    agent.put("/api/v1/respond/answers", json={"answers": {"D3": 1}})
    base = f"/api/v1/networks/{network_id}/assessments"
    everything = world.analyst_a.get(base).json()
    assert everything["total"] == 2
    assert [a["status"] for a in everything["items"]] == ["in_progress", "assigned"]
    assert world.analyst_a.get(base, params={"status": "assigned"}).json()["total"] == 1
    overdue = world.analyst_a.get(base, params={"overdue": True}).json()
    assert [a["id"] for a in overdue["items"]] == [first["id"]]
    assert overdue["items"][0]["overdue"] is True
    by_node = world.analyst_a.get(base, params={"node_id": ids["SA"]}).json()
    assert [a["node"]["external_id"] for a in by_node["items"]] == ["SA"]
    page = world.analyst_a.get(base, params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert world.analyst_a.get(base, params={"status": "lost"}).status_code == 422


def test_assignment_refuses_what_does_not_fit(world: World) -> None:
    questionnaire_id = publish_mini(world.analyst_a)
    network_id, ids = recruiter_network(world.analyst_a)
    base = f"/api/v1/networks/{network_id}/assessments"
    wrong_kind = world.analyst_a.post(
        base, json={"node_id": ids["S1"], "questionnaire_id": questionnaire_id}
    )
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["field"] == "questionnaire_id"
    no_language = world.analyst_a.post(
        base, json={"node_id": ids["DA"], "questionnaire_id": questionnaire_id, "language": "xx"}
    )
    assert no_language.status_code == 422
    assert no_language.json()["errors"][0]["field"] == "language"
    missing_node = world.analyst_a.post(base, json={"node_id": 99999})
    assert missing_node.status_code == 404
    foreign = world.analyst_b.post(base, json={"node_id": ids["DA"]})
    assert foreign.status_code == 404
    other_org_questionnaire = publish_mini(world.analyst_b)
    hidden = world.analyst_a.post(
        base, json={"node_id": ids["DA"], "questionnaire_id": other_org_questionnaire}
    )
    assert hidden.status_code == 404


def test_evidence_upload_checks_type_size_and_question(world: World) -> None:
    network_id, created, agent = setup_assessment(world)
    upload = "/api/v1/respond/evidence"
    ok = agent.post(
        upload,
        data={"question_id": "D2"},
        files={"file": ("../../licence scan.PDF", PDF, "application/pdf")},
    )
    assert ok.status_code == 201, ok.text
    evidence = ok.json()
    assert evidence["media_type"] == "application/pdf"
    assert "/" not in evidence["filename"] and evidence["filename"].endswith(".pdf")
    assert evidence["size"] == len(PDF)
    # Uploading to a file question answers it.
    assert agent.get("/api/v1/respond/assessment").json()["answers"]["D2"] == [evidence["id"]]
    downloaded = agent.get(f"/api/v1/respond/evidence/{evidence['id']}")
    assert downloaded.status_code == 200 and downloaded.content == PDF

    disguised = agent.post(
        upload,
        data={"question_id": "D2"},
        files={"file": ("licence.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert disguised.status_code == 415
    html = agent.post(
        upload,
        data={"question_id": "D2"},
        files={"file": ("x.png", b"<html><script>alert(1)</script>", "image/png")},
    )
    assert html.status_code == 415
    empty = agent.post(upload, data={"question_id": "D2"}, files={"file": ("a.pdf", b"", "x")})
    assert empty.status_code == 422
    unknown = agent.post(
        upload, data={"question_id": "ZZ"}, files={"file": ("a.png", PNG, "image/png")}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "question_id"
    hidden = agent.post(
        upload, data={"question_id": "F4"}, files={"file": ("a.png", PNG, "image/png")}
    )
    assert hidden.status_code == 422

    # A file answer may only cite files uploaded for that question of this assessment.
    forged = agent.put("/api/v1/respond/answers", json={"answers": {"D2": [evidence["id"], 999]}})
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["question"] == "D2"

    listed = world.analyst_a.get(
        f"/api/v1/networks/{network_id}/assessments/{created['id']}/evidence"
    ).json()
    assert [e["id"] for e in listed] == [evidence["id"]]
    assert (
        world.analyst_b.get(
            f"/api/v1/networks/{network_id}/assessments/{created['id']}/evidence/{evidence['id']}"
        ).status_code
        == 404
    )


def test_evidence_size_limit(world: World, app: object) -> None:
    _network_id, _created, agent = setup_assessment(world)
    limit = app.state.settings.max_evidence_bytes  # type: ignore[attr-defined]
    big = PDF + b"0" * limit
    response = agent.post(
        "/api/v1/respond/evidence",
        data={"question_id": "D2"},
        files={"file": ("big.pdf", big, "application/pdf")},
    )
    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_custom_questionnaires_are_validated_versioned_and_scoped(world: World) -> None:
    analyst = world.analyst_a
    bad = mini_document()
    bad["sections"][0]["questions"][1]["show_if"] = {"question": "D4", "equals": "worker"}
    refused = analyst.post("/api/v1/questionnaires", json=bad)
    assert refused.status_code == 422
    assert "not an earlier question" in refused.json()["errors"][0]["message"]
    created_id = publish_mini(analyst)
    again = analyst.post("/api/v1/questionnaires", json=mini_document())
    assert again.status_code == 409
    v2 = analyst.post("/api/v1/questionnaires", json=mini_document(version=2, title="Mini v2"))
    assert v2.status_code == 201
    yaml_body = "id: mini-yaml\nversion: 1\ntitle: From YAML\napplies_to: {kinds: [supplier]}\n"
    yaml_body += (
        "sections:\n- id: s\n  title: Section\n  questions:\n  - {id: Q1, text: Why is that,"
        " type: text, weight: 0, evidences: ['iris:3']}\n"
    )
    from_yaml = analyst.post(
        "/api/v1/questionnaires", content=yaml_body, headers={"Content-Type": "application/yaml"}
    )
    assert from_yaml.status_code == 201, from_yaml.text
    assert (
        analyst.post(
            "/api/v1/questionnaires", content="x", headers={"Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    assert (
        analyst.post(
            "/api/v1/questionnaires", content="{", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        world.viewer_a.post("/api/v1/questionnaires", json=mini_document(id="v")).status_code == 403
    )
    mine = {(q["key"], q["version"]) for q in analyst.get("/api/v1/questionnaires").json()}
    assert {("mini-saq", 1), ("mini-saq", 2), ("mini-yaml", 1)} <= mine
    theirs = {q["key"] for q in world.analyst_b.get("/api/v1/questionnaires").json()}
    assert "mini-saq" not in theirs
    assert world.analyst_b.get(f"/api/v1/questionnaires/{created_id}").status_code == 404
    latest = analyst.get(
        "/api/v1/questionnaires", params={"key": "mini-saq", "latest_only": True}
    ).json()
    assert [(q["version"], q["title"]) for q in latest] == [(2, "Mini v2")]


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_respondent_api_never_shows_how_answers_score(world: World) -> None:
    _network_id, created, agent = setup_assessment(world)
    analyst_view = world.analyst_a.get(
        f"/api/v1/questionnaires/{created['questionnaire']['id']}"
    ).json()["document"]
    # The analyst's document has the scoring (the library's recruiter questionnaire does).
    assert {"points", "weight", "red_flag", "red_flags"} <= _keys(analyst_view)
    for response in (
        agent.get("/api/v1/respond/assessment"),
        agent.put("/api/v1/respond/answers", json={"answers": {}}),
    ):
        assert response.status_code == 200, response.text
        document = response.json()["questionnaire"]
        leaked = _keys(document) & {
            "points",
            "weight",
            "red_flag",
            "red_flags",
            "bands",
            "multi_scoring",
            "evidences",
        }
        assert leaked == set()
        assert "RF_" not in response.text
        # Still enough to answer: every question with its options and conditions.
        questions = [q for s in document["sections"] for q in s["questions"]]
        analyst_questions = [q for s in analyst_view["sections"] for q in s["questions"]]
        assert [q["id"] for q in questions] == [q["id"] for q in analyst_questions]
        choice = next(q for q in questions if q.get("options"))
        assert all(set(o) >= {"value", "label"} for o in choice["options"])
        assert any("show_if" in q for q in questions)
