"""The respondent's web form: link exchange, CSRF, sessions, saving, language, submit."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.web.respond import COOKIE, SESSION_SECONDS
from api.web.signing import sign, unsign
from core.clock import utcnow
from questionnaires.models import Invitation
from tests.builders import World
from tests.questionnaires.builders import assign, sub_agent_network
from tests.web.sessions import browser, csrf_of


def invited(world: World, name: str = "Hpa-An village sub-agent") -> tuple[dict, str]:
    network_id, ids = sub_agent_network(
        world.analyst_a, name, name=f"Network of {name}", migrant_workers=50
    )
    created = assign(world.analyst_a, network_id, ids["SA"])
    return created, created["invitation"]["token"]


def opened(client: TestClient, token: str) -> TestClient:
    respondent = browser(client)
    page = respondent.get(f"/respond/{token}")
    assert page.status_code == 200, page.text
    return respondent


def test_the_link_is_exchanged_for_a_strict_httponly_cookie(
    world: World, client: TestClient
) -> None:
    _created, token = invited(world)
    respondent = browser(client)
    page = respondent.get(f"/respond/{token}")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and token not in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/respond" in cookie
    assert f"Max-Age={SESSION_SECONDS}" in cookie
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert 'content="0;url=/respond/form"' in page.text and token not in page.text
    form = respondent.get("/respond/form")
    assert form.status_code == 200
    assert "Hpa-An village sub-agent" in form.text and "Org A" in form.text
    assert str(form.url).endswith("/respond/form")


@pytest.mark.parametrize(
    ("state", "status", "text"),
    [
        ("unknown", 401, "This link is not valid"),
        ("expired", 410, "This link has expired"),
        ("revoked", 410, "This link was replaced or withdrawn"),
    ],
)
def test_bad_links_get_a_friendly_page(
    world: World, client: TestClient, engine: Engine, state: str, status: int, text: str
) -> None:
    _created, token = invited(world)
    if state == "unknown":
        token = "fpi_not-a-real-token"
    with Session(engine) as session:
        if state == "expired":
            session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(days=1)))
        if state == "revoked":
            session.execute(update(Invitation).values(revoked_at=utcnow()))
        session.commit()
    page = browser(client).get(f"/respond/{token}")
    assert page.status_code == status
    assert text in page.text and "ask the company" in page.text.lower()
    assert "Traceback" not in page.text and COOKIE not in page.headers.get("set-cookie", "")


def test_no_cookie_tampered_or_old_cookie_means_no_access(
    world: World, client: TestClient, app: object
) -> None:
    _created, token = invited(world)
    assert browser(client).get("/respond/form").status_code == 401
    respondent = opened(client, token)
    value = respondent.cookies.get(COOKIE)
    assert value is not None
    tampered = browser(client)
    tampered.cookies.set(COOKIE, value[:-2] + "xx", path="/respond")
    assert tampered.get("/respond/form").status_code == 401
    secret = app.state.settings.signing_key()  # type: ignore[attr-defined]
    payload = unsign(value, secret, max_age=SESSION_SECONDS)
    assert payload is not None
    stale = browser(client)
    stale.cookies.set(
        COOKIE, sign(payload, secret, now=time.time() - SESSION_SECONDS - 5), path="/respond"
    )
    expired = stale.get("/respond/form")
    assert expired.status_code == 401 and "session has ended" in expired.text


def test_saving_a_step_partially_and_coming_back(world: World, client: TestClient) -> None:
    created, token = invited(world)
    respondent = opened(client, token)
    form = respondent.get("/respond/form?step=0")
    csrf = csrf_of(form.text)
    saved = respondent.post(
        "/respond/form",
        data={
            "csrf": csrf,
            "step": "0",
            "move": "stay",
            "present_LIC_01": "1",
            "q_LIC_01": "yes",
            "present_LIC_02": "1",
            "q_LIC_02": "MM-12345",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/respond/form?step=0&saved=1"
    view = world.analyst_a.get(
        f"/api/v1/networks/{created['network_id']}/assessments/{created['id']}"
    ).json()
    assert view["answers"]["LIC_01"] == "yes" and view["answers"]["LIC_02"] == "MM-12345"
    assert view["status"] == "in_progress"
    again = opened(client, token).get("/respond/form?step=0")
    assert ">MM-12345</textarea>" in again.text


def test_hidden_follow_ups_are_dropped_and_errors_keep_nothing(
    world: World, client: TestClient
) -> None:
    created, token = invited(world)
    respondent = opened(client, token)
    csrf = csrf_of(respondent.get("/respond/form?step=0").text)
    # Without JavaScript the follow-up may still be sent: a "no" gate hides it, so it is dropped.
    respondent.post(
        "/respond/form",
        data={
            "csrf": csrf,
            "step": "0",
            "present_LIC_01": "1",
            "q_LIC_01": "no",
            "present_LIC_02": "1",
            "q_LIC_02": "MM-12345",
        },
    )
    view = world.analyst_a.get(
        f"/api/v1/networks/{created['network_id']}/assessments/{created['id']}"
    ).json()
    assert view["answers"] == {"LIC_01": "no"}
    bad = respondent.post(
        "/respond/form",
        data={"csrf": csrf, "step": "0", "present_LIC_01": "1", "q_LIC_01": "maybe"},
    )
    assert bad.status_code == 422
    assert "Nothing in this step was saved" in bad.text and "is not an option" in bad.text


def test_csrf_is_required_and_checked(world: World, client: TestClient) -> None:
    created, token = invited(world)
    respondent = opened(client, token)
    data = {"step": "0", "present_LIC_01": "1", "q_LIC_01": "yes"}
    assert respondent.post("/respond/form", data=data).status_code == 403
    assert respondent.post("/respond/form", data={**data, "csrf": "forged"}).status_code == 403
    csrf = csrf_of(respondent.get("/respond/form").text)
    cross = respondent.post(
        "/respond/form", data={**data, "csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    other = opened(client, token)  # another session has another token
    assert other.post("/respond/form", data={**data, "csrf": csrf}).status_code == 403
    assert respondent.post("/respond/submit", data={"csrf": "x"}).status_code == 403
    view = world.analyst_a.get(
        f"/api/v1/networks/{created['network_id']}/assessments/{created['id']}"
    ).json()
    assert view["answers"] == {}


def test_language_switch_shows_translated_questions(world: World, client: TestClient) -> None:
    _created, token = invited(world)
    respondent = opened(client, token)
    page = respondent.get("/respond/form")
    assert 'lang="en"' in page.text and "नेपाली" in page.text
    changed = respondent.post(
        "/respond/language", data={"csrf": csrf_of(page.text), "language": "ne", "step": "0"}
    )
    assert changed.status_code == 200
    assert 'lang="ne"' in changed.text
    assert "not yet been reviewed by a native speaker" in changed.text
    assert "इजाजतपत्र" in changed.text  # "licence" in Nepali
    assert 'value="yes"' in changed.text  # option values stay language-independent


def test_review_lists_missing_answers_and_submit_needs_them(
    world: World, client: TestClient
) -> None:
    created, token = invited(world)
    respondent = opened(client, token)
    review = respondent.get("/respond/review")
    assert "required answers missing" in review.text
    assert 'href="/respond/form?step=0#q-LIC_01"' in review.text
    blocked = respondent.post("/respond/submit", data={"csrf": csrf_of(review.text)})
    assert blocked.status_code == 422 and "Not submitted yet" in blocked.text
    from questionnaires.library import library_document
    from tests.scoring.builders import best_answers

    answers = best_answers(library_document("recruiter-saq", 1))
    world.analyst_a.put(
        f"/api/v1/networks/{created['network_id']}/assessments/{created['id']}/answers",
        json={"answers": answers},
    )
    done = respondent.post("/respond/submit", data={"csrf": csrf_of(review.text)})
    assert done.status_code == 200 and "Thank you" in done.text
    base = f"/api/v1/networks/{created['network_id']}/assessments/{created['id']}"
    assert world.analyst_a.get(base).json()["status"] == "submitted"
    world.analyst_a.post(
        f"{base}/review",
        json={
            "decision": "return",
            "comment": "Please check the licence",
            "question_comments": {"LIC_01": "Upload the licence too"},
        },
    )
    returned = respondent.get("/respond/form?step=0")
    assert "Please check the licence" in returned.text
    assert "Upload the licence too" in returned.text


def test_hostile_names_show_as_text(world: World, client: TestClient) -> None:
    _created, token = invited(world, name='<script>alert("x")</script>')
    page = opened(client, token).get("/respond/form")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_a_session_opens_only_its_own_assessment(world: World, client: TestClient) -> None:
    _first, first_token = invited(world, name="First agent")
    _second, second_token = invited(world, name="Second agent")
    assert "First agent" in opened(client, first_token).get("/respond/form").text
    page = opened(client, second_token).get("/respond/form").text
    assert "Second agent" in page and "First agent" not in page
    assert opened(client, first_token).get("/api/v1/networks").status_code == 401


def test_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/fairpath.css").status_code == 200
    assert "show_if" in client.get("/static/respond.js").text


def test_broken_form_posts_get_the_friendly_page(world: World, client: TestClient) -> None:
    _created, token = invited(world)
    respondent = opened(client, token)
    broken = respondent.post("/respond/language", data={})
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("text/html")
    assert "The form expired" in broken.text and "csrf" not in broken.text
    nowhere = respondent.get("/respond/form/extra")
    assert nowhere.status_code == 404 and "This link is not valid" in nowhere.text
