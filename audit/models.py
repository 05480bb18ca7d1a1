"""Tables for scoring settings, findings and remediation plans."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import supplychain  # noqa: F401  (constraint naming convention)
from supplychain.columns import UTCDateTime, enum_column, utcnow


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


class FindingStatus(StrEnum):
    open = "open"
    resolved = "resolved"
    dismissed = "dismissed"


class Finding(SQLModel, table=True):
    """Something wrong (or unknown) in a network. Generated findings are kept in step with the
    scores by their stable key; manual ones come from auditors (interviews, site visits)."""

    __table_args__ = (UniqueConstraint("network_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    key: str = Field(max_length=300)
    source: str = Field(max_length=20)  # generated | manual
    code: str = Field(max_length=60, index=True)
    severity: str = Field(max_length=20)
    node_id: int | None = Field(default=None, foreign_key="node.id", index=True)
    principle: str | None = Field(default=None, max_length=40)
    title: str = Field(max_length=400)
    detail: str = Field(default="", max_length=4000)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    chain: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: FindingStatus = Field(default=FindingStatus.open, sa_type=enum_column(FindingStatus))
    status_reason: str = Field(default="", max_length=2000)
    status_by: int | None = Field(default=None, foreign_key="user.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FindingSync(SQLModel, table=True):
    """What the generated findings of a network were last brought in step with."""

    __tablename__ = "finding_sync"

    network_id: int = Field(foreign_key="network.id", primary_key=True)
    fingerprint: str = Field(max_length=64)
    synced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
