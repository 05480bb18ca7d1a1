"""Dashboard pages: sign-in, throttling, sessions, isolation, roles, downloads, escaping."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts.models import User
from api.web.dashboard import SESSION_COOKIE, SESSION_SECONDS
from api.web.signing import sign, unsign
from tests.builders import World, network_with, node
from tests.web.sessions import (
    PASSWORD,
    browser,
    csrf_of,
    session_csrf,
    signed_in,
    with_password,
)


def test_sign_in_sets_a_strict_session_cookie(
    world: World, client: TestClient, engine: Engine
) -> None:
    email = with_password(engine, world.analyst_a.user_id)
    person = browser(client)
    assert person.get("/dashboard", follow_redirects=False).headers["location"] == (
        "/login?next=/dashboard"
    )
    form = person.get("/login")
    response = person.post(
        "/login",
        data={"email": email.upper(), "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = person.get("/dashboard")
    assert page.status_code == 200 and email in page.text


def test_wrong_passwords_are_throttled(world: World, client: TestClient, engine: Engine) -> None:
    email = with_password(engine, world.viewer_a.user_id)
    person = browser(client)
    csrf = csrf_of(person.get("/login").text)
    for _ in range(5):
        wrong = person.post("/login", data={"email": email, "password": "nope", "csrf": csrf})
        assert wrong.status_code == 401 and "not right" in wrong.text
    blocked = person.post("/login", data={"email": email, "password": PASSWORD, "csrf": csrf})
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    unknown = person.post(
        "/login", data={"email": "nobody@example.org", "password": "x", "csrf": csrf}
    )
    assert unknown.status_code == 401


def test_sign_in_needs_the_form_token(world: World, client: TestClient, engine: Engine) -> None:
    email = with_password(engine, world.analyst_a.user_id)
    refused = browser(client).post(
        "/login", data={"email": email, "password": PASSWORD, "csrf": "forged"}
    )
    assert refused.status_code == 403


def test_expired_or_tampered_sessions_go_back_to_sign_in(
    world: World, client: TestClient, engine: Engine, app: object
) -> None:
    person = signed_in(client, engine, world.analyst_a.user_id)
    value = person.cookies.get(SESSION_COOKIE)
    assert value is not None
    secret = app.state.settings.signing_key()  # type: ignore[attr-defined]
    payload = unsign(value, secret, max_age=SESSION_SECONDS)
    assert payload is not None
    old = browser(client)
    old.cookies.set(SESSION_COOKIE, sign(payload, secret, now=time.time() - SESSION_SECONDS - 1))
    assert old.get("/dashboard", follow_redirects=False).status_code == 303
    forged = browser(client)
    forged.cookies.set(SESSION_COOKIE, value[:-3] + "abc")
    assert forged.get("/dashboard", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # rendering only
def test_pages_show_only_the_organisation_s_networks(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    mine = signed_in(client, engine, world.analyst_a.user_id)
    theirs = signed_in(client, engine, world.analyst_b.user_id)
    assert "Thai seafood supply chain" in mine.get("/dashboard").text
    assert "Thai seafood supply chain" not in theirs.get("/dashboard").text
    api = f"/api/v1/networks/{seafood}"
    node_id = world.analyst_a.get(f"{api}/nodes").json()["items"][0]["id"]
    assessment_id = world.analyst_a.get(f"{api}/assessments").json()["items"][0]["id"]
    action_id = world.analyst_a.get(f"{api}/plan").json()["items"][0]["id"]
    pages = (
        "",
        "/nodes",
        f"/nodes/{node_id}",
        "/assessments",
        f"/assessments/{assessment_id}",
        "/findings",
        "/plan",
        f"/plan/actions/{action_id}",
        "/download/report.pdf",
        "/download/plan.csv",
    )
    for path in pages:
        assert mine.get(f"/dashboard/networks/{seafood}{path}").status_code == 200, path
        refused = theirs.get(f"/dashboard/networks/{seafood}{path}")
        assert refused.status_code == 404, path
        assert "Thai seafood" not in refused.text, path
    overview = mine.get(f"/dashboard/networks/{seafood}").text
    assert "<svg" in overview and "Worst chains" in overview
    assert "Hpa-An village sub-agent" in overview


def test_node_page_explains_the_score(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    listing = person.get(
        f"/dashboard/networks/{seafood}/nodes", params={"kind": "recruiter", "band": "critical"}
    ).text
    match = re.search(rf'href="/dashboard/networks/{seafood}/nodes/(\d+)">Hpa-An', listing)
    assert match is not None
    page = person.get(f"/dashboard/networks/{seafood}/nodes/{match.group(1)}").text
    assert "Workers paid recruitment fees" in page or "RF_WORKER_PAID_FEES" in page
    assert "US TIP Report tier" in page and "recruiter-saq v2" in page
    assert "components known" in page  # the coverage of the inherent risk
    # A Thai processor: its TIP tier comes from a secondary source, and the page says so.
    processors = person.get(
        f"/dashboard/networks/{seafood}/nodes", params={"kind": "supplier", "country": "TH"}
    ).text
    processor = re.search(rf'href="/dashboard/networks/{seafood}/nodes/(\d+)"', processors)
    assert processor is not None
    processor_page = person.get(f"/dashboard/networks/{seafood}/nodes/{processor.group(1)}").text
    assert "secondary source" in processor_page
    assert "Sector:" in processor_page


def test_action_status_changes_follow_roles(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    plan = analyst.get(f"/dashboard/networks/{seafood}/plan").text
    action_id = re.search(r'id="action-(\d+)"', plan).group(1)  # type: ignore[union-attr]
    viewer_plan = viewer.get(f"/dashboard/networks/{seafood}/plan").text
    assert "status-form" not in viewer_plan
    url = f"/dashboard/networks/{seafood}/plan/actions/{action_id}/status"
    forged = viewer.post(
        url,
        data={
            "csrf": session_csrf(viewer),
            "status": "in_progress",
        },
    )
    assert forged.status_code == 403
    assert analyst.post(url, data={"csrf": "wrong", "status": "in_progress"}).status_code == 403
    moved = analyst.post(url, data={"csrf": csrf_of(plan), "status": "in_progress"})
    assert moved.status_code == 200 and f'id="action-{action_id}"' in moved.text
    api = world.analyst_a.get(f"/api/v1/networks/{seafood}/plan/actions/{action_id}").json()
    assert api["status"] == "in_progress"
    refused = analyst.post(url, data={"csrf": csrf_of(plan), "status": "verified"})
    assert refused.status_code in (403, 409)


def test_reissuing_an_invitation_link(
    world: World, client: TestClient, engine: Engine, seafood: int
) -> None:
    analyst = signed_in(client, engine, world.analyst_a.user_id)
    page = analyst.get(f"/dashboard/networks/{seafood}/assessments").text
    assessment_id = re.search(r"/assessments/(\d+)/invitation", page).group(1)  # type: ignore[union-attr]
    new = analyst.post(
        f"/dashboard/networks/{seafood}/assessments/{assessment_id}/invitation",
        data={"csrf": csrf_of(page)},
    )
    assert new.status_code == 200
    link = re.search(r'value="(http[^"]+/respond/fpi_[^"]+)"', new.text)
    assert link is not None
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert "New link" not in viewer.get(f"/dashboard/networks/{seafood}/assessments").text


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # rendering only
def test_downloads(world: World, client: TestClient, engine: Engine, seafood: int) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    base = f"/dashboard/networks/{seafood}/download"
    assert person.get(f"{base}/report.pdf").content.startswith(b"%PDF")
    assert "Executive summary" in person.get(f"{base}/report.html").text
    assert person.get(f"{base}/plan.csv").headers["content-type"].startswith("text/csv")
    assert person.get(f"{base}/plan.xlsx").content.startswith(b"PK")
    assert person.get(f"{base}/secrets.txt").status_code == 404


def test_hostile_names_are_text(world: World, client: TestClient, engine: Engine) -> None:
    network = network_with(
        world.analyst_a,
        [
            node("CO", "company", "<script>alert(1)</script>", "GB"),
            node("S1", "supplier", "<img src=x onerror=alert(2)>", "TH"),
        ],
        [{"source": "S1", "target": "CO", "kind": "supplies"}],
        name="<b>Evil</b>",
    )
    person = signed_in(client, engine, world.analyst_a.user_id)
    for path in (
        "/dashboard",
        f"/dashboard/networks/{network['id']}",
        f"/dashboard/networks/{network['id']}/nodes",
    ):
        text = person.get(path).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text
        assert "<b>Evil</b>" not in text


def test_cli_sets_a_password_that_signs_in(
    world: World,
    client: TestClient,
    database_url: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from api.cli import main as cli

    with Session(engine) as session:
        email = session.get(User, world.analyst_a.user_id).email  # type: ignore[union-attr]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli(["users", "password", email, "--database-url", database_url]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert cli(["users", "password", email, "--database-url", database_url]) == 0
    person = browser(client)
    csrf = csrf_of(person.get("/login").text)
    signed = person.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf": csrf}, follow_redirects=False
    )
    assert signed.status_code == 303
