"""Tables for an organisation's scoring settings and its own country ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime


class CountryOverride(SQLModel, table=True):
    """An organisation's own rating of a country, laid over the shipped reference figures."""

    __tablename__ = "country_override"
    __table_args__ = (UniqueConstraint("organisation_id", "iso2"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    iso2: str = Field(max_length=2)
    values: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str = Field(max_length=500)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScoringSettings(SQLModel, table=True):
    """An organisation's adjustments to the scoring profile's weights (within bounds)."""

    __tablename__ = "scoring_settings"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True)
    weights: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
