"""HTML error pages for the web paths, where a person (not a program) reads the answer.

A broken or forged form post, or an unknown page, would otherwise get the API's JSON problem
document. On the dashboard people get its error page naming what is wrong; respondents get the
form's friendly page in their language (a field list means nothing to them: the likely cause is
a stale or tampered form, so they are told to reload). API paths keep the JSON renderer.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.web import respond
from api.web.dashboard_session import page

DASHBOARD_PATHS = ("/dashboard", "/login", "/logout")


def html_problem_page(
    request: Request, status: int, detail: str, items: list[dict[str, Any]]
) -> Response | None:
    path = request.url.path
    if path.startswith(DASHBOARD_PATHS):
        if status == 404:
            detail = "There is no such page. It may have been moved, or the link is mistyped."
        return page("error.html", status, message=detail, problems=items, user=None)
    if path.startswith("/respond"):
        key = "problem.invalid_link" if status == 404 else "problem.form_expired"
        return respond.problem_page(respond.PageProblem(status, key), request)
    return None
