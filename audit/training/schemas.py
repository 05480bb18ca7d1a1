"""Request and response bodies for trainings, their evidence files and coverage.

Topics come from the curated list (``topics.yaml``) and audience roles from a short fixed
vocabulary, so coverage can be asked per topic and role; provider and notes are free text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from annotated_types import Lt
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from audit.training.topics import training_topics
from core.schemas import INT32_LIMIT, Id
from core.text import LINE_CHECK, TEXT_CHECK, FreeText, OneLine

AudienceRole = Literal[
    "management",
    "hr",
    "supervisors",
    "recruitment_staff",
    "sub_agents",
    "procurement",
    "welfare_officers",
    "other",
]
AUDIENCE_ROLES: tuple[str, ...] = AudienceRole.__args__  # type: ignore[attr-defined]
LANGUAGE_PATTERN = r"^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$"
Participants = Annotated[int, Field(strict=True, ge=1), Lt(INT32_LIMIT)]


def check_topics(topics: list[str]) -> list[str]:
    known = training_topics().ids()
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise ValueError(f"unknown topics: {', '.join(unknown)}; known: {', '.join(known)}")
    if len(set(topics)) != len(topics):
        raise ValueError("a topic is listed twice")
    return topics


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("a value is listed twice")
    return values


class TrainingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "node_id": 12,
                    "delivered_on": "2026-03-10",
                    "provider": "IOM CREST",
                    "topics": ["trafficking-forced-labour", "employer-pays"],
                    "audience_roles": ["hr", "supervisors"],
                    "participants": 18,
                    "language": "th",
                }
            ]
        },
    )
    node_id: Id = Field(description="The node whose staff were trained")
    delivered_on: date = Field(description="The day of the training (not in the future)")
    provider: OneLine = Field(min_length=2, max_length=200, examples=["IOM CREST"])
    topics: list[str] = Field(min_length=1, max_length=20, description="Ids from training-topics")
    audience_roles: list[AudienceRole] = Field(default_factory=list, max_length=len(AUDIENCE_ROLES))
    participants: Participants
    language: str = Field(default="", max_length=35, pattern=LANGUAGE_PATTERN)
    notes: FreeText = Field(default="", max_length=2000)

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        return check_topics(value)

    @field_validator("audience_roles")
    @classmethod
    def _unique_roles(cls, value: list[str]) -> list[str]:
        return _unique(value)


class TrainingUpdate(BaseModel):
    """Each field left out keeps its value; none of them can be cleared with null."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"participants": 21, "delivered_on": "2026-03-11"}]},
    )
    node_id: Id | SkipJsonSchema[None] = None
    delivered_on: date | SkipJsonSchema[None] = None
    provider: (
        Annotated[str, Field(min_length=2, max_length=200), LINE_CHECK] | SkipJsonSchema[None]
    ) = None
    topics: Annotated[list[str], Field(min_length=1, max_length=20)] | SkipJsonSchema[None] = None
    audience_roles: (
        Annotated[list[AudienceRole], Field(max_length=len(AUDIENCE_ROLES))] | SkipJsonSchema[None]
    ) = None
    participants: Participants | SkipJsonSchema[None] = None
    language: (
        Annotated[str, Field(max_length=35, pattern=LANGUAGE_PATTERN)] | SkipJsonSchema[None]
    ) = None
    notes: Annotated[str, Field(max_length=2000), TEXT_CHECK] | SkipJsonSchema[None] = None

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null: leave the field out to keep its value")
        return value

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        return check_topics(value)

    @field_validator("audience_roles")
    @classmethod
    def _unique_roles(cls, value: list[str]) -> list[str]:
        return _unique(value)


class TrainingEvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    training_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class TrainingRead(BaseModel):
    id: int
    network_id: int
    node_id: int
    node_external_id: str
    node_name: str
    node_kind: str
    delivered_on: date
    provider: str
    topics: list[str]
    audience_roles: list[str]
    participants: int
    language: str
    notes: str
    expires_on: date = Field(description="The first day it no longer counts as current")
    current: bool = Field(description="Current on the day of the request, at validity_months")
    validity_months: int
    evidence: list[TrainingEvidenceRead] = Field(default_factory=list)
    closed_actions: list[int] = Field(
        default_factory=list,
        description="Plan actions this request closed (recording or changing a training)",
    )
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class TrainingPage(BaseModel):
    items: list[TrainingRead]
    total: int
    limit: int
    offset: int


class TopicRead(BaseModel):
    id: str
    label: str
    sources: list[str]


class ShareRead(BaseModel):
    current: int
    total: int
    share: float | None = Field(description="current / total (0-1); null when total is 0")


class NodeCoverageRead(BaseModel):
    node_id: int
    external_id: str
    name: str
    kind: str
    required: bool = Field(description="A supplier with migrant workers, or a recruiter")
    last_trained: date | None
    expires_on: date | None
    current: bool


class CoverageRead(BaseModel):
    today: date
    validity_months: int
    suppliers_with_migrants: ShareRead
    recruiters: ShareRead
    gaps: int = Field(description="Required nodes without current training")
    nodes: list[NodeCoverageRead]
    total: int = Field(description="Nodes matching the filter (the page is nodes)")
    limit: int
    offset: int


class TrainingImportRead(BaseModel):
    dry_run: bool
    rows: int = Field(description="Trainings read from the file")
    created: int
    training_ids: list[int]
    closed_actions: list[int]
