"""Tables of assessment campaigns: who was asked, when answers are due, and every email sent.

A campaign holds its settings; a target is one node asked in one round (its assessment, due
date and contact); a send is one email owed to a target (the invitation, or the reminder at one
offset from the due date), with every attempt kept so a failure can be explained.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class CampaignState(StrEnum):
    active = "active"
    closed = "closed"


class Campaign(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("response_days > 0", name="response_days_positive"),
        CheckConstraint(
            "repeat_months IS NULL OR repeat_months > 0", name="repeat_months_positive"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    name: str = Field(max_length=200)
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    state: CampaignState = Field(default=CampaignState.active, sa_type=enum_column(CampaignState))
    # Days relative to the due date: -7 is a week before it, 2 is two days after it.
    reminder_offsets: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # Days a respondent has to answer a round that started by itself (a repeat).
    response_days: int = 30
    # Repeat the assessment this many months after the last accepted one; None: once.
    repeat_months: int | None = None
    contact_name: str = Field(max_length=200)
    contact_email: str = Field(max_length=254)
    selection: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CampaignTarget(SQLModel, table=True):
    """One node asked in one round of a campaign."""

    __tablename__ = "campaign_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "node_id", "round"),
        Index("ix_campaign_target_due", "campaign_id", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    node_id: int = Field(foreign_key="node.id", index=True)
    round: int = 1
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    due_date: date
    contact_name: str = Field(default="", max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    language: str = Field(default="en", max_length=16)
    # Random; with the server's secret it gives the invitation token again, so a reminder
    # carries the same link and the database alone never holds a working token.
    link_nonce: str = Field(max_length=64)
    reminders_stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SendKind(StrEnum):
    invitation = "invitation"
    reminder = "reminder"


class SendState(StrEnum):
    pending = "pending"  # owed, not yet tried, or waiting for its next try
    sending = "sending"  # claimed by one worker
    sent = "sent"
    failed = "failed"  # permanent refusal, or every try used
    skipped = "skipped"  # overtaken (a later reminder was due) or no longer needed


class CampaignSend(SQLModel, table=True):
    """One email owed to a target. ``offset_days`` is 0 for the invitation; a reminder's
    offset is unique per target, so a reminder is never owed twice."""

    __tablename__ = "campaign_send"
    __table_args__ = (
        UniqueConstraint("target_id", "kind", "offset_days"),
        Index("ix_campaign_send_state_next", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="campaign_target.id", index=True)
    kind: SendKind = Field(sa_type=enum_column(SendKind))
    offset_days: int = 0
    state: SendState = Field(default=SendState.pending, sa_type=enum_column(SendState))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    # Every attempt: {"at": ISO time, "result": "sent" | "retry" | "failed", "detail": ...}
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
