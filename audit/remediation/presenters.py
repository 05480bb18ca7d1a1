"""Remediation actions and fee reimbursement as API bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from audit.findings.models import Finding
from audit.remediation.models import RemediationAction
from audit.remediation.schemas import (
    ActionRead,
    AllocationRead,
    OwedLineRead,
    OwedTotal,
    ReimbursementRead,
)
from audit.remediation.service import is_overdue
from audit.scores.service import ScoringContext
from scoring.reimbursement import Reimbursement
from supplychain.countries import country_name


def action_read(session: Session, action: RemediationAction, today: date) -> ActionRead:
    finding = session.get(Finding, action.finding_id) if action.finding_id else None
    return ActionRead(
        id=action.id or 0,
        network_id=action.network_id,
        finding_id=action.finding_id,
        finding_status=finding.status.value if finding else None,
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
    )


def reimbursement_read(result: Reimbursement, context: ScoringContext) -> ReimbursementRead:
    graph = context.graph

    def name(node_id: int) -> str:
        return str(graph.nodes[node_id]["name"]) if node_id in graph.nodes else str(node_id)

    return ReimbursementRead(
        reported_usd=result.reported_usd,
        estimated_usd=result.estimated_usd,
        reported_local={k: round(v, 2) for k, v in sorted(result.reported_local.items())},
        by_recruiter=[
            OwedTotal(id=k, name=name(k), owed_usd=v)
            for k, v in sorted(result.by_recruiter.items(), key=lambda kv: -kv[1])
        ],
        by_supplier=_node_totals(result.by_supplier, name),
        by_corridor=_corridor_totals(result.by_corridor),
        estimated_by_supplier=_node_totals(result.estimated_by_supplier, name),
        estimated_by_corridor=_corridor_totals(result.estimated_by_corridor),
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
            )
            for line in result.lines
        ],
    )


def _node_totals(values: dict[int, float], name: Callable[[int], str]) -> list[OwedTotal]:
    return [
        OwedTotal(id=k, name=name(k), owed_usd=v)
        for k, v in sorted(values.items(), key=lambda kv: -kv[1])
    ]


def _corridor_totals(values: dict[tuple[str | None, str | None], float]) -> list[OwedTotal]:
    return [
        OwedTotal(
            name=f"{country_name(o) if o else 'Unknown'} -> {country_name(d) if d else 'Unknown'}",
            origin=o,
            destination=d,
            owed_usd=v,
        )
        for (o, d), v in sorted(values.items(), key=lambda kv: -kv[1])
    ]
