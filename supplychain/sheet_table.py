"""One table of rows from a CSV file or one sheet of an XLSX workbook: the record sheets
programmes keep (attendance sheets of trainings, orientation registers), read the way network
files are read.

CSV goes through the network import's reader (encodings, separators, size limits); a workbook's
sheet named ``sheet`` is read (else its first one), and its header may sit below title rows, as
in the network import. Every problem is added to ``problems`` with the file, sheet and row; a file
that cannot be read at all is a 4xx at once. The cell parsers are shared by the importers so that
"2026-03-10", a spreadsheet date and "18.0" read the same way in each.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.errors import BadRequest, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from core.problems import Location, Problems
from core.spreadsheet import unescape_cell
from supplychain.formats import normalise_header, read_csv

Row = tuple[dict[str, Any], Location]
HEADER_SEARCH_ROWS = 20
_SEPARATORS = re.compile(r"[;,]")


@dataclass(frozen=True)
class TableKind:
    """What a sheet holds: its required columns, the sheet name to look for in a workbook, and
    the words for its rows and for the file in messages ("trainings", "attendance sheet")."""

    required: Sequence[str]
    sheet: str
    rows_noun: str
    file_noun: str
    max_rows: int = 10_000

    @property
    def max_cells(self) -> int:
        return self.max_rows * 20


def read_table(filename: str, data: bytes, kind: TableKind, problems: Problems) -> list[Row]:
    """The rows of ``filename`` with their locations."""
    lowered = filename.lower()
    if lowered.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return list(_xlsx_rows(data, filename or f"{kind.sheet}.xlsx", kind, problems))
    if lowered.endswith((".csv", ".txt")) or not lowered:
        table = read_csv(data, filename or f"{kind.sheet}.csv", kind.required, problems)
        if len(table) > kind.max_rows:
            raise PayloadTooLarge(f"{filename} has more than {kind.max_rows:,} {kind.rows_noun}")
        return list(table)
    raise UnsupportedMediaType(f"{filename}: send the {kind.file_noun} as CSV or XLSX")


def _xlsx_rows(data: bytes, file: str, kind: TableKind, problems: Problems) -> Iterator[Row]:
    import openpyxl  # imported lazily: only spreadsheet imports pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for corrupt files
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    try:
        names = {normalise_header(name): name for name in workbook.sheetnames}
        sheet = workbook[names.get(kind.sheet, workbook.sheetnames[0])]
        if not hasattr(sheet, "reset_dimensions"):
            raise InvalidInput(
                f"{file}: the first sheet is a chart, not a worksheet",
                errors=[{"file": file, "message": "expected a worksheet of rows"}],
            )
        label = f"{file}:{sheet.title}"
        sheet.reset_dimensions()  # the declared dimension may be huge: read what is there
        yield from _sheet_records(sheet.iter_rows(values_only=True), label, kind, problems)
    except (InvalidInput, PayloadTooLarge):
        raise
    except Exception as exc:  # a sheet's XML or shared strings can be bad as well
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    finally:
        workbook.close()


def _sheet_records(
    rows: Iterator[tuple[Any, ...]], label: str, kind: TableKind, problems: Problems
) -> Iterator[Row]:
    header: list[str] | None = None
    cells = 0
    for number, values in enumerate(rows, start=1):
        cells += len(values)
        if number > kind.max_rows + HEADER_SEARCH_ROWS or cells > kind.max_cells:
            raise PayloadTooLarge(f"{label} has more than {kind.max_rows:,} {kind.rows_noun}")
        if header is None:
            names = [normalise_header(unescape_cell(v)) for v in values]
            if set(kind.required) <= set(names):
                header = names
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if any(v is not None and str(v).strip() for v in values):
            row = {h: unescape_cell(v) for h, v in zip(header, values, strict=False) if h}
            yield row, Location(file=label, row=number)
    if header is None:
        problems.add(
            Location(file=label),
            None,
            f"no header row in the first {HEADER_SEARCH_ROWS} rows: expected a row naming the "
            f"columns {', '.join(kind.required)}",
        )


def cell_text(value: Any) -> str:
    """A cell as text: a spreadsheet's whole number 18.0 is "18"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_date(value: Any) -> date | None:
    """A spreadsheet date, or ISO 8601 text; ``None`` for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(cell_text(value))
    except ValueError:
        return None


def cell_count(value: Any) -> int | None:
    """A whole number (a count of people), or ``None``: never a truth value or a fraction."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = cell_text(value)
    return int(text) if text.isdigit() else None


def cell_list(value: Any) -> list[str]:
    """Several values in one cell, separated by ``;`` or ``,``, lower-cased."""
    return [part.strip().lower() for part in _SEPARATORS.split(cell_text(value)) if part.strip()]
