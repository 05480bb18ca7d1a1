"""What the scorer needs to know besides the graph, as plain values.

The database layer builds these; the scorer never sees a session, so it can be tested with
hand-made networks and benchmarked without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from questionnaires.definition import Questionnaire


@dataclass(slots=True)  # built 100,000 times per scoring run: no frozen overhead
class NodeFacts:
    """A node's attributes as the graph carries them (see ``supplychain.graph``)."""

    id: int
    external_id: str
    kind: str
    name: str
    country: str
    sector: str | None = None
    role: str | None = None
    licence: str | None = None
    workers: int | None = None
    migrant_workers: int | None = None
    products: str | None = None  # "rubber gloves; latex"
    monthly_wage: float | None = None  # in wage_currency
    wage_currency: str | None = None

    @classmethod
    def from_graph(cls, node_id: int, data: dict[str, Any]) -> NodeFacts:
        role = data.get("role")
        return cls(
            id=node_id,
            external_id=str(data.get("external_id", node_id)),
            kind=str(data["kind"]),
            name=str(data.get("name", "")),
            country=str(data.get("country", "")),
            sector=data.get("sector"),
            role=str(getattr(role, "value", role)) if role else None,
            licence=data.get("licence"),
            workers=data.get("workers"),
            migrant_workers=data.get("migrant_workers"),
            products=data.get("products"),
            monthly_wage=data.get("monthly_wage"),
            wage_currency=data.get("wage_currency"),
        )


@dataclass(frozen=True)
class AssessmentFacts:
    """The assessment a node is scored on: the latest accepted one, else the latest submitted."""

    assessment_id: int
    node_id: int
    questionnaire: Questionnaire
    questionnaire_label: str  # "recruiter-saq v1"
    answers: dict[str, Any]
    status: str  # accepted | submitted
    completed_at: datetime  # reviewed (accepted) or submitted
    fingerprint: str = field(default="")  # changes whenever the answers or status change

    @property
    def provisional(self) -> bool:
        return self.status != "accepted"
