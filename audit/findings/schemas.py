"""Request and response bodies for findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from audit.scores.schemas import ChainStep
from core.schemas import Id
from core.severity import Severity


class FindingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    network_id: int
    key: str = Field(description="Stable across re-scoring")
    source: Literal["generated", "manual"]
    code: str
    severity: Severity
    node_id: int | None
    node_name: str | None = None
    principle: str | None
    principle_label: str | None = None
    title: str
    detail: str
    evidence: dict[str, Any]
    chain: list[ChainStep] = Field(default_factory=list, description="From the node to the company")
    status: Literal["open", "resolved", "dismissed"]
    status_reason: str
    created_at: str
    updated_at: str
    resolved_at: str | None


class FindingsPage(BaseModel):
    items: list[FindingRead]
    total: int
    limit: int
    offset: int
    counts: dict[str, dict[str, int]] = Field(description="status -> severity -> count")
    current: bool = Field(
        description="False when the network's data, settings or the date changed since the "
        "findings were generated; POST .../findings/refresh brings them up to date."
    )
    generated_at: datetime | None = Field(
        description="When the generated findings were last brought in step with the scores."
    )


class FindingsRefreshRead(BaseModel):
    refreshed: bool = Field(description="False when the findings were already current.")
    current: bool
    generated_at: datetime | None
    counts: dict[str, dict[str, int]] = Field(description="status -> severity -> count")


class ManualFindingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "WORKER_INTERVIEW",
                    "severity": "high",
                    "title": "Workers report paying a medical fee in Kathmandu",
                    "detail": "6 of 10 interviewed workers paid NPR 8,000 for a medical check.",
                    "node_id": 17,
                    "principle": "iris:1",
                }
            ]
        },
    )
    code: str = Field(default="MANUAL", pattern=r"^[A-Z][A-Z0-9_]{2,59}$")
    severity: Severity
    title: str = Field(min_length=5, max_length=400)
    detail: str = Field(default="", max_length=4000)
    node_id: Id | None = None
    principle: str | None = Field(default=None, max_length=40)
    evidence: dict[str, Any] = Field(default_factory=dict)


class FindingStatusChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "dismissed", "reason": "Duplicate of the site-visit finding"}]
        },
    )
    status: Literal["open", "resolved", "dismissed"]
    reason: str = Field(default="", max_length=2000)
