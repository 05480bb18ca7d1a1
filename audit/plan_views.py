"""Findings, actions and reimbursement as API bodies and as plan exports (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from audit import plans
from audit.models import Finding, RemediationAction
from audit.plans import is_overdue
from audit.schemas import (
    ActionRead,
    AllocationRead,
    ChainStep,
    FindingRead,
    OwedLineRead,
    OwedTotal,
    ReimbursementRead,
)
from audit.score_views import chain_step
from audit.scores import ScoringContext
from questionnaires.standards import principles
from scoring.reimbursement import Reimbursement
from supplychain.countries import country_name
from supplychain.models import Network
from supplychain.spreadsheet import escape_cell


def finding_read(finding: Finding, context: ScoringContext) -> FindingRead:
    scores = context.scores
    node = scores.nodes.get(finding.node_id) if finding.node_id is not None else None
    known = principles()
    chain: list[ChainStep] = [chain_step(scores, n) for n in finding.chain if n in scores.nodes]
    return FindingRead(
        id=finding.id or 0,
        network_id=finding.network_id,
        key=finding.key,
        source=finding.source,  # type: ignore[arg-type]
        code=finding.code,
        severity=finding.severity,  # type: ignore[arg-type]
        node_id=finding.node_id,
        node_name=node.node.name if node else None,
        principle=finding.principle,
        principle_label=known[finding.principle].label if finding.principle in known else None,
        title=finding.title,
        detail=finding.detail,
        evidence=finding.evidence,
        chain=chain,
        status=finding.status.value,  # type: ignore[arg-type]
        status_reason=finding.status_reason,
        created_at=finding.created_at.isoformat(),
        updated_at=finding.updated_at.isoformat(),
        resolved_at=finding.resolved_at.isoformat() if finding.resolved_at else None,
    )


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
        status=action.status.value,  # type: ignore[arg-type]
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


PLAN_COLUMNS = (
    "id",
    "severity",
    "status",
    "overdue",
    "title",
    "owner_kind",
    "owner_name",
    "due_date",
    "crest_pillar",
    "finding_id",
    "finding_status",
    "verification",
    "cancel_reason",
    "template_id",
)


def plan_rows(rows: Sequence[ActionRead]) -> list[list[object]]:
    return [[escape_cell(getattr(r, c)) for c in PLAN_COLUMNS] for r in rows]


CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_export(
    session: Session, network: Network, today: date, format: Literal["csv", "xlsx"]
) -> tuple[bytes, str]:
    """The whole plan as a spreadsheet file and its media type (XLSX adds a metrics sheet)."""
    actions = plans.all_actions(session, network)
    rows = [action_read(session, a, today) for a in actions]
    if format == "xlsx":
        title = f"Remediation plan: {network.name}"
        return plan_xlsx(rows, plans.metrics(actions, today), title), XLSX_MEDIA_TYPE
    return plan_csv(rows), CSV_MEDIA_TYPE


def plan_csv(rows: Sequence[ActionRead]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PLAN_COLUMNS)
    writer.writerows(plan_rows(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def plan_xlsx(rows: Sequence[ActionRead], metrics: dict[str, object], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "actions"
    sheet.append(list(PLAN_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in plan_rows(rows):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLMN", (6, 9, 11, 8, 50, 10, 36, 11, 10, 9, 12, 50, 30, 24), strict=True
    ):
        sheet.column_dimensions[column].width = width
    summary = workbook.create_sheet("metrics")
    summary.append([escape_cell(title)])
    summary.append(["total", metrics["total"]])
    summary.append(["overdue", metrics["overdue"]])
    summary.append([])
    summary.append(["by severity", "total", "open", "overdue", "verified"])
    for severity, counts in metrics["by_severity"].items():  # type: ignore[attr-defined]
        summary.append([severity, *counts.values()])
    summary.append([])
    summary.append(["by owner", "total", "open", "overdue", "verified"])
    for owner, counts in metrics["by_owner"].items():  # type: ignore[attr-defined]
        summary.append([owner, *counts.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
