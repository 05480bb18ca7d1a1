"""Tables for findings and for when a network's generated findings were last synced."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class FindingStatus(StrEnum):
    open = "open"
    resolved = "resolved"
    dismissed = "dismissed"


class Finding(SQLModel, table=True):
    """Something wrong (or unknown) in a network. Generated findings are kept in step with the
    scores by their stable key; manual ones come from auditors (interviews, site visits)."""

    __table_args__ = (
        UniqueConstraint("network_id", "key"),
        # Every findings page counts the network's findings by status and severity.
        Index("ix_finding_network_status_severity", "network_id", "status", "severity"),
    )

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
