"""The request's "now" as a dependency, so tests can move time for endpoints and for the
refresh that runs after a write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from core.clock import utcnow


def clock() -> datetime:
    """The current time; tests override this dependency to control deadlines and overdue."""
    return utcnow()


def app_clock(app: FastAPI) -> Callable[[], datetime]:
    """The clock the app's endpoints use, override included."""
    override = app.dependency_overrides.get(clock)
    return override or clock
