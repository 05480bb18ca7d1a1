"""Response bodies for scores, explanations, corridors and scoring settings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from scoring.network import Band


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
    exposure: float = Field(
        description="Own risk and what feeds into it, discounted per hop; at least the red-flag "
        "floor (75) on a chain with a critical red flag"
    )
    exposure_band: Band
    critical_chain: bool = Field(description="A critical red flag upstream (or here)")
    coverage: str = Field(
        default="", description="Inherent-risk components known, e.g. '3 of 4 components known'"
    )


class BandCounts(BaseModel):
    low: int = 0
    medium: int = 0
    high: int = 0
    critical: int = 0
    insufficient_data: int = Field(
        default=0, description="Nodes with no scored answers and no reference figure"
    )


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
    quality: str = Field(
        default="",
        description="primary (the publisher's own document or data), mirror (a verbatim copy "
        "of it) or secondary (a report about it); empty for the organisation's own figures",
    )
    level: str = Field(
        default="",
        description="For costs: corridor survey, origin average (all destinations of the "
        "origin, e.g. its SDG 10.7.1 value), destination average or regional range",
    )


class ComponentRead(BaseModel):
    name: str
    risk: float | None = Field(description="null when unknown; left out of the mean")
    weight: float
    reason: str
    figures: list[FigureRead]
    applicable: bool = Field(
        default=True,
        description="false when the component does not apply to this kind of node (e.g. role "
        "for a supplier); such a component is neither known nor unknown",
    )


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
    coverage: str = Field(
        default="",
        description="How many of the components that apply to the node are known, e.g. "
        "'3 of 4 components known'",
    )
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
    pre_departure_oriented: int = Field(
        default=0, description="Workers reached by pre-departure orientation (CREST pillar 2)"
    )
    pre_departure_share: float | None = Field(
        default=None, description="Pre-departure oriented / workers, 0-1; null when unknown"
    )
    post_arrival_oriented: int = Field(
        default=0, description="Workers reached by post-arrival orientation (CREST pillar 2)"
    )
    post_arrival_share: float | None = Field(
        default=None, description="Post-arrival oriented / workers, 0-1; null when unknown"
    )


class ProfileWeights(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"weights": {"inherent.corridor": 0.3, "propagation.decay": 0.9}}]
        },
    )
    weights: dict[str, StrictFloat] = Field(description="Adjustable weight -> value, within bounds")


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
    gsi_prevalence: StrictFloat | None = Field(default=None, ge=0, le=1000)
    gsi_vulnerability: StrictFloat | None = Field(default=None, ge=0, le=100)
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


class DatasetRead(BaseModel):
    """One shipped reference data set: what it covers, how good its sources are, what it lacks."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "corridor_costs",
                    "file": "corridor_costs.csv",
                    "title": "Worker-paid recruitment costs by corridor",
                    "editions": ["survey 2015", "survey 2020"],
                    "rows": 38,
                    "coverage": {"corridors": 23, "corridors_with_survey": 17},
                    "quality": {"primary": 4, "secondary": 34},
                    "gaps": ["6 corridors have estimates only: ID->MY, ..."],
                }
            ]
        }
    )

    key: str
    file: str
    title: str
    editions: list[str]
    rows: int
    coverage: dict[str, int]
    quality: dict[str, int] = Field(
        description="Rows by source quality: primary, mirror (a verbatim copy of the "
        "publisher's data) or secondary"
    )
    gaps: list[str]


class DatasetsRead(BaseModel):
    datasets: list[DatasetRead]
    overrides: list[str] = Field(
        description="Your organisation's own figures laid over the shipped ones, in words"
    )
