"""Tables of the recruiter registry: one profile per labour recruiter, shared by every
organisation whose networks it serves, with its history, proposals, and the links from nodes.

A profile holds no organisation: it is what is known about the agency itself (licence, IRIS
status, commitments, sanctions). Which buyers work with it lives only in their own networks,
so a profile never tells one buyer about another.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class LicenceStatus(StrEnum):
    valid = "valid"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"
    unknown = "unknown"


class IrisStatus(StrEnum):
    not_engaged = "not_engaged"
    pledged = "pledged"
    in_progress = "in_progress"
    certified = "certified"


class RecruiterProfile(SQLModel, table=True):
    __tablename__ = "recruiter_profile"
    __table_args__ = (
        # One profile per licence in a country; the key is the licence as matching reads it.
        UniqueConstraint("country", "licence_key"),
        Index("ix_recruiter_profile_name_key", "country", "name_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    legal_name: str = Field(max_length=300)
    trading_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str = Field(max_length=2)
    address: str = Field(default="", max_length=500)
    licence_number: str | None = Field(default=None, max_length=100)
    licence_key: str | None = Field(default=None, max_length=100)  # matching.licence_key
    name_key: str = Field(max_length=300)  # matching.name_key of the legal name
    licensing_authority: str = Field(default="", max_length=200)
    licence_valid_from: date | None = None
    licence_valid_until: date | None = None
    licence_status: LicenceStatus = Field(
        default=LicenceStatus.unknown, sa_type=enum_column(LicenceStatus)
    )
    iris_status: IrisStatus = Field(default=IrisStatus.not_engaged, sa_type=enum_column(IrisStatus))
    iris_body: str = Field(default="", max_length=200)
    iris_date: date | None = None
    # [{"name": "Employer Pays pledge", "date": "2026-03-01", "source": "..."}]
    commitments: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # [{"kind": "blacklisted", "authority": "...", "date": "...", "source": "...", "detail": ""}]
    sanctions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RegistryChange(SQLModel, table=True):
    """Every change to a profile: who, why, and each field's value before and after."""

    __tablename__ = "registry_change"

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="recruiter_profile.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=40)  # created, updated, proposal_accepted
    reason: str = Field(max_length=2000)
    proposal_id: int | None = Field(default=None)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ProposalState(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"


class RegistryProposal(SQLModel, table=True):
    """An organisation's proposed new profile (``profile_id`` None) or correction, decided by
    programme staff."""

    __tablename__ = "registry_proposal"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    profile_id: int | None = Field(default=None, foreign_key="recruiter_profile.id", index=True)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = Field(max_length=2000)
    state: ProposalState = Field(default=ProposalState.open, sa_type=enum_column(ProposalState))
    proposed_by: int | None = Field(default=None, foreign_key="user.id")
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=2000)


class LinkKind(StrEnum):
    licence = "licence"  # same licence number and country: linked by itself
    accepted = "accepted"  # a name suggestion an analyst accepted


class NodeRegistryLink(SQLModel, table=True):
    __tablename__ = "node_registry_link"

    id: int | None = Field(default=None, primary_key=True)
    # A node removed by a replacing import takes its link and suggestions with it.
    node_id: int = Field(foreign_key="node.id", unique=True, ondelete="CASCADE")
    profile_id: int = Field(foreign_key="recruiter_profile.id", index=True)
    kind: LinkKind = Field(sa_type=enum_column(LinkKind))
    linked_by: int | None = Field(default=None, foreign_key="user.id")
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SuggestionState(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"


class RegistrySuggestion(SQLModel, table=True):
    """A name match between a node and a profile, never acted on until an analyst decides."""

    __tablename__ = "registry_suggestion"
    __table_args__ = (UniqueConstraint("node_id", "profile_id"),)

    id: int | None = Field(default=None, primary_key=True)
    node_id: int = Field(foreign_key="node.id", index=True, ondelete="CASCADE")
    profile_id: int = Field(foreign_key="recruiter_profile.id", index=True)
    similarity: float
    state: SuggestionState = Field(
        default=SuggestionState.open, sa_type=enum_column(SuggestionState)
    )
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LicenceList(SQLModel, table=True):
    """An authority's published list of licensed recruiters, as imported, with where it was
    read; ``illustrative`` marks sample data that must never be taken as real."""

    __tablename__ = "licence_list"

    id: int | None = Field(default=None, primary_key=True)
    authority: str = Field(max_length=200)
    country: str = Field(max_length=2, index=True)
    published_on: date
    source: str = Field(max_length=500)
    illustrative: bool = False
    entries: int = 0
    imported_by: int | None = Field(default=None, foreign_key="user.id")
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LicenceListEntry(SQLModel, table=True):
    __tablename__ = "licence_list_entry"
    __table_args__ = (UniqueConstraint("list_id", "licence_key"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="licence_list.id", index=True)
    licence_key: str = Field(max_length=100)
    licence_number: str = Field(max_length=100)
    name: str = Field(default="", max_length=300)
    status: str = Field(max_length=20)  # licences.LISTED_STATUSES
    valid_until: date | None = None
