"""Request and response bodies for orientation sessions, their evidence files and coverage.

Topics come from the curated list (``topics.yaml``), stage and deliverer from short fixed
vocabularies, countries are ISO 3166-1 alpha-2 codes and the language a BCP 47 tag whose
language CLDR knows, so that coverage and the language finding can rely on them; notes are free
text. A session counts workers reached, never names them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import pycountry
from annotated_types import Lt
from babel import Locale
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from audit.orientation.coverage import primary_language
from audit.orientation.topics import orientation_topics
from core.schemas import INT32_LIMIT, Id
from core.text import TEXT_CHECK, FreeText

Stage = Literal["pre_departure", "post_arrival"]
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]
Deliverer = Literal["recruiter", "employer", "iom", "government", "ngo"]
DELIVERERS: tuple[str, ...] = Deliverer.__args__  # type: ignore[attr-defined]
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"
WorkersReached = Annotated[int, Field(strict=True, ge=1), Lt(INT32_LIMIT)]


def check_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (NP, MY)")
    return code


def check_language(value: str) -> str:
    """A tag such as "ne" or "my-MM" whose language CLDR names (any of its ~600 languages)."""
    tag = value.strip().replace("_", "-")
    base = tag.split("-", 1)[0].lower()
    if base not in Locale("en").languages and primary_language(base) not in Locale("en").languages:
        raise ValueError(f"{value!r} names no known language: use an ISO 639 code (ne, my, th)")
    return "-".join([base, *tag.split("-")[1:]])


def check_topics(topics: list[str]) -> list[str]:
    known = orientation_topics().ids()
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise ValueError(f"unknown topics: {', '.join(unknown)}; known: {', '.join(known)}")
    if len(set(topics)) != len(topics):
        raise ValueError("a topic is listed twice")
    return topics


Country = Annotated[
    str,
    Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", examples=["NP"]),
    AfterValidator(check_country),
]
Language = Annotated[
    str,
    Field(min_length=2, max_length=35, pattern=LANGUAGE_PATTERN),
    AfterValidator(check_language),
]
Topics = Annotated[
    list[str],
    Field(min_length=1, max_length=20, description="Ids from orientation-topics"),
    AfterValidator(check_topics),
]


class OrientationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "stage": "pre_departure",
                    "origin": "NP",
                    "destination": "MY",
                    "recruiter_node_id": 7,
                    "delivered_on": "2026-03-10",
                    "language": "ne",
                    "topics": ["contract-terms", "fees-and-rights", "grievance-channels"],
                    "deliverer": "recruiter",
                    "workers_reached": 45,
                    "info_page_shown": True,
                }
            ]
        },
    )
    stage: Stage
    origin: Country
    destination: Country
    employer_node_id: Id | None = Field(
        default=None,
        description="The supplier or company receiving the workers; required after arrival",
    )
    recruiter_node_id: Id | None = None
    delivered_on: date = Field(description="The day of the session (not in the future)")
    language: Language
    topics: Topics
    deliverer: Deliverer
    workers_reached: WorkersReached
    info_page_shown: bool = Field(
        default=False, description="The corridor's safe-migration information page was shown"
    )
    notes: FreeText = Field(default="", max_length=2000)


class OrientationUpdate(BaseModel):
    """Each field left out keeps its value; only the employer and the recruiter can be cleared
    with null (an employer only from a pre-departure session)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"workers_reached": 52, "info_page_shown": True}]},
    )
    stage: Stage | SkipJsonSchema[None] = None
    origin: Country | SkipJsonSchema[None] = None
    destination: Country | SkipJsonSchema[None] = None
    employer_node_id: Id | None = None
    recruiter_node_id: Id | None = None
    delivered_on: date | SkipJsonSchema[None] = None
    language: Language | SkipJsonSchema[None] = None
    topics: Topics | SkipJsonSchema[None] = None
    deliverer: Deliverer | SkipJsonSchema[None] = None
    workers_reached: WorkersReached | SkipJsonSchema[None] = None
    info_page_shown: bool | SkipJsonSchema[None] = None
    notes: Annotated[str, Field(max_length=2000), TEXT_CHECK] | SkipJsonSchema[None] = None

    @field_validator(
        "stage",
        "origin",
        "destination",
        "delivered_on",
        "language",
        "topics",
        "deliverer",
        "workers_reached",
        "info_page_shown",
        "notes",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null: leave the field out to keep its value")
        return value


class OrientationEvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    session_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class OrientationRead(BaseModel):
    id: int
    network_id: int
    stage: str
    origin: str
    destination: str
    corridor: str = Field(description="ORIGIN-DESTINATION, e.g. NP-MY")
    employer_node_id: int | None
    employer_name: str | None
    recruiter_node_id: int | None
    recruiter_name: str | None
    delivered_on: date
    language: str
    topics: list[str]
    deliverer: str
    workers_reached: int
    info_page_shown: bool
    notes: str
    evidence: list[OrientationEvidenceRead] = Field(default_factory=list)
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class OrientationPage(BaseModel):
    items: list[OrientationRead]
    total: int
    limit: int
    offset: int


class StageShareRead(BaseModel):
    oriented: int = Field(description="Workers reached by sessions of this stage")
    sessions: int
    share: float | None = Field(
        description="oriented (at most recruited) / recruited, 0-1; null when recruited is "
        "unknown or 0 (unknown, never 0 %)"
    )
    shown: str = Field(description="The share in words: '75%', or 'unknown'")


class CorridorOrientationRead(BaseModel):
    origin: str | None
    destination: str | None
    corridor: str
    recruited: int | None = Field(
        description="Workers placed through the corridor (labour edges); null if unknown"
    )
    edges_without_workers: int
    employer_ids: list[int]
    pre_departure: StageShareRead
    post_arrival: StageShareRead


class EmployerOrientationRead(BaseModel):
    node_id: int
    external_id: str
    name: str
    recruited: int | None
    corridors: list[str]
    pre_departure: StageShareRead
    post_arrival: StageShareRead


class OrientationCoverageRead(BaseModel):
    corridors: list[CorridorOrientationRead]
    employers: list[EmployerOrientationRead]


class OrientationImportRead(BaseModel):
    dry_run: bool
    rows: int = Field(description="Sessions read from the file")
    created: int
    session_ids: list[int]
