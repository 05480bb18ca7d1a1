"""One shape for every error: RFC 9457 problem details, never a stack trace.

Domain exceptions, request validation failures, unknown routes and unexpected crashes all end up
here, so a client (or a generated SDK) only ever has to understand one error format. The web
pages' paths are the exception: a person filling in a form gets an HTML page saying what went
wrong, rendered by the hook the app sets as ``app.state.html_problem_page``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from core.errors import FairpathError
from core.numbers import plural_word

logger = logging.getLogger("fairpath.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:fairpath:problem:"
# What the framework's own answers (unknown route, wrong method, ...) are called: every error a
# client sees has one of Fairpath's problem types, never "about:blank".
_HTTP_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("not-authenticated", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    410: ("gone", "Gone"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-input", "Invalid input"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal error"),
    503: ("service-unavailable", "Service unavailable"),
}


class ProblemItem(BaseModel):
    """Where one problem is and what is wrong; location keys depend on the input kind."""

    # The location keys are declared, not left to ``extra``, so that a generated client (tests/api/
    # test_generated_client.py) gives them typed attributes; ``extra`` still admits new ones.
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    message: str = Field(examples=["Field required"])
    field: str | None = Field(
        default=None, examples=["name"], description="A request field or a JSON key."
    )
    in_: str | None = Field(
        default=None,
        alias="in",
        examples=["body"],
        description="Where the field was: body, query, path, header or form.",
    )
    file: str | None = Field(default=None, examples=["nodes.csv"], description="An uploaded file.")
    row: int | None = Field(
        default=None, examples=[3], description="The file's own row number (the header is row 1)."
    )
    column: str | None = Field(default=None, examples=["country"], description="A file's column.")
    index: int | None = Field(default=None, description="A position in a JSON array, from 0.")
    where: str | None = Field(default=None, description="A row already in the network.")
    question: str | None = Field(default=None, description="A questionnaire question's id.")
    value: str | None = Field(default=None, description="The value refused, cut to 100 characters.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:fairpath:problem:invalid-input",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "1 field is invalid",
                    "errors": [{"field": "name", "in": "body", "message": "Field required"}],
                }
            ]
        }
    )
    type: str = Field(
        pattern=r"^urn:fairpath:problem:[a-z0-9-]+$",
        examples=["urn:fairpath:problem:not-found"],
        description="A stable identifier of the kind of problem, one of Fairpath's own.",
    )
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemItem] | None = None


def problem_type(slug: str) -> str:
    return f"{PROBLEM_TYPE_PREFIX}{slug}"


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    default_slug, default_title = _HTTP_PROBLEMS.get(
        status, ("client-error" if status < 500 else "server-error", "Error")
    )
    body: dict[str, Any] = {
        "type": problem_type(slug or default_slug),
        "title": title or default_title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _location(loc: tuple[Any, ...]) -> tuple[str | None, str]:
    """Split a pydantic location into (where, dotted field), e.g. ("body", "nodes.3.country")."""
    parts = list(loc)
    where = None
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        where = str(parts.pop(0))
    return where, ".".join(str(p) for p in parts)


def validation_items(exc: RequestValidationError) -> tuple[list[dict[str, Any]], str | None]:
    """Turn FastAPI's validation errors into problem items; returns the JSON syntax error if any."""
    items: list[dict[str, Any]] = []
    for err in exc.errors():
        where, field = _location(tuple(err.get("loc", ())))
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "invalid JSON")
            return [], f"The request body is not valid JSON: {reason}"
        message = str(err.get("msg", "Invalid value"))
        if err.get("type") == "extra_forbidden":
            message = "Unknown field: not part of this resource"
        item: dict[str, Any] = {"field": field or where or "body", "message": message}
        if where:
            item["in"] = where
        if err.get("type"):
            item["type"] = err["type"]
        items.append(item)
    return items, None


async def _fairpath_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FairpathError)
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        errors=exc.errors or None,
        instance=request.url.path,
        headers={"WWW-Authenticate": "Bearer"} if exc.status == 401 else None,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    items, syntax_error = validation_items(exc)
    if syntax_error:
        return problem_response(400, syntax_error, slug="malformed-json", instance=request.url.path)
    noun = plural_word(len(items), "field is", "fields are")
    detail = f"{len(items)} {noun} invalid: " + "; ".join(
        f"{i['field']}: {i['message']}" for i in items[:5]
    )
    page = _html_page(request, 422, detail, items)
    if page is not None:
        return page
    return problem_response(
        422, detail, slug="invalid-input", errors=items, instance=request.url.path
    )


HtmlProblemPage = Callable[[Request, int, str, list[dict[str, Any]]], Response | None]


def _html_page(
    request: Request, status: int, detail: str, items: list[dict[str, Any]]
) -> Response | None:
    """The web pages' own error page for their paths (people, not programs, read those)."""
    render: HtmlProblemPage | None = getattr(request.app.state, "html_problem_page", None)
    return render(request, status, detail, items) if render else None


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route accepts at this path: Starlette names only the first route's.
    Each method is tried against the routes as the router itself matches them, so nested
    routers are seen through however the framework lays them out."""
    routes: list[BaseRoute] = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}"
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
    page = _html_page(request, exc.status_code, detail, [])
    if page is not None:
        page.headers.update(headers)
        return page
    return problem_response(
        exc.status_code, detail, instance=request.url.path, headers=headers or None
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "An unexpected error occurred; it has been logged. Please try again or contact the "
        "operators of this Fairpath instance.",
        slug="internal-error",
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FairpathError, _fairpath_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def _problem_doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_MEDIA_TYPE: {}}}


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem_doc("No valid bearer token was given."),
    403: _problem_doc("Your role may not perform this operation."),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: _problem_doc("No such resource in your organisation.")
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: _problem_doc("The request conflicts with the current state.")
}
INVALID: dict[int | str, dict[str, Any]] = {
    400: _problem_doc("Malformed request (e.g. invalid JSON)."),
    413: _problem_doc("The request body is too large."),
    422: _problem_doc("Some fields are invalid; `errors` names each one."),
}
RESPONDENT_AUTH: dict[int | str, dict[str, Any]] = {
    401: _problem_doc("The invitation token is missing, unknown, expired or revoked."),
}
