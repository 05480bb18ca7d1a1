"""The remediation library: what to do about each kind of finding, as validated YAML data.

Written from IOM CREST, the IRIS Standard and the Employer Pays Principle. Templates are matched to
a finding by its code first (e.g. ``RF_WORKER_PAID_FEES``), then by the principles it concerns
(e.g. ``iris:5``); for each principle the first match in file order wins, so specific templates
come first. Templates that presume harm answer red flags only, never a weak score.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from questionnaires.standards import principles

LIBRARY_FILE = Path(__file__).with_name("library.yaml")
Owner = Literal["company", "supplier", "recruiter", "node"]


class Deadlines(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: int = Field(ge=1, le=365)
    high: int = Field(ge=1, le=365)
    medium: int = Field(ge=1, le=730)
    low: int = Field(ge=1, le=730)

    @model_validator(mode="after")
    def _more_severe_is_sooner(self) -> Deadlines:
        if not self.critical <= self.high <= self.medium <= self.low:
            raise ValueError("deadlines must not be longer for more severe findings")
        return self

    def days(self, severity: str) -> int:
        return int(getattr(self, severity))


class ActionTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    title: str = Field(min_length=5, max_length=200)
    description: str = Field(min_length=20, max_length=3000)
    finding_codes: list[str] = Field(default_factory=list)
    principles: list[str] = Field(default_factory=list)
    crest_pillar: Literal["PILLAR-1", "PILLAR-2", "PILLAR-3"]
    owner: Owner = Field(description="'node': whoever the finding is about")
    deadline_days: Deadlines
    verification: str = Field(min_length=10, max_length=1000, description="Evidence that verifies")
    sources: list[str] = Field(min_length=1)
    presumes_harm: bool = Field(
        default=False,
        description="Remedies harm someone reported (repay, return, separate): used for the "
        "finding codes it names, never for a weak principle score",
    )

    @field_validator("principles")
    @classmethod
    def _known(cls, tags: list[str]) -> list[str]:
        unknown = [t for t in tags if t not in principles()]
        if unknown:
            raise ValueError(f"unknown principle tags: {', '.join(unknown)}")
        return tags

    @model_validator(mode="after")
    def _matches_something(self) -> ActionTemplate:
        if not self.finding_codes and not self.principles:
            raise ValueError("a template names the finding codes or principles it remedies")
        if self.presumes_harm and self.principles:
            raise ValueError(
                "a template that presumes harm answers reported harm only: list finding codes, "
                "not principles"
            )
        return self


class RemediationLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    templates: list[ActionTemplate] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RemediationLibrary:
        ids = [t.id for t in self.templates]
        if len(set(ids)) != len(ids):
            raise ValueError("template ids must be unique")
        return self

    def for_finding(
        self, code: str, principles: Sequence[str] | str | None
    ) -> list[ActionTemplate]:
        """Templates for a finding: every one naming its code, else for each of its principles
        the first naming it (each template once)."""
        by_code = [t for t in self.templates if code in t.finding_codes]
        if by_code:
            return by_code
        tags = [principles] if isinstance(principles, str) else list(principles or ())
        chosen: list[ActionTemplate] = []
        for tag in tags:
            match = next((t for t in self.templates if tag in t.principles), None)
            if match is not None and match not in chosen:
                chosen.append(match)
        return chosen


@cache
def remediation_library() -> RemediationLibrary:
    return RemediationLibrary.model_validate(yaml.safe_load(LIBRARY_FILE.read_text("utf-8")))
