"""The error vocabulary every domain package raises.

Domain code must not know about HTTP, yet clients must get precise, consistent problems. So the
domain raises these exceptions and ``api.errors`` renders them as RFC 9457 problem details. They
live in the lowest domain package because every other package builds on the network.
"""

from __future__ import annotations

from typing import Any, ClassVar

ProblemItem = dict[str, Any]
"""One located problem: always a ``message``, plus where it is (``field``, ``file``/``row``/
``column``, ``question``...)."""


class FairpathError(Exception):
    """Base class: carries the HTTP status and a stable problem slug for the renderer."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, *, errors: list[ProblemItem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(FairpathError):
    """The request is well-formed but its content breaks a rule; ``errors`` says where."""

    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class BadRequest(FairpathError):
    """The request cannot be parsed at all (malformed JSON, unreadable file)."""

    status = 400
    slug = "bad-request"
    title = "Bad request"


class NotAuthenticated(FairpathError):
    status = 401
    slug = "not-authenticated"
    title = "Not authenticated"


class Forbidden(FairpathError):
    """The caller is known and may see the resource, but their role may not change it."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(FairpathError):
    """Also raised for other organisations' resources, so that their existence never leaks."""

    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(FairpathError):
    """The request clashes with the current state (duplicate name, disallowed transition)."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class PayloadTooLarge(FairpathError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(FairpathError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class TooManyRequests(FairpathError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"


class ServiceUnavailable(FairpathError):
    """A service Fairpath depends on (the job queue) cannot be reached; try again later."""

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"
