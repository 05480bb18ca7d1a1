"""What an audit report says, as typed models: the JSON body of ``report.json`` and the one input
of the HTML and PDF renderers, so a field renamed here is caught by the type checker in both.

Field names are the JSON keys clients read; they stay as they are when the layout changes.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from audit.findings.schemas import FindingRead
from audit.remediation.schemas import ActionRead, ReimbursementRead
from audit.remediation.service import PlanMetrics
from audit.scores.schemas import CorridorRiskRead, ExplanationRead
from core import numbers
from core.severity import Severity
from scoring.profile import ScoringProfile

Row = TypeVar("Row")


class ReportMeta(BaseModel):
    """The cover: whose network, which version of it, when and with which Fairpath."""

    company: str
    network: str
    network_id: int
    network_version: int
    description: str
    generated_at: str
    date: str
    fairpath_version: str
    scope: str
    findings_current: bool = True
    findings_as_of: str | None = None


class KeyFigures(BaseModel):
    exposure: float | None
    exposure_band: str | None
    suppliers: int
    recruiters: int
    recruiters_by_role: dict[str, int]
    worker_groups: int
    corridors: int
    workers: int
    migrant_workers: int
    recruited_workers: int
    assessments_accepted: int
    assessments_submitted: int
    assessments_open: int
    findings_open: dict[Severity, int]
    critical_findings: int
    fees_owed_usd: float = Field(description="The known part of the fees reported owed")
    fees_estimated_usd: float
    fees_owed_local: dict[str, float]
    fees_owed_text: str = Field(
        default="", description="'USD 1,200', 'at least USD 1,200' or 'unknown', as printed"
    )
    fees_estimated_text: str = ""
    actions_total: int
    actions_overdue: int
    actions_verified: int
    insufficient_data: int = Field(
        default=0,
        description="Suppliers and recruiters with no scored answers and no reference "
        "figure: their risk is unknown",
    )
    assessable: int = Field(default=0, description="Suppliers and recruiters in the network")


class Methodology(BaseModel):
    """How the numbers were made: the method, the questionnaires answered, the exact weights."""

    summary: str
    questionnaires: list[str]
    profile: ScoringProfile
    overrides: list[str]


class SourceRow(BaseModel):
    """One reference figure the scores used: what it is about, its value, year and source."""

    subject: str = Field(description="The country, corridor or listed good")
    data: str = Field(description="Which figure, e.g. 'US TIP Report tier'")
    value: str
    year: str
    source: str
    quality: str = Field(description="primary, mirror or secondary (a report about the source)")
    level: str = Field(default="", description="For costs: corridor survey, origin average, ...")


class NetworkSummary(BaseModel):
    """The shape of the network: tiers, recruiter roles, countries, depth and blind spots."""

    tiers: dict[str, int]
    recruiters_by_role: dict[str, int]
    countries: list[str]
    longest_path_hops: int
    gap_counts: dict[str, int]


class GapRow(BaseModel):
    """One visibility gap, with the node named (not numbered) for readers of the report."""

    code: str
    title: str
    node: str | None
    message: str


class PlanGroup(BaseModel):
    """The actions about one node (or the whole network), by owner and deadline."""

    node: str
    actions: list[ActionRead]


# CREST ------------------------------------------------------------------------------------------

CrestPillarCode = Literal["PILLAR-1", "PILLAR-2", "PILLAR-3"]


def percent(share: float | None) -> str:
    """A share as printed, by CLDR's English rule: "50%" (which a line never breaks inside),
    or "unknown" (never 0% for a share nobody knows)."""
    return "unknown" if share is None else numbers.format_percent(share, "en")


class CrestShare(BaseModel):
    """``count`` of ``total``; ``share`` is null when the total is 0 or unknown, and is then
    printed "unknown", never 0 %."""

    count: int
    total: int | None
    share: float | None = Field(description="count / total (0-1); null when not known")

    def percent(self) -> str:
        return percent(self.share)


class TrainingNeedRow(BaseModel):
    node_id: int
    name: str
    kind: str
    last_trained: str | None = Field(description="ISO date; null when never trained")
    expired_on: str | None


class TrainingFigures(BaseModel):
    """Pillar 1: suppliers with migrant workers and recruiters whose staff hold current
    training, on the report's date."""

    validity_months: int = Field(description="Months a training counts as current")
    trainings_recorded: int
    suppliers_with_migrants: CrestShare
    recruiters: CrestShare
    required: int = Field(description="Suppliers with migrant workers, and recruiters")
    current: int
    expired: int = Field(description="Required nodes whose last training is out of date")
    never: int = Field(description="Required nodes with no training recorded")
    needs_training: list[TrainingNeedRow] = Field(
        default_factory=list, description="Required nodes without current training, never first"
    )


class StageShareRead(BaseModel):
    """Workers oriented at one stage, and their share of those recruited (null when the number
    recruited is unknown or 0)."""

    oriented: int
    share: float | None

    def percent(self) -> str:
        return percent(self.share)


class CorridorOrientationRow(BaseModel):
    origin: str | None
    destination: str | None
    name: str = Field(description="'NP > MY', with 'unknown' for a missing country")
    recruited: int | None
    pre_departure: StageShareRead
    post_arrival: StageShareRead


class EmployerOrientationRow(BaseModel):
    node_id: int
    name: str
    recruited: int | None
    pre_departure: StageShareRead
    post_arrival: StageShareRead


