"""Tables for trainings delivered to the staff of a network's nodes and the files proving them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime


class Training(SQLModel, table=True):
    """One training session delivered to the staff of one node (the company, a supplier, a
    recruiter): coverage and the training-gap finding read the latest date per node."""

    __tablename__ = "training"
    __table_args__ = (
        # Coverage and the findings read the latest date of each node of a network.
        Index("ix_training_network_node_date", "network_id", "node_id", "delivered_on"),
        CheckConstraint("participants > 0", name="participants_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    node_id: int = Field(foreign_key="node.id", index=True)
    delivered_on: date
    provider: str = Field(max_length=200)  # e.g. "IOM CREST", an NGO, "in-house"
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    audience_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    participants: int
    language: str = Field(default="", max_length=35)  # a BCP 47 tag: "en", "th", "my"
    notes: str = Field(default="", max_length=2000)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TrainingEvidence(SQLModel, table=True):
    """A file proving a training took place (attendance sheet, materials, photos)."""

    __tablename__ = "training_evidence"

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="training.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
