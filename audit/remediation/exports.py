"""The remediation plan as a spreadsheet (CSV, or XLSX with a metrics sheet), escaped against
formula injection; what the API, the dashboard and the demo hand to people who work in Excel.

Every text cell goes through ``escape_cell``, which also replaces what XML 1.0 forbids: one
control character in an action title or node name stored before input was checked made the
XLSX export fail (openpyxl's ``IllegalCharacterError``) for the whole plan."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from audit.remediation import service as plans
from audit.remediation.presenters import actions_read
from audit.remediation.schemas import ActionRead
from core.spreadsheet import escape_cell
from supplychain.models import Network

# What is owed to workers, paid and still owed (empty where the action records no amount owed).
REPAYMENT_COLUMNS = (
    "owed_currency",
    "owed_amount",
    "owed_usd",
    "paid_usd",
    "still_owed_usd",
    "repayment_state",
)
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
    "node_name",
    "finding_ids",
    *REPAYMENT_COLUMNS,
)


def _cell(row: ActionRead, column: str) -> object:
    if column == "finding_ids":  # every finding the action addresses: "3; 7; 12"
        return "; ".join(str(f) for f in row.finding_ids)
    if column not in REPAYMENT_COLUMNS:
        return getattr(row, column)
    if row.repayment is None:
        return None
    return getattr(row.repayment, "state" if column == "repayment_state" else column)


def plan_rows(rows: Sequence[ActionRead]) -> list[list[object]]:
    return [[escape_cell(_cell(r, c)) for c in PLAN_COLUMNS] for r in rows]


CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_export(
    session: Session, network: Network, today: date, format: Literal["csv", "xlsx"]
) -> tuple[bytes, str]:
    """The whole plan as a spreadsheet file and its media type (XLSX adds a metrics sheet)."""
    actions = plans.all_actions(session, network)
    rows = actions_read(session, actions, today)
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


def plan_xlsx(rows: Sequence[ActionRead], metrics: plans.PlanMetrics, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has exactly one sheet
    sheet.title = "actions"
    sheet.append(list(PLAN_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in plan_rows(rows):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    widths = (6, 9, 11, 8, 50, 10, 36, 11, 10, 9, 12, 50, 30, 24, 30, 14, 8, 14, 12, 12, 12, 14)
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUV", widths, strict=True):
        sheet.column_dimensions[column].width = width
    summary = workbook.create_sheet("metrics")
    summary.append([escape_cell(title)])
    summary.append(["total", metrics["total"]])
    summary.append(["overdue", metrics["overdue"]])
    summary.append([])
    summary.append(["by severity", "total", "open", "overdue", "verified"])
    for severity, counts in metrics["by_severity"].items():
        summary.append([escape_cell(severity), *counts.values()])
    summary.append([])
    summary.append(["by owner", "total", "open", "overdue", "verified"])
    for owner, counts in metrics["by_owner"].items():
        summary.append([escape_cell(owner), *counts.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
