"""Tables for orientation sessions of migrant workers (CREST pillar 2) and the files proving them.

A session stores how many workers it reached, never who they were: coverage needs counts, and a
list of workers' names is the kind of data Fairpath does not keep.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime


class OrientationSession(SQLModel, table=True):
    """One orientation session for migrant workers of one corridor: before departure in the
    origin country, or after arrival at the workplace (then at one employer)."""

    __tablename__ = "orientation_session"
    __table_args__ = (
        # Coverage and the findings read a network's sessions by corridor and stage.
        Index("ix_orientation_session_corridor", "network_id", "origin", "destination", "stage"),
        CheckConstraint("workers_reached > 0", name="workers_reached_positive"),
        CheckConstraint("stage IN ('pre_departure', 'post_arrival')", name="stage_known"),
        CheckConstraint(
            "stage = 'pre_departure' OR employer_node_id IS NOT NULL",
            name="post_arrival_has_employer",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    stage: str = Field(max_length=20)  # pre_departure | post_arrival
    origin: str = Field(max_length=2)  # ISO 3166-1 alpha-2: the corridor's origin
    destination: str = Field(max_length=2)
    employer_node_id: int | None = Field(default=None, foreign_key="node.id", index=True)
    recruiter_node_id: int | None = Field(default=None, foreign_key="node.id")
    delivered_on: date
    language: str = Field(max_length=35)  # a BCP 47 tag: "ne", "my", "th"
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    deliverer: str = Field(max_length=20)  # recruiter | employer | iom | government | ngo
    workers_reached: int
    info_page_shown: bool | None = Field(default=False)
    notes: str = Field(default="", max_length=2000)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrientationEvidence(SQLModel, table=True):
    """A file proving a session took place (attendance count sheet, materials, photos)."""

    __tablename__ = "orientation_evidence"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="orientation_session.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
