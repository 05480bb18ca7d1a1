"""Tables for remediation actions, their history and the files that prove them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index
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
    __table_args__ = (
        Index("ix_action_network_status", "network_id", "status"),
        # A plan page is ordered by deadline; its metrics group by severity, owner and status.
        Index("ix_action_network_due", "network_id", "due_date", "id"),
        Index(
            "ix_action_network_metrics",
            "network_id",
            "severity",
            "owner_kind",
            "status",
            "due_date",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    # The first finding it was planned for; ``ActionFinding`` lists every finding it addresses.
    finding_id: int | None = Field(default=None, foreign_key="finding.id", index=True)
    # The node the findings are about: a plan holds one open action per template and node.
    node_id: int | None = Field(default=None, foreign_key="node.id", index=True)
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
    # Repayment owed to workers (recruitment fees): audit.remediation.repayments tracks it.
    owed_amount: float | None = None  # in owed_currency
    owed_currency: str | None = Field(default=None, max_length=3)  # ISO 4217
    owed_usd: float | None = None
    owed_workers: int | None = None


class ActionFinding(SQLModel, table=True):
    """A finding an action addresses: one action answers every finding of its node that its
    template remedies, so the same template never appears twice among a node's open actions."""

    __tablename__ = "action_finding"

    action_id: int = Field(foreign_key="remediation_action.id", primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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


# Repayments --------------------------------------------------------------------------------------


class ActionPayment(SQLModel, table=True):
    """One payment made to workers against the amount an action says is owed. Only ever added
    to: a mistaken payment is voided with a reason (and then no longer counts), never edited."""

    __tablename__ = "action_payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="remediation_action.id", index=True)
    amount: float  # in currency
    currency: str = Field(max_length=3)  # ISO 4217
    paid_on: date
    usd_amount: float
    rate: float | None = None  # units of currency per USD used; None when USD was entered
    rate_year: int | None = None
    rate_source: str = Field(default="", max_length=1000)
    usd_basis: str = Field(max_length=1000)  # how usd_amount was obtained, in words
    proof_evidence_id: int | None = Field(default=None, foreign_key="action_evidence.id")
    note: str = Field(default="", max_length=2000)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_by: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str = Field(default="", max_length=2000)
