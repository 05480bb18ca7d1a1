"""Whether a recruiter's licence stands on its authority's published list: pure, so that each
outcome is checked by hand. The findings read these checks; nothing here reads a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Problem = Literal["missing", "not_on_list", "expired", "revoked", "suspended"]
LISTED_STATUSES = ("valid", "suspended", "revoked", "expired")


@dataclass(frozen=True)
class ListFacts:
    """One authority list as a finding cites it."""

    id: int
    authority: str
    country: str
    published_on: date
    source: str
    illustrative: bool


@dataclass(frozen=True)
class Listed:
    status: str  # one of LISTED_STATUSES
    valid_until: date | None


@dataclass(frozen=True)
class LicenceCheck:
    problem: Problem
    licence: str | None
    listed: Listed | None
    list: ListFacts


def check_licence(
    licence: str | None, listed: Listed | None, authority_list: ListFacts, today: date
) -> LicenceCheck | None:
    """None when the licence stands: on the list, valid, and not past its end date."""
    if not licence or not licence.strip():
        return LicenceCheck("missing", None, None, authority_list)
    if listed is None:
        return LicenceCheck("not_on_list", licence, None, authority_list)
    if listed.status in ("revoked", "suspended"):
        return LicenceCheck(listed.status, licence, listed, authority_list)  # type: ignore[arg-type]
    if listed.status == "expired" or (
        listed.valid_until is not None and listed.valid_until < today
    ):
        return LicenceCheck("expired", licence, listed, authority_list)
    return None
