"""The organisation table: every organisation-owned row hangs off one of these."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class OrganisationKind(StrEnum):
    company = "company"
    programme = "programme"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: OrganisationKind = Field(
        default=OrganisationKind.company, sa_type=enum_column(OrganisationKind)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
