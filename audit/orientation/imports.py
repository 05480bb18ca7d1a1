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

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from audit.orientation import service
from audit.orientation.models import OrientationSession
from audit.orientation.schemas import DELIVERERS, STAGES, OrientationCreate, OrientationImportRead
from audit.orientation.topics import orientation_topics
from core.problems import Location, Problems
from supplychain.models import Network, Node
from supplychain.sheet_table import (
    Row,
    TableKind,
    cell_count,
    cell_date,
    cell_list,
    cell_text,
    read_table,
)

REQUIRED = ("stage", "origin", "destination", "date", "language", "topics", "deliverer", "workers")
OPTIONAL = ("employer", "recruiter", "info_page_shown", "notes")
MAX_ROWS = 10_000
SHEET = TableKind(REQUIRED, "orientation", "sessions", "orientation sheet", MAX_ROWS)
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
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}

Key = tuple[str, str, str, int | None, int | None, date, str, int]


def read_rows(filename: str, data: bytes, problems: Problems) -> list[Row]:
    """The sheet's rows with their locations; a file that cannot be read at all is a 4xx."""
    return read_table(filename, data, SHEET, problems)


def _node(
    row: Mapping[str, Any],
    column: str,
    location: Location,
    nodes: Mapping[str, Node],
    kinds: tuple[str, ...],
    problems: Problems,
) -> int | None:
    external = cell_text(row.get(column))
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
    stage = cell_text(row.get("stage")).lower().replace("-", "_").replace(" ", "_")
    if stage not in STAGES:
        problems.add(location, "stage", f"expected one of {', '.join(STAGES)}", row.get("stage"))
    employer = _node(row, "employer", location, nodes, service.EMPLOYER_KINDS, problems)
    recruiter = _node(row, "recruiter", location, nodes, ("recruiter",), problems)
    if stage == "post_arrival" and not cell_text(row.get("employer")):
        problems.add(location, "employer", "required for a post-arrival session")
    delivered_on = cell_date(row.get("date"))
    if delivered_on is None:
        problems.add(location, "date", "expected a date as YYYY-MM-DD", row.get("date"))
    elif delivered_on > today:
        problems.add(
            location, "date", f"in the future (today is {today.isoformat()})", row.get("date")
        )
    workers = cell_count(row.get("workers"))
    if workers is None or workers < 1:
        problems.add(location, "workers", "expected a whole number from 1", row.get("workers"))
    deliverer = cell_text(row.get("deliverer")).lower()
    if deliverer not in DELIVERERS:
        problems.add(
            location, "deliverer", f"expected one of {', '.join(DELIVERERS)}", row.get("deliverer")
        )
    topics = cell_list(row.get("topics"))
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
    shown = cell_text(row.get("info_page_shown")).lower()
    if shown not in _YES | _NO:
        problems.add(location, "info_page_shown", "expected yes or no", row.get("info_page_shown"))
    if problems.count > before:
        return None
    try:
        return OrientationCreate.model_validate(
            {
                "stage": stage,
                "origin": cell_text(row.get("origin")),
                "destination": cell_text(row.get("destination")),
                "employer_node_id": employer,
                "recruiter_node_id": recruiter,
                "delivered_on": delivered_on,
                "language": cell_text(row.get("language")),
                "topics": topics,
                "deliverer": deliverer,
                "workers_reached": workers,
                "info_page_shown": shown in _YES,
                "notes": cell_text(row.get("notes")),
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
