"""A signed-in analyst's browser for the API benchmark (``benchmarks/api_network.py``).

The dashboard is read with the session cookie a person gets from the real sign-in form, not
with an API token: the benchmark gives its user a password, fetches ``GET /login`` (which sets
the form's CSRF cookie), posts the form and keeps the cookies for every page after. Like
``benchmarks/api_client.Api``, every call returns a ``Call`` instead of raising; redirects are
not followed, so a page that sends the browser back to the sign-in form is a failure, not a
fast 200.
"""

from __future__ import annotations

import contextlib
import html
import re
import secrets
import time
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts.models import User
from api.accounts.passwords import hash_password
from benchmarks.api_client import TIMEOUT_S, Call

SESSION_COOKIE = "fp_session"  # api.web.dashboard_session.SESSION_COOKIE
_CSRF_FIELD = re.compile(r'<input[^>]*name="csrf"[^>]*value="([^"]*)"')


def give_password(engine: Engine, user_id: int) -> tuple[str, str]:
    """A fresh password for the user, hashed as the sign-in checks it (as
    ``tests/web/test_browser.py`` does); returns the user's email and the password."""
    password = secrets.token_urlsafe(18)
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise SystemExit(f"user {user_id} not found")
        user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
        return user.email, password


class Browser:
    """A cookie-keeping client for the dashboard of one server."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_S) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=10.0),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def sign_in(self, email: str, password: str) -> Call:
        """``GET /login`` then ``POST /login`` with the form's CSRF token; the returned call is
        the post (a 303 to the dashboard when it worked), timed."""
        form = self.get("/login")
        if form.status != 200:
            return form
        found = _CSRF_FIELD.search(form.body or "")
        data = {"email": email, "password": password, "next": "/dashboard"}
        if found:
            data["csrf"] = html.unescape(found.group(1))
        posted = self.call("POST", "/login", data=data)
        if posted.status == 303 and SESSION_COOKIE in self._client.cookies:
            return posted
        reason = posted.error or "no session cookie"
        return Call(posted.seconds, posted.status, f"sign-in failed: {reason}", posted.body)

    def call(self, method: str, path: str, **kwargs: Any) -> Call:
        started = time.perf_counter()
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            return Call(time.perf_counter() - started, None, f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Call(time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")
        seconds = time.perf_counter() - started  # httpx has read the whole body by now
        error = ""
        if response.status_code != 200 and method == "GET":
            where = response.headers.get("location")
            error = f"redirected to {where}" if where else _text_of(response.text)[:300]
        body: Any = response.text
        if response.headers.get("content-type", "").startswith("application/json"):
            with contextlib.suppress(ValueError):
                body = response.json()
        return Call(seconds, response.status_code, error, body, len(response.content))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Call:
        return self.call("GET", path, params=params)


def _text_of(page: str) -> str:
    """An error page's words without its markup, for a table cell."""
    main = re.search(r"<main[^>]*>(.*?)</main>", page, re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", main.group(1) if main else page)
    return " ".join(html.unescape(text).split())
