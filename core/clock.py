"""The one source of "now", always an aware UTC datetime, so that no naive time leaks into the
database or an API body."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
