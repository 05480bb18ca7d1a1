"""Importing orientation sessions from a sheet (CSV or XLSX): every row checked, all or nothing.

One row is one session; the employer and recruiter are named by their external ids (as in the
network's own import files)::

    stage,origin,destination,employer,recruiter,date,language,topics,deliverer,workers,info_page_shown,notes
    pre_departure,NP,MY,,NP-KTM-AGENCY,2026-03-10,ne,contract-terms;fees-and-rights,recruiter,45,yes,

``topics`` holds several ids separated by ``;`` (or ``,``). Every problem in the file is reported
at once with its row and column (``core.problems``), and nothing is written unless the whole file
is good; a row repeating a session already recorded (same stage, corridor, employer, recruiter,
date, deliverer and workers reached) is refused, so importing the same sheet twice counts no
worker twice. CSV is read by the network import's reader (``supplychain.formats.read_csv``); XLSX
by the training import's sheet reader, with this sheet's columns.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from audit.orientation import service
from audit.orientation.models import OrientationSession
from audit.orientation.schemas import DELIVERERS, STAGES, OrientationCreate, OrientationImportRead
from audit.orientation.topics import orientation_topics
from core.errors import BadRequest, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from core.problems import Location, Problems
from core.spreadsheet import unescape_cell
from supplychain.formats import normalise_header, read_csv
from supplychain.models import Network, Node

REQUIRED = ("stage", "origin", "destination", "date", "language", "topics", "deliverer", "workers")
OPTIONAL = ("employer", "recruiter", "info_page_shown", "notes")
MAX_ROWS = 10_000
MAX_CELLS = MAX_ROWS * 20
HEADER_SEARCH_ROWS = 20
COLUMN_OF = {
    "stage": "stage",
    "origin": "origin",
    "destination": "destination",
    "employer_node_id": "employer",
    "recruiter_node_id": "recruiter",
    "delivered_on": "date",
    "language": "language",
    "topics": "topics",
    "deliverer": "deliverer",
    "workers_reached": "workers",
    "info_page_shown": "info_page_shown",
    "notes": "notes",
}
_SEPARATORS = re.compile(r"[;,]")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}

Row = tuple[dict[str, Any], Location]
Key = tuple[str, str, str, int | None, int | None, date, str, int]


def read_rows(filename: str, data: bytes, problems: Problems) -> list[Row]:
    """The sheet's rows with their locations; a file that cannot be read at all is a 4xx."""
    lowered = filename.lower()
    if lowered.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return list(_xlsx_rows(data, filename or "orientation.xlsx", problems))
    if lowered.endswith((".csv", ".txt")) or not lowered:
        table = read_csv(data, filename or "orientation.csv", REQUIRED, problems)
        if len(table) > MAX_ROWS:
            raise PayloadTooLarge(f"{filename} has more than {MAX_ROWS:,} sessions")
        return list(table)
    raise UnsupportedMediaType(f"{filename}: send the orientation sheet as CSV or XLSX")


def _xlsx_rows(data: bytes, file: str, problems: Problems) -> Iterator[Row]:
    import openpyxl  # imported lazily: only spreadsheet imports pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for corrupt files
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    try:
        names = {normalise_header(name): name for name in workbook.sheetnames}
        sheet = workbook[names.get("orientation", workbook.sheetnames[0])]
        if not hasattr(sheet, "reset_dimensions"):
            raise InvalidInput(
                f"{file}: the first sheet is a chart, not a worksheet",
                errors=[{"file": file, "message": "expected a worksheet of rows"}],
            )
        label = f"{file}:{sheet.title}"
        sheet.reset_dimensions()  # the declared dimension may be huge: read what is there
        yield from _sheet_records(sheet.iter_rows(values_only=True), label, problems)
    except (InvalidInput, PayloadTooLarge):
        raise
    except Exception as exc:  # a sheet's XML or shared strings can be bad as well
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    finally:
        workbook.close()


def _sheet_records(
    rows: Iterator[tuple[Any, ...]], label: str, problems: Problems
) -> Iterator[Row]:
    header: list[str] | None = None
    cells = 0
    for number, values in enumerate(rows, start=1):
        cells += len(values)
        if number > MAX_ROWS + HEADER_SEARCH_ROWS or cells > MAX_CELLS:
            raise PayloadTooLarge(f"{label} has more than {MAX_ROWS:,} sessions")
        if header is None:
            names = [normalise_header(unescape_cell(v)) for v in values]
            if set(REQUIRED) <= set(names):
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
            f"columns {', '.join(REQUIRED)}",
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value)
    return int(text) if text.isdigit() else None


def _node(
    row: Mapping[str, Any],
    column: str,
    location: Location,
    nodes: Mapping[str, Node],
    kinds: tuple[str, ...],
    problems: Problems,
) -> int | None:
    external = _text(row.get(column))
    if not external:
        return None
    node = nodes.get(external)
    if node is None:
        problems.add(location, column, "no node with this id in the network", external)
    elif str(node.kind) not in kinds:
        problems.add(location, column, f"a {node.kind}, not a {' or '.join(kinds)}", external)
    else:
        return node.id
    return None


