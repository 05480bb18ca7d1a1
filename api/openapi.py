"""The OpenAPI document says exactly what the API sends.

FastAPI documents every response under the route's own media type and adds its validation
error schema to each operation; Fairpath answers every error as ``application/problem+json``
and sends files as what they are. The document is generated once by FastAPI and then brought
in line here, so clients generated from it (and the fuzzer in the test suite) see what is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.errors import INVALID, PROBLEM_MEDIA_TYPE

_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# FastAPI's own validation error shapes: never sent, Fairpath answers problems instead.
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
_TEXT = {"type": "string"}
_BINARY = {"type": "string", "format": "binary"}


# What an evidence download can be: the types ``questionnaires.evidence.detect_type`` accepts.
EVIDENCE_MEDIA_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/heic",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)


def file_response(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answered with a file of one of these types (the schema is added by ``refine``)."""
    return {200: {"description": description, "content": {m: {} for m in media_types}}}


EVIDENCE_DOWNLOAD = file_response(
    "The file, with the type read from its content", *EVIDENCE_MEDIA_TYPES
)


def _is_error(status: str) -> bool:
    return status == "default" or status[:1] in {"4", "5"}


def _file_schema(media_type: str) -> dict[str, Any] | None:
    """The schema of a body that is not JSON: text, or bytes; None for JSON bodies."""
    if media_type == "application/json" or media_type.endswith("+json"):
        return None
    if media_type.startswith("text/") or media_type.endswith("+xml"):
        return dict(_TEXT)
    return dict(_BINARY)


def _refine_response(status: str, response: dict[str, Any]) -> None:
    if _is_error(status):
        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}}
        if response.get("description") == "Validation Error":  # FastAPI's own 422
            response["description"] = INVALID[422]["description"]
        return
    for media_type, media in (response.get("content") or {}).items():
        schema = _file_schema(media_type)
        if schema is not None and not media.get("schema"):
            media["schema"] = schema


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _integer_bounds(node: Any) -> None:
    """Integer bounds as integers: FastAPI's document model holds them as floats (``1.0``)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in _BOUNDS:
                value = node.get(key)
                if isinstance(value, float) and value.is_integer():
                    node[key] = int(value)
        for child in node.values():
            _integer_bounds(child)
    elif isinstance(node, list):
        for child in node:
            _integer_bounds(child)


def refine(document: dict[str, Any]) -> dict[str, Any]:
    """Error responses as problem details, file downloads with their real media types."""
    _integer_bounds(document.get("components", {}))
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            for status, response in operation.get("responses", {}).items():
                _refine_response(status, response)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the refined document at the app's OpenAPI URL (generated once, then cached)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = refine(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
