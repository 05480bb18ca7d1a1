"""The scoring profile: every weight and threshold of the formula, versioned and documented.

A profile is data so that a report can print exactly which weights produced its numbers, and so
an organisation can tune emphasis (say, weigh corridor costs more) without touching code. Each
adjustable weight has bounds; outside them the method would stop meaning what the documentation
says (e.g. ignoring answers altogether).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

PROFILE_VERSION = "fairpath-risk-2026.1"

# name -> (lowest allowed, highest allowed); the defaults are the ScoringProfile field defaults.
ADJUSTABLE: dict[str, tuple[float, float]] = {
    "inherent.country": (0.1, 0.6),
    "inherent.sector": (0.0, 0.4),
    "inherent.corridor": (0.0, 0.4),
    "inherent.role": (0.0, 0.4),
    "inherent.data_gap": (0.0, 0.3),
    "combine.compliance": (0.3, 0.8),
    "propagation.decay": (0.5, 1.0),
    "assessment.max_age_days": (90, 1095),
    "fees.usd_tolerance": (0.01, 0.5),
}


class ScoringProfile(BaseModel):
    """Defaults are the documented method (docs in scoring/README.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = PROFILE_VERSION
    adjusted_by: str | None = Field(default=None, description="Organisation whose weights apply")

    # Inherent risk: a weighted mean of the components that are known.
    country_weight: float = 0.35
    sector_weight: float = 0.15
    corridor_weight: float = 0.2
    role_weight: float = 0.2
    data_gap_weight: float = 0.1

    # Country: TIP tier and GSI figures turned into 0..100 risk, then averaged.
    tip_tier_risk: dict[str, float] = Field(
        default_factory=lambda: {"1": 15.0, "2": 45.0, "2WL": 70.0, "3": 90.0}
    )
    gsi_prevalence_ceiling: float = 15.0  # per 1,000; at or above it the prevalence risk is 100
    # Sector: the US DoL list of goods for the node's country and sector.
    sector_forced_labour_risk: float = 85.0
    sector_child_labour_risk: float = 65.0
    sector_unlisted_risk: float = 25.0
    # Corridor: worker-paid recruitment costs; risk 100 at or above these.
    corridor_months_ceiling: float = 6.0
    corridor_usd_ceiling: float = 3000.0
    # Recruiter role, and a surcharge for operating without a licence.
    role_risk: dict[str, float] = Field(
        default_factory=lambda: {
            "destination_agency": 30.0,
            "origin_agency": 40.0,
            "sub_agent": 70.0,
            "informal_broker": 85.0,
        }
    )
    unlicensed_surcharge: float = 30.0
    # Data gaps.
    gap_no_assessment: float = 100.0
    gap_stale: float = 70.0
    gap_provisional: float = 35.0
    assessment_max_age_days: int = 365

    # Node risk = compliance_weight * (100 - compliance) + (1 - compliance_weight) * inherent.
    compliance_weight: float = 0.6
    # Bands: lower bounds of medium and high. "critical" is reserved for critical red flags (on
    # the node, or upstream of it for exposure), whose risk is raised to at least
    # ``red_flag_floor``; numbers alone never make a node critical, so the band always points
    # at a concrete answer someone can verify.
    band_medium: float = 30.0
    band_high: float = 50.0
    red_flag_floor: float = 75.0

    # Exposure: what feeds a node counts at ``decay`` per hop, scaled by the share of the node's
    # migrant workers an edge carries (at least ``min_worker_share`` when workers are known).
    decay: float = 0.85
    min_worker_share: float = 0.5

    # Fees: a respondent's own USD figure further than this share from the sourced conversion
    # of the local amount is flagged for the respondent to confirm (the conversion is used).
    fee_usd_tolerance: float = 0.10

    @model_validator(mode="after")
    def _sane(self) -> ScoringProfile:
        if not self.band_medium < self.band_high <= self.red_flag_floor <= 100:
            raise ValueError("bands must rise: medium < high <= red_flag_floor <= 100")
        inherent = (
            self.country_weight,
            self.sector_weight,
            self.corridor_weight,
            self.role_weight,
            self.data_gap_weight,
        )
        if sum(inherent) <= 0:
            raise ValueError("at least one inherent-risk weight must be positive")
        return self

    def band(self, risk: float, *, critical_flag: bool = False) -> str:
        if critical_flag:
            return "critical"
        if risk >= self.band_high:
            return "high"
        if risk >= self.band_medium:
            return "medium"
        return "low"

    def summary(self) -> dict[str, Any]:
        """The figures a report prints under "scoring profile"."""
        return self.model_dump(mode="json")


_FIELD_OF = {
    "inherent.country": "country_weight",
    "inherent.sector": "sector_weight",
    "inherent.corridor": "corridor_weight",
    "inherent.role": "role_weight",
    "inherent.data_gap": "data_gap_weight",
    "combine.compliance": "compliance_weight",
    "propagation.decay": "decay",
    "assessment.max_age_days": "assessment_max_age_days",
    "fees.usd_tolerance": "fee_usd_tolerance",
}


def adjustment_problems(weights: dict[str, float]) -> list[dict[str, str]]:
    problems = []
    for name, value in weights.items():
        bounds = ADJUSTABLE.get(name)
        if bounds is None:
            problems.append(
                {
                    "field": f"weights.{name}",
                    "message": f"not adjustable; one of {sorted(ADJUSTABLE)}",
                }
            )
        elif not bounds[0] <= value <= bounds[1]:
            problems.append(
                {
                    "field": f"weights.{name}",
                    "message": f"must be between {bounds[0]} and {bounds[1]}",
                }
            )
    return problems


def adjusted_profile(weights: dict[str, float], organisation: str) -> ScoringProfile:
    """The default profile with an organisation's weights (already checked with the bounds)."""
    if not weights:
        return ScoringProfile()
    values: dict[str, Any] = {_FIELD_OF[name]: value for name, value in weights.items()}
    if "assessment_max_age_days" in values:
        values["assessment_max_age_days"] = int(values["assessment_max_age_days"])
    return ScoringProfile(**values, adjusted_by=organisation)