def _parse(
    row: Mapping[str, Any],
    location: Location,
    nodes: Mapping[str, Node],
    today: date,
    problems: Problems,
) -> OrientationCreate | None:
    """One row as a session, or None with its problems recorded (each with its column)."""
    before = problems.count
    stage = _text(row.get("stage")).lower().replace("-", "_").replace(" ", "_")
    if stage not in STAGES:
        problems.add(location, "stage", f"expected one of {', '.join(STAGES)}", row.get("stage"))
    employer = _node(row, "employer", location, nodes, service.EMPLOYER_KINDS, problems)
    recruiter = _node(row, "recruiter", location, nodes, ("recruiter",), problems)
    if stage == "post_arrival" and not _text(row.get("employer")):
        problems.add(location, "employer", "required for a post-arrival session")
    delivered_on = _date(row.get("date"))
    if delivered_on is None:
        problems.add(location, "date", "expected a date as YYYY-MM-DD", row.get("date"))
    elif delivered_on > today:
        problems.add(
            location, "date", f"in the future (today is {today.isoformat()})", row.get("date")
        )
    workers = _count(row.get("workers"))
    if workers is None or workers < 1:
        problems.add(location, "workers", "expected a whole number from 1", row.get("workers"))
    deliverer = _text(row.get("deliverer")).lower()
    if deliverer not in DELIVERERS:
        problems.add(
            location, "deliverer", f"expected one of {', '.join(DELIVERERS)}", row.get("deliverer")
        )
    topics = [p.strip().lower() for p in _SEPARATORS.split(_text(row.get("topics"))) if p.strip()]
    known = orientation_topics().ids()
    unknown = [t for t in topics if t not in known]
    if not topics:
        problems.add(location, "topics", f"required: one or more of {', '.join(known)}")
    elif unknown:
        problems.add(
            location,
            "topics",
            f"unknown topic {', '.join(unknown)}; known: {', '.join(known)}",
            row.get("topics"),
        )
    shown = _text(row.get("info_page_shown")).lower()
    if shown not in _YES | _NO:
        problems.add(location, "info_page_shown", "expected yes or no", row.get("info_page_shown"))
    if problems.count > before:
        return None
    try:
        return OrientationCreate.model_validate(
            {
                "stage": stage,
                "origin": _text(row.get("origin")),
                "destination": _text(row.get("destination")),
                "employer_node_id": employer,
                "recruiter_node_id": recruiter,
                "delivered_on": delivered_on,
                "language": _text(row.get("language")),
                "topics": topics,
                "deliverer": deliverer,
                "workers_reached": workers,
                "info_page_shown": shown in _YES,
                "notes": _text(row.get("notes")),
            }
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            message = str(error["msg"]).removeprefix("Value error, ")
            column = COLUMN_OF.get(field, field)
            problems.add(location, column, message, row.get(column))
        return None


def _key(item: OrientationCreate | OrientationSession) -> Key:
    return (
        item.stage,
        item.origin,
        item.destination,
        item.employer_node_id,
        item.recruiter_node_id,
        item.delivered_on,
        item.deliverer,
        item.workers_reached,
    )


def import_sessions(
    session: Session,
    *,
    network: Network,
    filename: str,
    data: bytes,
    today: date,
    dry_run: bool,
    user_id: int | None,
) -> OrientationImportRead:
    """Check every row, then record them all (unless ``dry_run``); any problem refuses the
    whole file with every problem listed."""
    problems = Problems()
    rows = read_rows(filename, data, problems)
    problems.raise_if_any("Orientation import")
    nodes = {
        n.external_id: n
        for n in session.exec(select(Node).where(Node.network_id == network.id)).all()
    }
    existing = _existing(session, network)
    seen: dict[Key, int] = {}
    parsed: list[OrientationCreate] = []
    for row, location in rows:
        item = _parse(row, location, nodes, today, problems)
        if item is None:
            continue
        if item.origin == item.destination:
            problems.add(location, "destination", "must differ from origin", item.destination)
            continue
        key = _key(item)
        if key in existing:
            problems.add(
                location,
                "date",
                f"already recorded as session {existing[key]} (same stage, corridor, employer, "
                "recruiter, date, deliverer and workers)",
                item.delivered_on.isoformat(),
            )
        elif key in seen:
            problems.add(location, "date", f"repeats row {seen[key]}")
        else:
            seen[key] = location.row or 0
            parsed.append(item)
    if not rows:
        problems.add(Location(file=filename), None, "the file holds no sessions")
    problems.raise_if_any("Orientation import")
    if dry_run:
        return OrientationImportRead(dry_run=True, rows=len(parsed), created=0, session_ids=[])
    created = [
        OrientationSession(network_id=network.id or 0, created_by=user_id, **item.model_dump())
        for item in parsed
    ]
    session.add_all(created)
    session.flush()
    return OrientationImportRead(
        dry_run=False,
        rows=len(parsed),
        created=len(created),
        session_ids=[s.id or 0 for s in created],
    )


def _existing(session: Session, network: Network) -> dict[Key, int]:
    """Every recorded session by its key: a network holds sessions by the hundred."""
    rows = session.exec(
        select(OrientationSession).where(OrientationSession.network_id == network.id)
    ).all()
    return {_key(r): r.id or 0 for r in rows}
