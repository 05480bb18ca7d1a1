"""Tables for remediation actions, their history and the files that prove them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    completed = "completed"
    verified = "verified"
    cancelled = "cancelled"


class RemediationAction(SQLModel, table=True):
    """One thing someone must do, by a date, to remedy a finding (or a manual action)."""

    __tablename__ = "remediation_action"
    __table_args__ = (Index("ix_action_network_status", "network_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    finding_id: int | None = Field(default=None, foreign_key="finding.id", index=True)
    template_id: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=4000)
    crest_pillar: str | None = Field(default=None, max_length=20)
    severity: str = Field(max_length=20)
    owner_kind: str = Field(max_length=20)  # company | supplier | recruiter
    owner_node_id: int | None = Field(default=None, foreign_key="node.id")
    owner_name: str = Field(default="", max_length=300)
    due_date: date
    verification: str = Field(default="", max_length=1000)
    status: ActionStatus = Field(default=ActionStatus.open, sa_type=enum_column(ActionStatus))
    cancel_reason: str = Field(default="", max_length=2000)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ActionEvent(SQLModel, table=True):
    """History of an action: status changes, edits and comments. Only ever added to."""

    __tablename__ = "action_event"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="remediation_action.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    kind: str = Field(max_length=30)  # created | status | edited | comment | evidence
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    comment: str = Field(default="", max_length=4000)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ActionEvidence(SQLModel, table=True):
    """A file proving an action was done (receipts, photos of lockers, new contracts)."""

    __tablename__ = "action_evidence"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="remediation_action.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
