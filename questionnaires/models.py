"""Tables for questionnaires, assessments, invitations, evidence and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class QuestionnaireRecord(SQLModel, table=True):
    """A published questionnaire version. The document never changes once stored; a change is
    a new version. Library versions have no organisation; organisations may add their own."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("organisation_id", "key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    version: int
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    title: str = Field(max_length=300)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssessmentStatus(StrEnum):
    assigned = "assigned"
    in_progress = "in_progress"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class Assessment(SQLModel, table=True):
    """One node's answers to one pinned questionnaire version."""

    __table_args__ = (Index("ix_assessment_network_node", "network_id", "node_id"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    node_id: int = Field(foreign_key="node.id", index=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    status: AssessmentStatus = Field(
        default=AssessmentStatus.assigned, sa_type=enum_column(AssessmentStatus)
    )
    due_date: date | None = None
    language: str = Field(default="en", max_length=16)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    review_comment: str = Field(default="", max_length=4000)
    question_comments: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    assigned_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The previous round's assessment whose answers this one started with (a campaign repeat).
    prefilled_from_id: int | None = Field(default=None, foreign_key="assessment.id")


class Invitation(SQLModel, table=True):
    """Lets a respondent without an account open exactly one assessment."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EvidenceFile(SQLModel, table=True):
    """An uploaded file; its bytes live under the data directory, named by content hash."""

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    question_id: str = Field(max_length=64)
    sha256: str = Field(max_length=64, index=True)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    uploaded_by_user: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActorKind(StrEnum):
    user = "user"
    respondent = "respondent"
    system = "system"


class AssessmentEvent(SQLModel, table=True):
    """The audit trail: who did what to an assessment, and when. Rows are only ever added."""

    __tablename__ = "assessment_event"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: ActorKind = Field(sa_type=enum_column(ActorKind))
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AssessmentShare(SQLModel, table=True):
    """A recruiter's consent to show one buyer its assessment accepted by another: recorded
    per buyer's assessment, revocable; the buyer sees the answers, never whose they were. A
    consent given again after a withdrawal is a new row, so the history of both stays."""

    __tablename__ = "assessment_share"

    id: int | None = Field(default=None, primary_key=True)
    buyer_assessment_id: int = Field(foreign_key="assessment.id", index=True)
    source_assessment_id: int = Field(foreign_key="assessment.id")
    profile_id: int = Field(foreign_key="recruiter_profile.id", index=True)
    consented_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
