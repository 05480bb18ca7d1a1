"""Request and response bodies for remediation plans, actions and fee reimbursement.

Titles and owner names are ``OneLine`` and notes ``FreeText`` (``core.text``): a control
character in an action title failed the plan's XLSX export, and one-line fields shown in the
dashboard must not hide a bidirectional override. Notes keep their tabs and line breaks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from core.schemas import Id
from core.severity import Severity
from core.text import LINE_CHECK, TEXT_CHECK, FreeText, OneLine

CURRENCY_PATTERN = r"^[A-Z]{3}$"
MAX_MONEY = 1e15


class RepaymentRead(BaseModel):
    """Where the repayment of an action stands; amounts are in the owed currency, rounded to
    cents."""

    owed_amount: float | None
    owed_currency: str | None
    owed_usd: float | None
    owed_workers: int | None
    paid_amount: float | None = Field(
        description="In the owed currency; null when a counted payment is in another currency"
    )
    paid_usd: float | None
    still_owed_amount: float | None
    still_owed_usd: float | None
    overpaid_amount: float | None
    overpaid_usd: float | None
    state: Literal["no_amount_owed_recorded", "unpaid", "part_paid", "paid", "overpaid"]
    payments_counted: int
    payments_voided: int
    payments_without_proof: int
    notes: list[str]

    def in_words(self) -> str:
        """One line for the plan in a report: owed, paid and still owed."""

        def usd(value: float | None) -> str:
            return f"USD {value:,.2f}" if value is not None else "unknown"

        owed = (
            f"{self.owed_currency} {self.owed_amount:,.2f}"
            if self.owed_amount is not None and self.owed_currency not in (None, "USD")
            else ""
        )
        workers = f" to {self.owed_workers:,} workers" if self.owed_workers else ""
        text = f"Owed{workers}: {owed + ' = ' if owed else ''}{usd(self.owed_usd)}"
        paid = f"paid {usd(self.paid_usd)}" if self.paid_usd else "nothing paid yet"
        text += f"; {paid}; still owed {usd(self.still_owed_usd)}"
        if self.overpaid_usd:
            text += f"; overpaid by {usd(self.overpaid_usd)}"
        if self.payments_without_proof:
            text += f"; {self.payments_without_proof} payment(s) without proof"
        return text


class ActionRead(BaseModel):
    id: int
    network_id: int
    finding_id: int | None = Field(description="The finding it was first planned for")
    finding_status: str | None
    finding_ids: list[int] = Field(
        default_factory=list, description="Every finding the action addresses"
    )
    node_id: int | None = Field(default=None, description="The node the findings are about")
    node_name: str | None = None
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
    repayment: RepaymentRead | None = Field(
        default=None, description="Owed, paid and still owed; null when nothing owed is recorded"
    )


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
    title: OneLine = Field(min_length=5, max_length=300)
    description: FreeText = Field(default="", max_length=4000)
    severity: Severity
    owner_kind: Literal["company", "supplier", "recruiter"]
    owner_node_id: Id | None = None
    owner_name: OneLine = Field(default="", max_length=300)
    due_date: date
    finding_id: Id | None = None
    verification: FreeText = Field(default="", max_length=1000)


class ActionUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"due_date": "2027-01-15", "owner_name": "HR manager, Mahachai Ocean Foods"},
                {"owed_amount": 135000000, "owed_currency": "NPR", "owed_workers": 900},
            ]
        },
    )
    # Each field left out keeps its value. The ones an action cannot be without are not
    # nullable (null was a 500 from the database); an owner node and the amount owed can be
    # cleared with null, an owner name or description with "".
    # (``SkipJsonSchema[None]``: None only as the default, and out of the document.)
    title: (
        Annotated[str, Field(min_length=5, max_length=300), LINE_CHECK] | SkipJsonSchema[None]
    ) = None
    description: Annotated[str, Field(max_length=4000), TEXT_CHECK] | SkipJsonSchema[None] = None
    owner_kind: Literal["company", "supplier", "recruiter"] | SkipJsonSchema[None] = None
    owner_node_id: Id | None = None
    owner_name: Annotated[str, Field(max_length=300), LINE_CHECK] | SkipJsonSchema[None] = None
    due_date: date | SkipJsonSchema[None] = None
    # The repayment owed to workers; amount and currency come together, USD is recomputed.
    owed_amount: float | None = Field(default=None, ge=0, le=MAX_MONEY, allow_inf_nan=False)
    owed_currency: str | None = Field(default=None, pattern=CURRENCY_PATTERN)
    owed_workers: int | None = Field(default=None, strict=True, ge=0, le=10_000_000)

    @field_validator("title", "description", "owner_kind", "owner_name", "due_date")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null: leave the field out to keep its value")
        return value


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
    comment: FreeText = Field(default="", max_length=4000)


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: FreeText = Field(min_length=1, max_length=4000)


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
    owed_usd: float | None = Field(description="null: unknown, never 0")


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
    owed_usd: float | None = Field(description="null: unknown (see missing), never 0")
    owed_local: float | None
    allocations: list[AllocationRead]
    notes: list[str]
    missing: list[str]
    rate: float | None = Field(default=None, description="Units of the currency per USD used")
    rate_year: int | None = Field(default=None, description="Year of the rate used")
    rate_source: str = ""
    year_paid: int | None = Field(default=None, description="Year whose rate was wanted")
    respondent_usd: float | None = Field(
        default=None, description="The respondent's own USD figure: a check, never the basis"
    )
    usd_flagged: bool = Field(
        default=False, description="The respondent's USD is beyond the tolerance of the rate"
    )
    workers_reported: int | None = None
    workers_placed: int | None = Field(
        default=None, description="Workers the node's edges place in this network"
    )
    statistic: str | None = Field(default=None, description="Estimates: mean, median, ...")
    arithmetic: str = Field(default="", description="The calculation in words, to redo by hand")


class OwedTotal(BaseModel):
    id: int | None = None
    name: str
    origin: str | None = None
    destination: str | None = None
    owed_usd: float = Field(description="The known part; 'at least' when unknown_workers > 0")
    unknown_workers: float = Field(default=0, description="Workers without an amount")


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
    reported_complete: bool = Field(
        default=True, description="False: reported_usd is a lower bound ('at least')"
    )
    estimated_complete: bool = Field(
        default=True, description="False: some placements have no estimate"
    )
    unknown_reported_lines: int = 0
    unknown_estimate_workers: float = Field(
        default=0, description="Workers on placements without any estimate"
    )


# Repayment of recruitment fees ------------------------------------------------------------------


class PaymentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "amount": 100000000,
                    "currency": "NPR",
                    "paid_on": "2026-11-20",
                    "proof_evidence_id": 12,
                    "note": "Bank transfers to 660 workers, batch 1",
                },
                {
                    "amount": 10000,
                    "currency": "THB",
                    "paid_on": "2024-06-30",
                    "proof_evidence_id": 13,
                },
                {
                    "amount": 25000,
                    "currency": "KHR",
                    "paid_on": "2026-11-20",
                    "usd_amount": 6.1,
                    "accept_overpayment": True,
                },
            ]
        },
    )
    amount: float = Field(gt=0, le=MAX_MONEY, allow_inf_nan=False)
    currency: str = Field(pattern=CURRENCY_PATTERN, description="ISO 4217, e.g. NPR")
    paid_on: date = Field(description="Not in the future, not before 2000")
    usd_amount: float | None = Field(
        default=None,
        gt=0,
        le=MAX_MONEY,
        allow_inf_nan=False,
        description="The USD value the payer converted at; needed only for a currency with no "
        "reference rate (recorded as entered by the payer)",
    )
    proof_evidence_id: Id | None = Field(
        default=None, description="A file uploaded to this action's evidence"
    )
    note: FreeText = Field(default="", max_length=2000)
    accept_overpayment: bool = Field(
        default=False, description="Record the payment even if it takes the total above owed"
    )


class PaymentVoid(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"reason": "Entered twice: same bank transfer as #3"}]},
    )
    reason: FreeText = Field(min_length=1, max_length=2000)


class PaymentProof(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"proof_evidence_id": 12}]}
    )
    proof_evidence_id: Id = Field(
        description="A file uploaded with the action's evidence: the receipt or transfer"
    )


class PaymentRead(BaseModel):
    id: int
    action_id: int
    amount: float
    currency: str
    paid_on: date
    usd_amount: float
    rate: float | None = Field(description="Units of currency per USD used; null if entered")
    rate_year: int | None
    rate_source: str
    usd_basis: str
    proof_evidence_id: int | None
    proof_filename: str | None
    note: str
    recorded_by: int | None
    recorded_at: datetime
    counted: bool
    voided_at: datetime | None
    voided_by: int | None
    void_reason: str


class PaymentRecorded(BaseModel):
    payment: PaymentRead
    repayment: RepaymentRead


class PaymentsRead(BaseModel):
    items: list[PaymentRead]
    repayment: RepaymentRead
