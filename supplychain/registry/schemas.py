"""Request and response bodies of the recruiter registry. (Fields named ``date`` shadow the
type inside their class, so the type is written ``dt.date`` throughout.)"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.schemas import Id
from core.text import FreeText, OneLine
from supplychain.countries import resolve_country
from supplychain.registry.models import IrisStatus, LicenceStatus


class Commitment(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: OneLine = Field(min_length=1, max_length=200, examples=["Employer Pays pledge"])
    date: dt.date | None = None
    source: OneLine = Field(default="", max_length=500)


class Sanction(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["blacklisted", "licence_suspended", "licence_revoked", "fined", "other"]
    authority: OneLine = Field(min_length=1, max_length=200)
    date: dt.date
    source: OneLine = Field(min_length=1, max_length=500, description="where it was published")
    detail: FreeText = Field(default="", max_length=2000)


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    code = resolve_country(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country (use an ISO code such as NP or PH)")
    return code


class ProfileFields(BaseModel):
    """What a profile says; all optional here, so that a correction names only what changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    legal_name: OneLine | None = Field(default=None, min_length=1, max_length=300)
    trading_names: list[OneLine] | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, description="ISO 3166-1 code or English name")
    address: OneLine | None = Field(default=None, max_length=500)
    licence_number: OneLine | None = Field(default=None, max_length=100)
    licensing_authority: OneLine | None = Field(
        default=None,
        max_length=200,
        examples=["Department of Migrant Workers (Philippines)"],
    )
    licence_valid_from: dt.date | None = None
    licence_valid_until: dt.date | None = None
    licence_status: LicenceStatus | None = None
    iris_status: IrisStatus | None = None
    iris_body: OneLine | None = Field(default=None, max_length=200)
    iris_date: dt.date | None = None
    commitments: list[Commitment] | None = Field(default=None, max_length=50)
    sanctions: list[Sanction] | None = Field(default=None, max_length=50)

    _check_country = field_validator("country")(_country)


class ProfileCreate(ProfileFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Himal Manpower Pvt. Ltd.",
                    "country": "NP",
                    "licence_number": "DoFE-1234/067",
                    "licensing_authority": "Department of Foreign Employment (Nepal)",
                    "licence_status": "valid",
                    "licence_valid_until": "2027-07-15",
                    "iris_status": "pledged",
                    "reason": "Licence read from the authority's published list, 2026-11",
                }
            ]
        }
    )

    legal_name: OneLine = Field(min_length=1, max_length=300)
    country: str = Field(description="ISO 3166-1 code or English name")
    reason: FreeText = Field(min_length=3, max_length=2000, description="why: the source")

    _check_country = field_validator("country")(_country)


class ProfileUpdate(ProfileFields):
    reason: FreeText = Field(min_length=3, max_length=2000, description="why: the source")


class ProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    legal_name: str
    trading_names: list[str]
    country: str
    address: str
    licence_number: str | None
    licensing_authority: str
    licence_valid_from: dt.date | None
    licence_valid_until: dt.date | None
    licence_status: LicenceStatus
    iris_status: IrisStatus
    iris_body: str
    iris_date: dt.date | None
    commitments: list[dict[str, Any]]
    sanctions: list[dict[str, Any]]
    version: int
    created_at: datetime
    updated_at: datetime


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    action: str
    reason: str
    user: str | None = Field(description="who made it (programme staff see the email)")
    proposal_id: int | None
    changes: dict[str, Any]


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    profile_id: Id | None = Field(default=None, description="a correction of this entry")
    fields: ProfileFields
    reason: FreeText = Field(min_length=3, max_length=2000)


class ProposalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["accept", "reject"]
    note: FreeText = Field(default="", max_length=2000)


class ProposalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    profile_id: int | None
    fields: dict[str, Any]
    reason: str
    state: str
    proposed_at: datetime
    decided_at: datetime | None
    decision_note: str


class LinkRead(BaseModel):
    node_id: int
    node_external_id: str
    node_name: str
    profile: ProfileRead
    kind: str
    linked_at: datetime


class SuggestionRead(BaseModel):
    id: int
    node_id: int
    node_external_id: str
    node_name: str
    profile: ProfileRead
    similarity: float
    state: str


class MatchRead(BaseModel):
    recruiters: int = Field(description="recruiter nodes in the network")
    linked: int = Field(description="linked now, by licence or an accepted suggestion")
    newly_linked: int
    suggestions_open: int
    unmatched: int


class LicenceListRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    authority: str
    country: str
    published_on: dt.date
    source: str
    illustrative: bool = Field(description="sample data for tests and demos, never real")
    entries: int
    imported_at: datetime
