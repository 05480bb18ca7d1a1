"""HTTP helpers for the API benchmark (``benchmarks/api_network.py``).

A benchmark must finish and report even when an endpoint fails or times out, so every call
here returns a ``Call`` (time, status, body or error) instead of raising. List endpoints are
moving from bare lists to ``{items, total, limit, offset}`` pages, so bodies are read either way.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

TIMEOUT_S = 900.0  # a 100,000-node import or a cold full scoring may take minutes


@dataclass
class Call:
    """One HTTP call as the client saw it: wall time until the whole body arrived."""

    seconds: float
    status: int | None  # None: no response at all (timeout, refused connection)
    error: str = ""
    body: Any = None
    size: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def outcome(self) -> str:
        """The time, or why there is no useful time, for a table cell."""
        if self.ok:
            return f"{self.seconds:.3f} s"
        if self.status is None:
            return f"FAILED ({self.error}) after {self.seconds:.1f} s"
        return f"HTTP {self.status} after {self.seconds:.3f} s"


class Api:
    """A bearer-token client for one server; errors become failed ``Call`` records."""

    def __init__(self, base_url: str, token: str, timeout: float = TIMEOUT_S) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=10.0),
        )

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Call:
        started = time.perf_counter()
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            return Call(time.perf_counter() - started, None, f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Call(time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")
        seconds = time.perf_counter() - started  # httpx has read the whole body by now
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = None
        error = ""
        if response.status_code >= 400:
            detail = body.get("detail") if isinstance(body, dict) else None
            error = str(detail or response.text[:300])
        return Call(seconds, response.status_code, error, body, len(response.content))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Call:
        return self.call("GET", path, params=params)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Call:
        return self.call("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any) -> Call:
        return self.call("PUT", path, json=json)

    def patch(self, path: str, json: Any) -> Call:
        return self.call("PATCH", path, json=json)


def items_of(body: Any) -> list[Any]:
    """The rows of a list response: a bare list, a page's ``items``, or the one list field of
    a body that counts its rows (``{"total": ..., "chains": [...]}``)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        if isinstance(body.get("items"), list):
            return body["items"]
        if "total" in body:
            return next((v for v in body.values() if isinstance(v, list)), [])
    return []


def total_of(body: Any) -> int | None:
    """How many rows exist in all: a page's ``total``, or the length of a bare list."""
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("total"), int):
        return body["total"]
    return None


def shape(call: Call | None) -> str:
    """What came back, to spot an endpoint that returns far more than one page."""
    if call is None:
        return "—"
    if not call.ok:
        return call.error[:80] or "no response"
    rows, total = items_of(call.body), total_of(call.body)
    kind = "list" if isinstance(call.body, list) else "page" if total is not None else "object"
    counted = f"{len(rows):,} of {total:,} rows" if total is not None else "one object"
    extra = ""
    if isinstance(call.body, dict) and isinstance(call.body.get("current"), bool):
        extra = f", current={str(call.body['current']).lower()}"
    return f"{kind}, {counted}, {call.size / 1024:,.0f} KB{extra}"


@dataclass
class Series:
    """An endpoint's first call and the repeated calls after it."""

    label: str
    first: Call | None = None
    runs: list[Call] = field(default_factory=list)

    @property
    def failures(self) -> list[Call]:
        return [c for c in [self.first, *self.runs] if c is not None and not c.ok]

    def p50(self) -> float | None:
        times = [c.seconds for c in self.runs if c.ok]
        return statistics.median(times) if times else None

    def worst(self) -> float | None:
        times = [c.seconds for c in self.runs if c.ok]
        return max(times) if times else None
