"""What every dashboard page needs: who is signed in, the CSRF check, and pages for errors.

The dashboard's routers (networks, assessments, findings and plan) share these so that sign-in,
organisation scoping and roles work the same way on every page: a user of one organisation gets
"not found" for another's network, viewers see no buttons, and a forged post from a viewer is
refused like the API would refuse it.
"""

from __future__ import annotations

import functools
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.accounts import service as accounts
from api.accounts import web_sessions
from api.accounts.models import Role
from api.deps import Principal
from api.settings import Settings
from api.web.signing import unsign
from core.errors import FairpathError
from supplychain import service as networks
from supplychain.models import Network
from templates import environment

SESSION_COOKIE = "fp_session"
LOGIN_COOKIE = "fp_login"
SESSION_SECONDS = 8 * 60 * 60
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
}


class NeedsSignIn(Exception):
    pass


class PageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def page(name: str, http_status: int = 200, /, **context: Any) -> HTMLResponse:
    """A dashboard page; positional-only status so templates may use a ``status`` variable."""
    body = environment().get_template(f"dashboard/{name}").render(**context)
    return HTMLResponse(body, status_code=http_status, headers=HEADERS)


def utc_now() -> datetime:
    return datetime.now(UTC)


def signed_in(request: Request, session: Session, settings: Settings) -> tuple[Principal, str]:
    """The signed-in user and the CSRF token bound to their session cookie."""
    raw = request.cookies.get(SESSION_COOKIE)
    payload = unsign(raw, settings.signing_key(), max_age=SESSION_SECONDS) if raw else None
    if payload is None or not isinstance(payload.get("sid"), str):
        raise NeedsSignIn
    sid: str = payload["sid"]
    user = web_sessions.resolve(session, sid, now=utc_now())
    if user is None:
        raise NeedsSignIn
    return Principal(user=user, scope=accounts.scope_for(user)), str(payload.get("csrf", ""))


def check_csrf(expected: str, submitted: str | None) -> None:
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise PageError(403, "The form expired or came from another site; reload and retry.")


def writer(
    request: Request, session: Session, settings: Settings, csrf: str, refusal: str
) -> Principal:
    """The signed-in user of a form post, after the CSRF check, refused when read-only."""
    principal, expected = signed_in(request, session, settings)
    check_csrf(expected, csrf)
    if not principal.can_write:
        raise PageError(403, refusal)
    return principal


def guarded(handler: Any) -> Any:
    """Turn sign-in needs and domain errors into pages instead of JSON problems. A refused
    change is rolled back before its page is shown: the request's session would otherwise
    commit whatever the handler wrote before the refusal (a proof file before its payment)."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except NeedsSignIn:
            request: Request = kwargs["request"]
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        except PageError as error:
            _roll_back(kwargs)
            return page("error.html", error.status, message=error.message, user=None)
        except FairpathError as error:
            _roll_back(kwargs)
            return page(
                "error.html",
                error.status,
                message=error.detail,
                problems=getattr(error, "errors", None) or [],
                user=None,
            )

    return wrapper


def _roll_back(kwargs: dict[str, Any]) -> None:
    session = kwargs.get("session")
    if isinstance(session, Session):
        session.rollback()


def network_for(session: Session, principal: Principal, network_id: int) -> Network:
    return networks.get_network(session, scope=principal.scope, network_id=network_id)


def base_context(principal: Principal, csrf: str, **extra: Any) -> dict[str, Any]:
    return {
        "user": principal.user,
        "csrf": csrf,
        "can_write": principal.can_write,
        "is_admin": principal.role == Role.admin,
        **extra,
    }
