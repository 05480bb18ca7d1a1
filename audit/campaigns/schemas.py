"""Request and response bodies of campaigns, their targets and their emails."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from audit.campaigns.schedule import TargetStatus
from core.schemas import Id
from core.text import OneLine
from supplychain.vocabulary import NodeKind, RecruiterRole

EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("not an email address: write it as name@domain.example")
    return value


Email = Annotated[
    str, Field(max_length=254, examples=["hr@agency.example"]), AfterValidator(_email)
]
LanguageTag = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[a-z]{2,3}$")]
Band = Literal["low", "medium", "high", "critical", "insufficient_data"]
CORRIDOR_PATTERN = r"^[A-Z]{2}-[A-Z]{2}$"
MAX_TARGETS = 5000


class Selection(BaseModel):
    """Which nodes to ask. Filters combine (a node must match each one given); ``nodes`` names
    nodes by their external id instead. Only nodes the questionnaire applies to are asked."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[NodeKind] = Field(default_factory=list, max_length=4)
    roles: list[RecruiterRole] = Field(default_factory=list, max_length=4)
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(
        default_factory=list, max_length=250
    )
    corridors: list[Annotated[str, Field(pattern=CORRIDOR_PATTERN)]] = Field(
        default_factory=list, max_length=250, description="origin-destination, e.g. NP-MY"
    )
    bands: list[Band] = Field(default_factory=list, max_length=5)
    nodes: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=MAX_TARGETS
    )


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    node: str = Field(min_length=1, max_length=100, description="the node's external id")
    name: OneLine = Field(default="", max_length=200)
    email: Email | None = None
    language: LanguageTag | None = Field(
        default=None, description="the language of the emails and the form; default the campaign's"
    )


def _offsets(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("an offset is listed twice")
    return sorted(values)


class CampaignCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Recruiters, Nepal to Malaysia, 2027",
                    "selection": {"kinds": ["recruiter"], "corridors": ["NP-MY"]},
                    "due_date": "2027-01-31",
                    "reminder_offsets": [-7, -3, -1, 2],
                    "repeat_months": 12,
                    "contact_name": "Compliance team",
                    "contact_email": "compliance@company.example",
                    "language": "en",
                    "contacts": [
                        {
                            "node": "R-1",
                            "name": "Sita",
                            "email": "sita@agency.example",
                            "language": "ne",
                        }
                    ],
                }
            ]
        },
    )

    name: OneLine = Field(min_length=1, max_length=200)
    questionnaire_id: Id | None = Field(
        default=None, description="default: the library questionnaire that applies to the nodes"
    )
    selection: Selection
    due_date: date
    reminder_offsets: list[Annotated[int, Field(ge=-60, le=60)]] = Field(
        default_factory=lambda: [-7, -3, -1, 2],
        max_length=10,
        description="days from the due date: -7 is a week before it, 2 two days after it",
    )
    repeat_months: int | None = Field(
        default=None, ge=1, le=60, description="ask again this long after acceptance"
    )
    response_days: int = Field(
        default=30, ge=1, le=365, description="days to answer a round that starts by itself"
    )
    contact_name: OneLine = Field(min_length=1, max_length=200)
    contact_email: Email
    language: LanguageTag = "en"
    contacts: list[ContactIn] = Field(default_factory=list, max_length=MAX_TARGETS)

    _check_offsets = field_validator("reminder_offsets")(_offsets)


class ContactUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: OneLine | None = Field(default=None, max_length=200)
    email: Email | None = None
    language: LanguageTag | None = None


class SendRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    offset_days: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    history: list[dict[str, object]]


class TargetRead(BaseModel):
    id: int
    node_id: int
    node_external_id: str
    node_name: str
    round: int
    assessment_id: int
    due_date: date
    status: TargetStatus
    contact_name: str
    contact_email: str | None
    language: str
    reminders_stopped: bool
    invitation_url: str | None = Field(
        description="the respondent's link, for copying when email is off or did not arrive"
    )
    sends: list[SendRead]


class StatusCounts(BaseModel):
    not_sent: int = 0
    sent: int = 0
    opened: int = 0
    in_progress: int = 0
    submitted: int = 0
    overdue: int = 0
    accepted: int = 0


class CampaignRead(BaseModel):
    id: int
    network_id: int
    name: str
    questionnaire_id: int
    questionnaire: str
    state: str
    due_date: date | None = Field(description="the first round's due date")
    reminder_offsets: list[int]
    repeat_months: int | None
    response_days: int
    contact_name: str
    contact_email: str
    selection: dict[str, object]
    email: Literal["on", "off"] = Field(
        description="off: no SMTP server is configured; copy the invitation links instead"
    )
    targets: int
    statuses: StatusCounts
    failed_sends: int
    created_at: datetime
    links: dict[str, str]


class DueItem(BaseModel):
    campaign_id: int
    campaign: str
    network_id: int
    target_id: int
    node_id: int
    node_name: str
    round: int
    due_date: date
    status: TargetStatus
    kind: Literal["due", "next_round"] = Field(
        description="due: answers due this month; next_round: a repeat starts this month"
    )


class DueRead(BaseModel):
    month: str
    items: list[DueItem]
    total: int
    limit: int
    offset: int


class RunRead(BaseModel):
    email: Literal["on", "off"]
    planned: int
    rounds_started: int
    sent: int
    retrying: int
    failed: int
