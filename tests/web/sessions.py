"""Signing a test browser in to the dashboard, and reading the CSRF token off a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts.models import User
from api.accounts.passwords import hash_password
from api.web.dashboard_session import SESSION_COOKIE, SESSION_SECONDS
from api.web.signing import unsign

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def with_password(engine: Engine, user_id: int | None) -> str:
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash = hash_password(PASSWORD)
        session.add(user)
        session.commit()
        return user.email


def browser(client: TestClient) -> TestClient:
    return TestClient(client.app, raise_server_exceptions=False)


def signed_in(client: TestClient, engine: Engine, user_id: int | None) -> TestClient:
    email = with_password(engine, user_id)
    person = browser(client)
    form = person.get("/login")
    response = person.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": CSRF.search(form.text).group(1)},  # type: ignore[union-attr]
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return person


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None
    return found.group(1)


def session_csrf(person: TestClient) -> str:
    """The CSRF token bound to this browser's session, as a page with a form would carry it.

    Read-only users see no forms, so a test of "the role is refused, not the token" needs the
    genuine token from the cookie.
    """
    secret = person.app.state.settings.signing_key()  # type: ignore[attr-defined]
    payload = unsign(person.cookies[SESSION_COOKIE], secret, max_age=SESSION_SECONDS)
    assert payload is not None
    return str(payload["csrf"])
