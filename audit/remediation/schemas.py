"""Request and response bodies for remediation plans, actions and fee reimbursement."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.severity import Severity


class ActionRead(BaseModel):
    id: int
    network_id: int
    finding_id: int | None
    finding_status: str | None
    template_id: str | None
    title: str
    description: str
    crest_pillar: str | None
    severity: Severity
    owner_kind: str
    owner_node_id: int | None
    owner_name: str
    due_date: str
    overdue: bool
    verification: str
    status: Literal["open", "in_progress", "completed", "verified", "cancelled"]
    cancel_reason: str
    created_at: str
    updated_at: str


class PlanRead(BaseModel):
    items: list[ActionRead]
    total: int
    limit: int
    offset: int
    metrics: dict[str, Any]
    created: int = Field(default=0, description="Actions added by this request")


class ActionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "title": "Third-party worker interviews at the Ranong vessels",
                    "severity": "high",
                    "owner_kind": "company",
                    "due_date": "2027-03-31",
                }
            ]
        },
    )
    title: str = Field(min_length=5, max_length=300)
    description: str = Field(default="", max_length=4000)
    severity: Severity
    owner_kind: Literal["company", "supplier", "recruiter"]
    owner_node_id: int | None = None
    owner_name: str = Field(default="", max_length=300)
    due_date: date
    finding_id: int | None = None
    verification: str = Field(default="", max_length=1000)


class ActionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str | None = Field(default=None, min_length=5, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    owner_kind: Literal["company", "supplier", "recruiter"] | None = None
    owner_node_id: int | None = None
    owner_name: str | None = Field(default=None, max_length=300)
    due_date: date | None = None


class ActionStatusChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "completed", "comment": "Receipts from all 150 workers uploaded"}
            ]
        },
    )
    status: Literal["open", "in_progress", "completed", "verified", "cancelled"]
    comment: str = Field(default="", max_length=4000)


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field(min_length=1, max_length=4000)


class ActionEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    user_id: int | None
    kind: str
    from_status: str | None
    to_status: str | None
    comment: str
    details: dict[str, Any]


class ActionEvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    action_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class AllocationRead(BaseModel):
    employer_id: int
    employer_name: str
    origin: str | None
    destination: str | None
    workers: float
    owed_usd: float


class OwedLineRead(BaseModel):
    node_id: int
    node_name: str
    node_kind: str
    basis: Literal["reported", "estimate"]
    per_worker_usd: float | None
    usd_basis: str
    per_worker_local: float | None
    currency: str | None
    workers: int | None
    workers_basis: str
    reimbursed: str | None
    owed_usd: float
    owed_local: float | None
    allocations: list[AllocationRead]
    notes: list[str]
    missing: list[str]


class OwedTotal(BaseModel):
    id: int | None = None
    name: str
    origin: str | None = None
    destination: str | None = None
    owed_usd: float


class ReimbursementRead(BaseModel):
    reported_usd: float = Field(description="Owed according to fees reported in assessments")
    estimated_usd: float = Field(description="Survey-based estimate where nobody was assessed")
    reported_local: dict[str, float] = Field(description="Currency -> amount as reported")
    by_recruiter: list[OwedTotal]
    by_supplier: list[OwedTotal]
    by_corridor: list[OwedTotal]
    estimated_by_supplier: list[OwedTotal] = Field(description="Estimates, never added above")
    estimated_by_corridor: list[OwedTotal]
    lines: list[OwedLineRead]