class OrientationFigures(BaseModel):
    """Pillar 2: pre-departure and post-arrival orientation of recruited workers, per corridor
    and per employer."""

    recorded: bool = Field(description="Whether any worker's orientation is recorded")
    corridors: list[CorridorOrientationRow]
    employers: list[EmployerOrientationRow]


class MappingFigures(BaseModel):
    """Pillar 3: how far the labour supply chain is mapped and its recruiters assessed."""

    suppliers: int
    recruiters: int
    worker_groups: int
    corridors: int
    visibility_gaps: int
    recruiters_assessed: CrestShare = Field(
        description="Recruiters with an accepted or submitted assessment"
    )


class CrestPillar(BaseModel):
    """What one CREST pillar's part of the report says: its summary sentences (as printed),
    its open findings (counted exactly; ids of those the report carries in ``findings``) and
    the plan actions of the report's ``plan`` that belong to it."""

    pillar: CrestPillarCode
    title: str
    summary: list[str]
    findings_open: dict[Severity, int]
    finding_ids: list[int] = Field(description="Ids of the report's `findings` in this pillar")
    action_ids: list[int] = Field(description="Ids of the report's `plan` in this pillar")


class TrainingPillar(CrestPillar):
    coverage: TrainingFigures


class OrientationPillar(CrestPillar):
    coverage: OrientationFigures | None = Field(
        description="Null when this Fairpath records no orientation"
    )


class MappingPillar(CrestPillar):
    coverage: MappingFigures


class CrestRead(BaseModel):
    """The report's CREST part: one entry per pillar. Findings are placed by code and
    principle (training gaps in pillar 1, orientation gaps in 2, everything else in 3), plan
    actions by their CREST pillar (or their findings' when they have none)."""

    training: TrainingPillar
    orientation: OrientationPillar
    mapping: MappingPillar

    def pillars(self) -> list[CrestPillar]:
        return [self.training, self.orientation, self.mapping]


class LegalLimitRow(BaseModel):
    """The origin country's legal limit on a corridor, with its source, beside the Employer
    Pays Principle's zero."""

    corridor: str
    workers: str
    legal_limit: str
    since: date | None
    source: str | None
    source_url: str | None
    source_quality: str | None
    employer_pays: str


class ReportData(BaseModel):
    meta: ReportMeta
    key_figures: KeyFigures
    critical_chain: list[str] | None
    headline: list[str]
    methodology: Methodology
    sources: list[SourceRow]
    network: NetworkSummary
    corridors: list[CorridorRiskRead]
    gaps: list[GapRow]
    findings: dict[Severity, list[FindingRead]]
    findings_total: dict[Severity, int]
    plan: list[ActionRead]
    plan_groups: list[PlanGroup] = Field(default_factory=list)
    plan_metrics: PlanMetrics
    reimbursement: ReimbursementRead
    scorecards: list[ExplanationRead]
    scorecards_total: int = 0
    top: dict[str, int]
    crest: CrestRead
    legal_limits: list[LegalLimitRow] = Field(default_factory=list)

    def crest_findings(self, pillar: CrestPillar) -> list[FindingRead]:
        """The pillar's findings among those the report carries, most severe first."""
        wanted = set(pillar.finding_ids)
        return [f for items in self.findings.values() for f in items if f.id in wanted]

    def crest_actions(self, pillar: CrestPillar) -> list[ActionRead]:
        """The pillar's actions among the plan's, most urgent first."""
        wanted = set(pillar.action_ids)
        return [a for a in self.plan if a.id in wanted]

    @property
    def plan_complete(self) -> bool:
        return len(self.plan) >= self.plan_metrics["total"]

    def more_findings(self, severity: str) -> tuple[int, str]:
        """How many open findings of the severity a table leaves out, and where they are."""
        total = self.findings_total.get(severity, 0)  # type: ignore[call-overload]
        carried = len(self.findings.get(severity, []))  # type: ignore[call-overload]
        where = (
            "in the JSON report"
            if total <= carried
            else "in the findings list (the findings API or the dashboard)"
        )
        return total - self.top["findings"], where

    def more_gaps(self) -> tuple[int, str]:
        """How many visibility gaps the table leaves out, and where they are."""
        total = sum(self.network.gap_counts.values())
        where = "in the JSON report" if total <= len(self.gaps) else "in the gaps API (graph/gaps)"
        return total - self.top["gaps"], where

    def plan_note(self) -> str:
        """Said under the plan when it lists only the most urgent actions."""
        if self.plan_complete:
            return ""
        return (
            f"The most urgent {len(self.plan):,} of {self.plan_metrics['total']:,} actions are "
            "listed; the complete plan is in the plan export (XLSX or CSV: "
            f"/api/v1/networks/{self.meta.network_id}/plan/export, or the dashboard's plan page)."
        )

    def scorecards_note(self, shown: int) -> str:
        if shown >= self.scorecards_total:
            return "."
        if len(self.scorecards) >= self.scorecards_total:
            return f"; the first {shown} are shown, all are in the JSON report."
        return (
            f"; the first {shown} are shown, the JSON report carries the riskiest "
            f"{len(self.scorecards):,}, and every node's score is in the scores API."
        )

    def top_rows(self, name: str, rows: list[Row]) -> list[Row]:
        """The rows a PDF or HTML table shows; the JSON always carries all of them."""
        return rows[: self.top[name]]


class ReportJobCreate(BaseModel):
    """A report to produce as a job, for networks too large to wait for in one request."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"format": "pdf"}]})

    format: Literal["pdf", "html"] = "pdf"
