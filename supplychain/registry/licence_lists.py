"""Authority licence lists: imported from the authority's CSV or XLSX (its own headers mapped
to ours), and read by the findings as one check per recruiter node.

An import is all or nothing: every problem is named by row and column, and a refused file
writes nothing. The latest list of a country (by publication date) is the one nodes are
checked against.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.errors import InvalidInput
from core.problems import Location, Problems
from supplychain.column_mapping import normalise_header
from supplychain.countries import resolve_country
from supplychain.models import Network, Node
from supplychain.registry.licences import (
    LISTED_STATUSES,
    LicenceCheck,
    Listed,
    ListFacts,
    check_licence,
)
from supplychain.registry.matching import licence_key
from supplychain.registry.models import LicenceList, LicenceListEntry
from supplychain.sheet_table import TableKind, cell_date, cell_text, read_table
from supplychain.vocabulary import NodeKind

COLUMNS = ("licence_number", "name", "status", "valid_until")
MAX_ROWS = 50_000
# Words authorities use for a status, folded to ours.
STATUS_WORDS = {
    "valid": "valid", "active": "valid", "licensed": "valid", "current": "valid",
    "suspended": "suspended", "revoked": "revoked", "cancelled": "revoked",
    "canceled": "revoked", "cancelled_licence": "revoked", "expired": "expired",
}  # fmt: skip


def _mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Our column -> the file's header (normalised), every unknown key refused by name."""
    given = dict(mapping or {})
    unknown = sorted(set(given) - set(COLUMNS))
    if unknown:
        raise InvalidInput(
            f"Unknown column in the mapping: {', '.join(unknown)}; ours are {', '.join(COLUMNS)}",
            errors=[
                {"field": f"mapping.{k}", "message": "not a licence-list column"} for k in unknown
            ],
        )
    return {ours: normalise_header(given.get(ours, ours)) for ours in COLUMNS}


def import_licence_list(
    session: Session,
    *,
    authority: str,
    country: str,
    published_on: date,
    source: str,
    illustrative: bool,
    filename: str,
    data: bytes,
    mapping: Mapping[str, str] | None,
    user_id: int | None,
) -> LicenceList:
    code = resolve_country(country)
    if code is None:
        raise InvalidInput(
            f"{country!r} is not a country",
            errors=[{"field": "country", "message": "not a country"}],
        )
    columns = _mapping(mapping)
    header = {theirs: ours for ours, theirs in columns.items()}
    problems = Problems()
    kind = TableKind((columns["licence_number"],), "licences", "licences", "licence list", MAX_ROWS)
    rows = read_table(filename, data, kind, problems)
    entries: dict[str, dict[str, Any]] = {}
    for raw, location in rows:
        row = {header.get(k, k): v for k, v in raw.items()}
        entry = _entry(row, location, columns, problems)
        if entry is None:
            continue
        if entry["licence_key"] in entries:
            problems.add(
                location,
                columns["licence_number"],
                "this licence is listed twice",
                entry["licence_number"],
            )
            continue
        entries[entry["licence_key"]] = entry
    if not entries and not problems:
        problems.add(Location(file=filename), None, "the list has no licence")
    problems.raise_if_any(f"{filename}: the licence list was not imported")
    imported = LicenceList(
        authority=authority,
        country=code,
        published_on=published_on,
        source=source,
        illustrative=illustrative,
        entries=len(entries),
        imported_by=user_id,
    )
    session.add(imported)
    session.flush()
    session.add_all(LicenceListEntry(list_id=imported.id or 0, **e) for e in entries.values())
    session.flush()
    return imported


def _entry(
    row: dict[str, Any], location: Location, columns: dict[str, str], problems: Problems
) -> dict[str, Any] | None:
    before = problems.count
    number = cell_text(row.get("licence_number"))
    key = licence_key(number)
    if key is None:
        problems.add(location, columns["licence_number"], "required: the licence number")
    word = normalise_header(cell_text(row.get("status")) or "valid")
    status = STATUS_WORDS.get(word)
    if status is None:
        problems.add(
            location,
            columns["status"],
            f"unknown status; one of {', '.join(LISTED_STATUSES)} (or active, cancelled)",
            row.get("status"),
        )
    until_raw = row.get("valid_until")
    until = cell_date(until_raw) if until_raw not in (None, "") else None
    if until_raw not in (None, "") and until is None:
        problems.add(location, columns["valid_until"], "not a date (write 2027-06-30)", until_raw)
    if problems.count > before or key is None or status is None:
        return None
    return {
        "licence_key": key,
        "licence_number": number[:100],
        "name": cell_text(row.get("name"))[:300],
        "status": status,
        "valid_until": until,
    }


def all_lists(session: Session) -> list[LicenceList]:
    return list(
        session.exec(
            select(LicenceList).order_by(
                col(LicenceList.published_on).desc(), col(LicenceList.id).desc()
            )
        ).all()
    )


def list_facts(record: LicenceList) -> ListFacts:
    return ListFacts(
        id=record.id or 0,
        authority=record.authority,
        country=record.country,
        published_on=record.published_on,
        source=record.source,
        illustrative=record.illustrative,
    )


def latest_lists(session: Session, countries: set[str]) -> dict[str, LicenceList]:
    found: dict[str, LicenceList] = {}
    for record in session.exec(
        select(LicenceList)
        .where(col(LicenceList.country).in_(countries))
        .order_by(col(LicenceList.published_on), col(LicenceList.id))
    ).all():
        found[record.country] = record  # the last is the latest
    return found


def licence_stamp(session: Session) -> tuple[Any, ...]:
    """Changes whenever a list is imported (lists are never edited): for the findings digest."""
    row = session.execute(
        sa_select(func.count(), func.coalesce(func.max(col(LicenceList.id)), 0))
    ).one()
    return tuple(row)


def licence_checks(session: Session, network: Network, today: date) -> dict[int, LicenceCheck]:
    """Each recruiter node of the network whose licence country has a list and whose licence
    does not stand on it: missing, not on the list, expired, revoked or suspended."""
    nodes = session.exec(
        select(Node).where(Node.network_id == network.id, Node.kind == NodeKind.recruiter)
    ).all()
    country_of = {n.id or 0: (n.licence_country or n.country) for n in nodes}
    lists = latest_lists(session, set(country_of.values()))
    if not lists:
        return {}
    keys = {licence_key(n.licence) for n in nodes if n.licence} - {None}
    listed: dict[tuple[int, str], Listed] = {}
    for entry in session.exec(
        select(LicenceListEntry).where(
            col(LicenceListEntry.list_id).in_([r.id for r in lists.values()]),
            col(LicenceListEntry.licence_key).in_(keys),
        )
    ).all():
        listed[(entry.list_id, entry.licence_key)] = Listed(entry.status, entry.valid_until)
    checks: dict[int, LicenceCheck] = {}
    for node in nodes:
        record = lists.get(country_of[node.id or 0])
        if record is None:
            continue
        key = licence_key(node.licence)
        found = listed.get((record.id or 0, key)) if key else None
        check = check_licence(node.licence, found, list_facts(record), today)
        if check is not None:
            checks[node.id or 0] = check
    return checks


def networks_checked_against(session: Session, country: str) -> list[int]:
    """Networks with a recruiter licensed in ``country``: their findings change with its list."""
    rows = session.exec(
        select(Node.network_id)
        .where(
            Node.kind == NodeKind.recruiter,
            func.coalesce(Node.licence_country, Node.country) == country,
        )
        .distinct()
    ).all()
    return list(rows)
