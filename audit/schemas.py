"""Response bodies for scores, explanations, corridors and scoring settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Band = Literal["low", "medium", "high", "critical"]


class NodeRefScore(BaseModel):
    id: int
    external_id: str
    name: str
    kind: str
    role: str | None
    country: str
    risk: float
    band: Band


class NodeScoreSummary(NodeRefScore):
    compliance: float | None = Field(description="0-100 from the assessment; null if none")
    provisional: bool = Field(description="Scored on a submitted assessment nobody reviewed yet")
    inherent: float
    red_flags: list[str]
    exposure: float = Field(description="Own risk and what feeds into it, discounted per hop")
    exposure_band: Band
    critical_chain: bool = Field(description="A critical red flag upstream (or here)")


class BandCounts(BaseModel):
    low: int = 0
    medium: int = 0
    high: int = 0
    critical: int = 0


class ScoresPage(BaseModel):
    items: list[NodeScoreSummary]
    total: int
    limit: int
    offset: int
    profile_version: str
    company: NodeScoreSummary | None = Field(description="The buying company's exposure")
    bands: BandCounts = Field(description="Nodes per risk band, across the whole network")
    reference_overrides: list[str]


class FigureRead(BaseModel):
    label: str
    value: str
    source: str
    year: int | None
    estimate: bool


class ComponentRead(BaseModel):
    name: str
    risk: float | None = Field(description="null when unknown; left out of the mean")
    weight: float
    reason: str
    figures: list[FigureRead]


class RedFlagRead(BaseModel):
    code: str
    severity: str
    title: str
    question_id: str
    question_text: str
    answer: Any = Field(description="The stored answer (option values, numbers)")
    answer_words: str = Field(
        default="", description="The answer as the respondent saw it: option labels, units"
    )
    evidences: list[str]


class AnswerRead(BaseModel):
    question_id: str
    question_text: str
    section_id: str
    answer: Any
    fraction: float
    weight: float
    evidences: list[str]


class PrincipleScore(BaseModel):
    tag: str
    label: str
    score: float


class ComplianceRead(BaseModel):
    assessment_id: int
    questionnaire: str
    status: str
    provisional: bool
    completed_at: str
    score: float | None
    sections: dict[str, float]
    principles: list[PrincipleScore]
    red_flags: list[RedFlagRead]
    weakest_answers: list[AnswerRead]


class ChainStep(BaseModel):
    id: int
    external_id: str
    name: str
    kind: str
    role: str | None
    risk: float
    exposure: float
    red_flags: list[str]


class ExplanationRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "description": "Everything that produced the node's numbers: answers, reference "
            "figures with sources, weights, formula and chains."
        }
    )
    node: NodeScoreSummary
    formula: str
    compliance: ComplianceRead | None
    inherent: float
    components: list[ComponentRead]
    unknown: list[str] = Field(description="Components without data (not counted as zero)")
    licensed: bool | None
    corridors: list[str]
    riskiest_chain: list[ChainStep] = Field(
        description="From the upstream node that sets the exposure down to this node"
    )
    critical_chain: list[ChainStep] | None = Field(
        description="From the nearest node with a critical red flag down to this node"
    )
    profile: dict[str, Any]
    reference_overrides: list[str]


class ReportedFeeRead(BaseModel):
    node_id: int
    amount_usd: float
    amount_local: float | None
    currency: str | None
    workers_charged: int | None


class CorridorRiskRead(BaseModel):
    origin: str | None
    origin_name: str
    destination: str | None
    destination_name: str
    workers: int = Field(description="Workers placed with employers through this corridor.")
    edges_without_workers: int = Field(description="Placements whose worker count is unknown")
    recruiters: int
    employers: int
    recruiter_ids: list[int]
    employer_ids: list[int]
    worst_risk: float | None
    worst_node_id: int | None
    worker_weighted_risk: float | None
    band: Band | None
    critical_recruiter_ids: list[int]
    reference_costs: list[FigureRead] = Field(
        description="Worker-paid cost figures from migration cost surveys, with sources"
    )
    reported_fees: list[ReportedFeeRead] = Field(
        description="Fees recruiters on this corridor reported in their assessments"
    )
    reported_median_usd: float | None


class ProfileWeights(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"weights": {"inherent.corridor": 0.3, "propagation.decay": 0.9}}]
        },
    )
    weights: dict[str, float] = Field(description="Adjustable weight -> value, within bounds")


class ProfileRead(BaseModel):
    version: str
    weights: dict[str, float]
    bounds: dict[str, list[float]]
    profile: dict[str, Any]


class CountryOverrideWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"tip_tier": "2WL", "source": "Our 2026 country risk review"}]
        },
    )
    tip_tier: Literal["1", "2", "2WL", "3"] | None = None
    gsi_prevalence: float | None = Field(default=None, ge=0, le=1000)
    gsi_vulnerability: float | None = Field(default=None, ge=0, le=100)
    source: str = Field(min_length=3, max_length=500, description="Where your figure comes from")


class CountryRead(BaseModel):
    iso2: str
    name: str
    tip_tier: str | None
    tip_year: int | None
    tip_source: str
    gsi_prevalence: float | None
    gsi_vulnerability: float | None
    gsi_year: int | None
    gsi_source: str
    origin: Literal["shipped", "organisation"]


# Findings and remediation ----------------------------------------------------------------------

Severity = Literal["critical", "high", "medium", "low"]


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
    node_id: int | None = None
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
