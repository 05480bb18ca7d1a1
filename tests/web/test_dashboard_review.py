"""Dashboard review and follow-up: reading answers, per-question comments, findings, actions."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from questionnaires.definition import Questionnaire
from questionnaires.library import library_documents
from tests.builders import World
from tests.web.sessions import browser, csrf_of, session_csrf, signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def recruiter_saq() -> Questionnaire:
    return next(q for q in library_documents() if q.id == "recruiter-saq")


def assessment_of(world: World, network_id: int, external_id: str) -> dict:
    listing = world.analyst_a.get(
        f"/api/v1/networks/{network_id}/assessments", params={"limit": 100}
    ).json()
    return next(a for a in listing["items"] if a["node"]["external_id"] == external_id)


def option_label(questionnaire: Questionnaire, question_id: str, value: str) -> str:
    option = questionnaire.question(question_id).option(value)
    assert option is not None
    return option.label


def test_reviewer_reads_the_answers_in_words(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    saq = recruiter_saq()
    hpa_an = assessment_of(world, seafood, "MM-SA-HPAAN")
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    page = viewer.get(f"/dashboard/networks/{seafood}/assessments/{hpa_an['id']}")
    assert page.status_code == 200
    text = page.text
    flag = next(f for f in saq.red_flags if f.code == "RF_WORKER_PAID_FEES")
    assert flag.title in text and "1 red flag" in text
    # Multi-choice answers appear as their labels, numbers with their unit.
    for value in ("fee", "med"):
        assert option_label(saq, "FEE_03", value) in text
    unit = saq.question("FEE_04").unit
    assert f"1,500,000{' ' + unit if unit else ''}" in text
    assert 'id="q-FEE_02"' in text and 'class="answer flagged"' in text
    # Accepted and read by a viewer: no review form.
    assert 'action="/dashboard/networks' not in text.split("<h2>History</h2>")[0]
    assert "accepted" in text.split("<h2>History</h2>")[1]


def test_returning_with_question_comments_reaches_the_respondent(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    saq = recruiter_saq()
    shwe_pyi = assessment_of(world, seafood, "MM-OA-SHWEPYI")
    assert shwe_pyi["status"] == "submitted"
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    listing = analyst.get(f"/dashboard/networks/{seafood}/assessments?status=submitted").text
    assert f"/assessments/{shwe_pyi['id']}" in listing and "to review" in listing
    url = f"/dashboard/networks/{seafood}/assessments/{shwe_pyi['id']}"
    page = analyst.get(url).text
    assert option_label(saq, "ORI_01", "some") in page
    asked = re.findall(r'name="question" value="([A-Z0-9_]+)"', page)
    assert "ORI_01" in asked and len(asked) == len(set(asked)) > 20
    comments = ["" for _ in asked]
    comments[asked.index("ORI_01")] = "Which workers missed the orientation, and why?"

    nothing = analyst.post(
        f"{url}/review",
        data={
            "csrf": csrf_of(page),
            "decision": "return",
            "question": asked,
            "question_comment": ["  " for _ in asked],
        },
    )
    assert nothing.status_code == 422 and "Say what the respondent must fix" in nothing.text

    returned = analyst.post(
        f"{url}/review",
        data={
            "csrf": csrf_of(page),
            "decision": "return",
            "comment": "",
            "question": asked,
            "question_comment": comments,
        },
        follow_redirects=False,
    )
    assert returned.status_code == 303 and returned.headers["location"] == url
    api = world.analyst_a.get(f"/api/v1/networks/{seafood}/assessments/{shwe_pyi['id']}").json()
    assert api["status"] == "returned"
    assert api["question_comments"] == {"ORI_01": "Which workers missed the orientation, and why?"}
    after = analyst.get(url).text
    assert "Which workers missed the orientation, and why?" in after
    assert 'name="decision"' not in after  # returned: nothing left to decide

    link = world.analyst_a.post(
        f"/api/v1/networks/{seafood}/assessments/{shwe_pyi['id']}/invitations", json={}
    ).json()["url"]
    respondent = browser(client)
    assert respondent.get(urlsplit(link).path).status_code == 200
    step = next(i for i, s in enumerate(saq.sections) if any(q.id == "ORI_01" for q in s.questions))
    form = respondent.get(f"/respond/form?step={step}").text
    assert "The reviewer returned your answers: See the reviewer's comments beside the" in (
        " ".join(unescape(re.sub(r"<[^>]+>", "", form)).split())
    )
    question = form[form.index('id="q-ORI_01"') :]
    assert (
        "Which workers missed the orientation, and why?"
        in question[: question.index('class="question')]
    )


def test_viewers_and_forged_posts_cannot_review(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    shwe_pyi = assessment_of(world, seafood, "MM-OA-SHWEPYI")
    url = f"/dashboard/networks/{seafood}/assessments/{shwe_pyi['id']}"
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert 'name="decision"' not in viewer.get(url).text
    refused = viewer.post(
        f"{url}/review", data={"csrf": session_csrf(viewer), "decision": "accept"}
    )
    assert refused.status_code == 403 and "Viewers cannot review" in refused.text
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    forged = analyst.post(f"{url}/review", data={"csrf": "forged", "decision": "accept"})
    assert forged.status_code == 403
    # A post missing its fields gets a page naming them, not a JSON document.
    broken = analyst.post(f"{url}/review", data={})
    assert broken.status_code == 422 and broken.headers["content-type"].startswith("text/html")
    assert "csrf" in broken.text and "decision" in broken.text
    status = world.analyst_a.get(f"/api/v1/networks/{seafood}/assessments/{shwe_pyi['id']}")
    assert status.json()["status"] == "submitted"


def test_dismissing_and_reopening_a_finding(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    page = analyst.get(f"/dashboard/networks/{seafood}/findings?severity=medium").text
    finding_id = re.search(r'id="f-(\d+)"', page).group(1)  # type: ignore[union-attr]
    url = f"/dashboard/networks/{seafood}/findings/{finding_id}/status"
    api = f"/api/v1/networks/{seafood}/findings/{finding_id}"

    unexplained = analyst.post(url, data={"csrf": csrf_of(page), "status": "dismissed"})
    assert unexplained.status_code == 422 and "Say why the finding is dismissed" in unexplained.text
    assert world.analyst_a.get(api).json()["status"] == "open"

    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert 'name="reason"' not in viewer.get(f"/dashboard/networks/{seafood}/findings").text
    refused = viewer.post(
        url, data={"csrf": session_csrf(viewer), "status": "dismissed", "reason": "no"}
    )
    assert refused.status_code == 403

    dismissed = analyst.post(
        url,
        data={"csrf": csrf_of(page), "status": "dismissed", "reason": "Site visit: lockers fitted"},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    assert dismissed.headers["location"].endswith(f"status=dismissed#f-{finding_id}")
    finding = world.analyst_a.get(api).json()
    assert (finding["status"], finding["status_reason"]) == (
        "dismissed",
        "Site visit: lockers fitted",
    )
    listed = analyst.get(f"/dashboard/networks/{seafood}/findings?status=dismissed").text
    assert f'id="f-{finding_id}"' in listed and "Site visit: lockers fitted" in listed
    assert (
        f'id="f-{finding_id}"'
        not in analyst.get(f"/dashboard/networks/{seafood}/findings?severity=medium").text
    )

    reopened = analyst.post(url, data={"csrf": csrf_of(page), "status": "open"})
    assert reopened.status_code == 200
    assert world.analyst_a.get(api).json()["status"] == "open"
    bad = analyst.get(f"/dashboard/networks/{seafood}/findings?status=closed")
    assert bad.status_code == 422 and "'closed' is not a finding status" in unescape(bad.text)


def test_following_an_action_to_completion(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    plan = analyst.get(f"/dashboard/networks/{seafood}/plan").text
    action_id = re.search(r'/plan/actions/(\d+)">', plan).group(1)  # type: ignore[union-attr]
    url = f"/dashboard/networks/{seafood}/plan/actions/{action_id}"
    api = f"/api/v1/networks/{seafood}/plan/actions/{action_id}"
    before = world.analyst_a.get(api).json()
    page = analyst.get(url).text
    csrf = csrf_of(page)

    edited = analyst.post(
        f"{url}/edit",
        data={
            "csrf": csrf,
            "title": before["title"],
            "owner_name": "Group compliance team",
            "due_date": "2027-03-31",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303 and edited.headers["location"] == url
    after = world.analyst_a.get(api).json()
    assert after["owner_name"] == "Group compliance team" and after["due_date"] == "2027-03-31"
    assert after["title"] == before["title"]
    wrong = analyst.post(
        f"{url}/edit",
        data={"csrf": csrf, "title": before["title"], "owner_name": "x", "due_date": "31/03"},
    )
    assert wrong.status_code == 422 and "'31/03' is not a date" in unescape(wrong.text)

    assert analyst.post(f"{url}/comment", data={"csrf": csrf, "comment": "  "}).status_code == 422
    analyst.post(f"{url}/comment", data={"csrf": csrf, "comment": "Called the supplier's HR"})
    uploaded = analyst.post(
        f"{url}/evidence",
        data={"csrf": csrf},
        files={"file": ("receipts.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    detail = analyst.get(url).text
    evidence = re.search(rf'href="({re.escape(url)}/evidence/\d+)">receipts.pdf', detail)
    assert evidence is not None
    assert analyst.get(evidence.group(1)).content == PDF
    assert "Called the supplier&#39;s HR" in detail and "Group compliance team" in detail

    moved = analyst.post(
        f"{url}/status",
        data={"csrf": csrf, "status": "in_progress", "back": "action"},
        follow_redirects=False,
    )
    assert moved.headers["location"] == url
    history = [e["kind"] for e in world.analyst_a.get(f"{api}/history").json()]
    assert history[-4:] == ["edited", "comment", "evidence", "status"]

    other = signed_in(client, engine, world.analyst_b.user_id)
    for path in (url, evidence.group(1)):
        assert other.get(path).status_code == 404, path


def test_building_the_plan_from_the_dashboard(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    page = analyst.get(f"/dashboard/networks/{seafood}/plan").text
    before = world.analyst_a.get(f"/api/v1/networks/{seafood}/plan").json()["metrics"]["total"]
    built = analyst.post(f"/dashboard/networks/{seafood}/plan", data={"csrf": csrf_of(page)})
    after = world.analyst_a.get(f"/api/v1/networks/{seafood}/plan").json()["metrics"]["total"]
    added = after - before
    assert built.status_code == 200
    expected = f"{added} new action{'s' if added != 1 else ''} added"
    assert expected in built.text
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert (
        "Add actions for new findings" not in viewer.get(f"/dashboard/networks/{seafood}/plan").text
    )


def test_unknown_dashboard_pages_are_html(world: World, client: TestClient, engine: Engine) -> None:
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    missing = analyst.get("/dashboard/nowhere")
    assert missing.status_code == 404 and "There is no such page" in missing.text
    assert (
        client.get("/api/v1/nowhere").headers["content-type"].startswith("application/problem+json")
    )
