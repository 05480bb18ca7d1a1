"""Importing trainings from attendance sheets (CSV or XLSX): every row checked, all or nothing.

One row is one training of one node's staff, named by the node's external id (as in the
network's own import files)::

    node,date,provider,topics,participants,audience,language,notes
    TH-SKN-OCEAN,2026-03-10,IOM CREST,trafficking-forced-labour;employer-pays,18,hr;supervisors,th,

``topics`` and ``audience`` hold several values separated by ``;`` (or ``,``). Every problem in
the file is reported at once with its row and column (``core.problems``), and nothing is written
unless the whole file is good; a row repeating a training already recorded (same node, day and
provider) is refused, so importing the same sheet twice counts nothing twice. CSV is read by the
network import's reader (``supplychain.formats.read_csv``: encodings, separators, limits); XLSX
by the small reader here, since a training sheet is one sheet, not a nodes/edges pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from audit.training import service
from audit.training.models import Training
from audit.training.schemas import AUDIENCE_ROLES, TrainingCreate, TrainingImportRead
from audit.training.topics import training_topics
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

REQUIRED = ("node", "date", "provider", "topics", "participants")
OPTIONAL = ("audience", "language", "notes")
MAX_ROWS = 10_000  # trainings in one sheet: a programme's years of sessions fit many times
SHEET = TableKind(REQUIRED, "trainings", "trainings", "attendance sheet", MAX_ROWS)
# Which request field a column fills, to name the column when the field is refused.
COLUMN_OF = {
    "node_id": "node",
    "delivered_on": "date",
    "provider": "provider",
    "topics": "topics",
    "participants": "participants",
    "audience_roles": "audience",
    "language": "language",
    "notes": "notes",
}


def read_rows(filename: str, data: bytes, problems: Problems) -> list[Row]:
    """The sheet's rows with their locations; a file that cannot be read at all is a 4xx."""
    return read_table(filename, data, SHEET, problems)


def _parse(
    row: Mapping[str, Any],
    location: Location,
    nodes: Mapping[str, Node],
    today: date,
    problems: Problems,
) -> TrainingCreate | None:
    """One row as a training, or None with its problems recorded (each with its column)."""
    before = problems.count
    external = cell_text(row.get("node"))
    node = nodes.get(external)
    if not external:
        problems.add(location, "node", "required: the node's external id")
    elif node is None:
        problems.add(location, "node", "no node with this id in the network", external)
    elif str(node.kind) not in ("company", "supplier", "recruiter"):
        problems.add(location, "node", f"a {node.kind} has no staff to train", external)
    delivered_on = cell_date(row.get("date"))
    if delivered_on is None:
        problems.add(location, "date", "expected a date as YYYY-MM-DD", row.get("date"))
    elif delivered_on > today:
        problems.add(
            location, "date", f"in the future (today is {today.isoformat()})", row.get("date")
        )
    participants = cell_count(row.get("participants"))
    if participants is None or participants < 1:
        problems.add(
            location, "participants", "expected a whole number from 1", row.get("participants")
        )
    topics = cell_list(row.get("topics"))
    known = training_topics().ids()
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
    audience = cell_list(row.get("audience"))
    strange = [a for a in audience if a not in AUDIENCE_ROLES]
    if strange:
        problems.add(
            location,
            "audience",
            f"unknown role {', '.join(strange)}; known: {', '.join(AUDIENCE_ROLES)}",
            row.get("audience"),
        )
    if problems.count > before or node is None:
        return None
    try:
        return TrainingCreate.model_validate(
            {
                "node_id": node.id,
                "delivered_on": delivered_on,
                "provider": cell_text(row.get("provider")),
                "topics": topics,
                "audience_roles": audience,
                "participants": participants,
                "language": cell_text(row.get("language")).lower(),
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


def import_trainings(
    session: Session,
    *,
    network: Network,
    filename: str,
    data: bytes,
    today: date,
    validity_months: int,
    dry_run: bool,
    role: str,
    user_id: int | None,
) -> TrainingImportRead:
    """Check every row, then record them all (unless ``dry_run``) and close the training
    actions they answer; any problem refuses the whole file with every problem listed."""
    problems = Problems()
    rows = read_rows(filename, data, problems)
    problems.raise_if_any("Training import")
    nodes = {
        n.external_id: n
        for n in session.exec(select(Node).where(Node.network_id == network.id)).all()
    }
    existing = _existing(session, network)
    seen: dict[tuple[int, date, str], int] = {}
    parsed: list[TrainingCreate] = []
    for row, location in rows:
        data_row = _parse(row, location, nodes, today, problems)
        if data_row is None:
            continue
        key = (data_row.node_id, data_row.delivered_on, data_row.provider.lower())
        if key in existing:
            problems.add(
                location,
                "date",
                f"already recorded as training {existing[key]} (same node, date and provider)",
                data_row.delivered_on.isoformat(),
            )
        elif key in seen:
            problems.add(
                location, "date", f"repeats row {seen[key]} (same node, date and provider)"
            )
        else:
            seen[key] = location.row or 0
            parsed.append(data_row)
    if not rows:
        problems.add(Location(file=filename), None, "the file holds no trainings")
    problems.raise_if_any("Training import")
    if dry_run:
        return TrainingImportRead(
            dry_run=True, rows=len(parsed), created=0, training_ids=[], closed_actions=[]
        )
    created = [
        Training(network_id=network.id or 0, created_by=user_id, **item.model_dump())
        for item in parsed
    ]
    session.add_all(created)
    session.flush()
    closed = service.close_training_actions(
        session,
        network=network,
        trainings=created,
        today=today,
        validity_months=validity_months,
        role=role,
        user_id=user_id,
    )
    return TrainingImportRead(
        dry_run=False,
        rows=len(parsed),
        created=len(created),
        training_ids=[t.id or 0 for t in created],
        closed_actions=closed,
    )


def _existing(session: Session, network: Network) -> dict[tuple[int, date, str], int]:
    rows = session.execute(
        sa_select(
            col(Training.id),
            col(Training.node_id),
            col(Training.delivered_on),
            col(Training.provider),
        ).where(col(Training.network_id) == network.id)
    ).all()
    return {(node, day, provider.lower()): ident or 0 for ident, node, day, provider in rows}
