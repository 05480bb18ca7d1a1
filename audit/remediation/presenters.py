"""Remediation actions and fee reimbursement as API bodies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlmodel import Session

from audit.findings.models import Finding
from audit.remediation import repayments
from audit.remediation.models import ActionEvidence, ActionPayment, RemediationAction
from audit.remediation.schemas import (
    ActionRead,
    AllocationRead,
    OwedLineRead,
    OwedTotal,
    PaymentRead,
    PaymentRecorded,
    PaymentsRead,
    ReimbursementRead,
    RepaymentRead,
)
from audit.remediation.service import addressed_findings, addressed_findings_of, is_overdue
from audit.scores.service import ScoringContext
from scoring.reimbursement import Reimbursement
from supplychain.countries import country_name
from supplychain.models import Node


def actions_read(
    session: Session, actions: Sequence[RemediationAction], today: date
) -> list[ActionRead]:
    """Many actions of one network, their finding links read in one query, not one each: for
    a page, by the actions' ids; for more ids than older SQLite builds bind (999), every link
    of the network."""
    if not actions:
        return []
    ids = [a.id or 0 for a in actions] if len(actions) <= 900 else None
    links = addressed_findings_of(session, actions[0].network_id, ids)
    return [action_read(session, a, today, links.get(a.id or 0, [])) for a in actions]


def action_read(
    session: Session,
    action: RemediationAction,
    today: date,
    finding_ids: list[int] | None = None,
) -> ActionRead:
    finding = session.get(Finding, action.finding_id) if action.finding_id else None
    subject = session.get(Node, action.node_id) if action.node_id else None
    return ActionRead(
        id=action.id or 0,
        network_id=action.network_id,
        finding_id=action.finding_id,
        finding_status=finding.status.value if finding else None,
        finding_ids=(
            finding_ids if finding_ids is not None else addressed_findings(session, action)
        ),
        node_id=action.node_id,
        node_name=subject.name if subject else None,
        template_id=action.template_id,
        title=action.title,
        description=action.description,
        crest_pillar=action.crest_pillar,
        severity=action.severity,  # type: ignore[arg-type]
        owner_kind=action.owner_kind,
        owner_node_id=action.owner_node_id,
        owner_name=action.owner_name,
        due_date=action.due_date.isoformat(),
        overdue=is_overdue(action, today),
        verification=action.verification,
        status=action.status.value,
        cancel_reason=action.cancel_reason,
        created_at=action.created_at.isoformat(),
        updated_at=action.updated_at.isoformat(),
        repayment=(
            repayment_read(repayments.status_of(session, action))
            if action.owed_amount is not None
            else None
        ),
    )


def repayment_read(status: repayments.RepaymentStatus) -> RepaymentRead:
    return RepaymentRead(
        owed_amount=status.owed_amount,
        owed_currency=status.owed_currency,
        owed_usd=status.owed_usd,
        owed_workers=status.owed_workers,
        paid_amount=status.paid_amount,
        paid_usd=status.paid_usd,
        still_owed_amount=status.still_owed_amount,
        still_owed_usd=status.still_owed_usd,
        overpaid_amount=status.overpaid_amount,
        overpaid_usd=status.overpaid_usd,
        state=status.state,
        payments_counted=status.payments_counted,
        payments_voided=status.payments_voided,
        payments_without_proof=status.payments_without_proof,
        notes=list(status.notes),
    )


def payment_read(session: Session, payment: ActionPayment) -> PaymentRead:
    proof = (
        session.get(ActionEvidence, payment.proof_evidence_id)
        if payment.proof_evidence_id
        else None
    )
    return PaymentRead(
        id=payment.id or 0,
        action_id=payment.action_id,
        amount=payment.amount,
        currency=payment.currency,
        paid_on=payment.paid_on,
        usd_amount=payment.usd_amount,
        rate=payment.rate,
        rate_year=payment.rate_year,
        rate_source=payment.rate_source,
        usd_basis=payment.usd_basis,
        proof_evidence_id=payment.proof_evidence_id,
        proof_filename=proof.filename if proof else None,
        note=payment.note,
        recorded_by=payment.recorded_by,
        recorded_at=payment.recorded_at,
        counted=payment.voided_at is None,
        voided_at=payment.voided_at,
        voided_by=payment.voided_by,
        void_reason=payment.void_reason,
    )


def payments_read(session: Session, action: RemediationAction) -> PaymentsRead:
    payments = repayments.payments_of(session, action)
    return PaymentsRead(
        items=[payment_read(session, p) for p in payments],
        repayment=repayment_read(repayments.repayment_status(action, payments)),
    )


def payment_recorded(
    session: Session, payment: ActionPayment, status: repayments.RepaymentStatus
) -> PaymentRecorded:
    return PaymentRecorded(payment=payment_read(session, payment), repayment=repayment_read(status))


def reimbursement_read(result: Reimbursement, context: ScoringContext) -> ReimbursementRead:
    graph = context.graph

    def name(node_id: int) -> str:
        return str(graph.nodes[node_id]["name"]) if node_id in graph.nodes else str(node_id)

    unknown = result.unknown_workers_by_corridor
    return ReimbursementRead(
        reported_usd=result.reported_usd,
        estimated_usd=result.estimated_usd,
        reported_local={k: round(v, 2) for k, v in sorted(result.reported_local.items())},
        by_recruiter=[
            OwedTotal(id=k, name=name(k), owed_usd=v)
            for k, v in sorted(result.by_recruiter.items(), key=lambda kv: -kv[1])
        ],
        by_supplier=_node_totals(result.by_supplier, name),
        by_corridor=_corridor_totals(result.by_corridor, unknown.get("reported", {})),
        estimated_by_supplier=_node_totals(result.estimated_by_supplier, name),
        estimated_by_corridor=_corridor_totals(
            result.estimated_by_corridor, unknown.get("estimate", {})
        ),
        lines=[
            OwedLineRead(
                node_id=line.node_id,
                node_name=name(line.node_id),
                node_kind=str(graph.nodes[line.node_id]["kind"]),
                basis=line.basis,  # type: ignore[arg-type]
                per_worker_usd=line.per_worker_usd,
                usd_basis=line.usd_basis,
                per_worker_local=line.per_worker_local,
                currency=line.currency,
                workers=line.workers,
                workers_basis=line.workers_basis,
                reimbursed=line.reimbursed,
                owed_usd=line.owed_usd,
                owed_local=line.owed_local,
                allocations=[
                    AllocationRead(
                        employer_id=a.employer_id,
                        employer_name=name(a.employer_id),
                        origin=a.corridor[0],
                        destination=a.corridor[1],
                        workers=a.workers,
                        owed_usd=a.owed_usd,
                    )
                    for a in line.allocations
                ],
                notes=line.notes,
                missing=line.missing,
                rate=line.rate,
                rate_year=line.rate_year,
                rate_source=line.rate_source,
                year_paid=line.year_paid,
                respondent_usd=line.respondent_usd,
                usd_flagged=line.usd_flagged,
                workers_reported=line.workers_reported,
                workers_placed=line.workers_placed,
                statistic=line.statistic,
                arithmetic=line.arithmetic,
            )
            for line in result.lines
        ],
        reported_complete=not result.unknown_reported,
        estimated_complete=not result.unknown_estimates,
        unknown_reported_lines=len(result.unknown_reported),
        unknown_estimate_workers=round(
            sum(line.workers or 0 for line in result.unknown_estimates), 2
        ),
    )


def _node_totals(values: dict[int, float], name: Callable[[int], str]) -> list[OwedTotal]:
    return [
        OwedTotal(id=k, name=name(k), owed_usd=v)
        for k, v in sorted(values.items(), key=lambda kv: -kv[1])
    ]


Corridor = tuple[str | None, str | None]


def _corridor_totals(
    values: dict[Corridor, float], unknown: dict[Corridor, float]
) -> list[OwedTotal]:
    """Known amounts per corridor, with the workers of the corridor that have no amount: a
    corridor with only unknown parts is listed with USD 0 known and its unknown workers."""
    corridors = sorted(
        set(values) | set(unknown), key=lambda c: (-values.get(c, 0), -unknown.get(c, 0), str(c))
    )
    return [
        OwedTotal(
            name=f"{country_name(o) if o else 'Unknown'} -> {country_name(d) if d else 'Unknown'}",
            origin=o,
            destination=d,
            owed_usd=values.get((o, d), 0.0),
            unknown_workers=unknown.get((o, d), 0.0),
        )
        for o, d in corridors
    ]
