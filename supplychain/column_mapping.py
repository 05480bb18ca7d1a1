"""Column mappings: a file's own headers matched to Fairpath's columns, per kind of file.

A spreadsheet exported from an ERP or a supplier portal says "Supplier ID" and "Country of
operation" where Fairpath reads ``id`` and ``country``. Rather than asking the user to edit the
file, an import may carry a mapping ``{"nodes": {their header: Fairpath column}, "edges": {...}}``
(given with the request, or saved per organisation and named), as spreadsheet-import wizards do.

Pure: no database. A mapping is checked on its own first (``parse_mapping``: every target a
Fairpath column of that kind of file, no two headers landing on one column), then against each
file as its header row is read (``map_header``, the one hook in ``supplychain.formats``): a
header the mapping names but the file lacks is a problem naming it. Headers the mapping leaves
out are read as they are, so a partial mapping only renames what it names.

The mapping reaches the readers through a context variable set by ``reading``: the readers'
signatures, shared by every caller and format, stay as they are, and the mapping applies to
whatever file kind is read inside the block (CSV, a ZIP's members, XLSX sheets) in one place.
Every problem that names a renamed column is reported under the file's own header
(``MappedProblems``), so "unknown country" points at "Country of operation", the column the
user can find in their file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from core.errors import InvalidInput
from core.problems import Location, Problems
from supplychain import open_supply_hub
from supplychain.rules import EDGE_COLUMNS, EDGE_REQUIRED, NODE_COLUMNS

FileKind = Literal["nodes", "edges"]
KINDS: tuple[FileKind, ...] = ("nodes", "edges")
TARGETS: dict[FileKind, tuple[str, ...]] = {"nodes": NODE_COLUMNS, "edges": EDGE_COLUMNS}
MAX_ENTRIES = 200  # per kind of file: more than any real header row has
MAX_HEADER_LENGTH = 200


def normalise_header(name: Any) -> str:
    """As ``supplychain.formats.normalise_header`` (which imports this module): a mapping's
    headers must match the file's after the same normalisation, whatever their spacing/case."""
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


@dataclass(frozen=True)
class ColumnMapping:
    """A checked mapping: per kind of file, the header as the user wrote it -> the Fairpath
    column. Build it with ``parse_mapping``, which refuses anything the import cannot apply."""

    nodes: dict[str, str] = field(default_factory=dict)
    edges: dict[str, str] = field(default_factory=dict)

    def of(self, kind: FileKind) -> dict[str, str]:
        return self.nodes if kind == "nodes" else self.edges

    def document(self) -> dict[str, dict[str, str]]:
        """The JSON form, as stored, sent to a job, and parsed back by ``parse_mapping``."""
        return {"nodes": dict(self.nodes), "edges": dict(self.edges)}

    def __bool__(self) -> bool:
        return bool(self.nodes or self.edges)


def parse_mapping(document: Any, *, field: str = "mapping") -> ColumnMapping:
    """The mapping a request or a saved mapping holds, checked whole: every problem is listed
    (422), each naming the entry (``mapping.nodes.Supplier ID``), before any file is read."""
    shape = '{"nodes": {"Their header": "id", ...}, "edges": {...}}'
    prefix = f"{field}." if field else ""  # "" for a body that is the mapping itself
    if not isinstance(document, dict):
        raise InvalidInput(
            f"{field or 'The mapping'} must be a JSON object like {shape}",
            errors=[{"field": field or "body", "message": f"expected an object like {shape}"}],
        )
    errors: list[dict[str, Any]] = []
    sections: dict[FileKind, dict[str, str]] = {"nodes": {}, "edges": {}}
    for key in sorted(set(document) - set(KINDS), key=str):
        errors.append({"field": f"{prefix}{key}", "message": "unknown key: use nodes or edges"})
    for kind in KINDS:
        section = document.get(kind)
        if section is None:
            continue
        where = f"{prefix}{kind}"
        if not isinstance(section, dict):
            errors.append({"field": where, "message": "must be an object of header: column"})
            continue
        if len(section) > MAX_ENTRIES:
            errors.append({"field": where, "message": f"more than {MAX_ENTRIES} entries"})
            continue
        sections[kind] = _section(section, kind, where, errors)
    if errors:
        raise InvalidInput(
            f"The column mapping{' in ' + field if field else ''} cannot be used", errors=errors
        )
    return ColumnMapping(nodes=sections["nodes"], edges=sections["edges"])


def _section(
    section: Mapping[Any, Any], kind: FileKind, where: str, errors: list[dict[str, Any]]
) -> dict[str, str]:
    targets = TARGETS[kind]
    checked: dict[str, str] = {}
    by_header: dict[str, str] = {}  # normalised header -> as written
    by_target: dict[str, str] = {}  # target -> the header mapped to it
    for source, target in section.items():
        entry = f"{where}.{source}"
        header = normalise_header(source)
        if not header or len(str(source)) > MAX_HEADER_LENGTH:
            errors.append({"field": entry, "message": "a header must be 1 to 200 characters"})
            continue
        if header in by_header:
            errors.append({"field": entry, "message": f"the same header as {by_header[header]!r}"})
            continue
        by_header[header] = str(source)
        if not isinstance(target, str):
            errors.append({"field": entry, "message": "the column must be text"})
            continue
        column = normalise_header(target)
        if column not in targets:
            errors.append(
                {
                    "field": entry,
                    "value": str(target)[:100],
                    "message": f"unknown {kind} column {target!r}; Fairpath's {kind} columns "
                    f"are: {', '.join(targets)}",
                }
            )
            continue
        if column in by_target:
            errors.append(
                {
                    "field": entry,
                    "value": column,
                    "message": f"{by_target[column]!r} is mapped to {column!r} as well; map "
                    "one header to each column",
                }
            )
            continue
        by_target[column] = str(source)
        checked[str(source)] = column
    return checked


def parse_mapping_text(text: str, *, field: str = "mapping") -> ColumnMapping:
    """A mapping sent as text (a form field, a query parameter, a CLI file)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{field} is not valid JSON: {exc}",
            errors=[{"field": field, "message": f"not valid JSON: {exc.msg}"}],
        ) from exc
    return parse_mapping(document, field=field)


# Applying a mapping while files are read ----------------------------------------------------


@dataclass
class MappedProblems(Problems):
    """Problems that name a renamed column by the file's own header: the rules speak of
    ``country``, the user's file of "Country of operation"."""

    renamed: dict[tuple[str | None, str], str] = field(default_factory=dict)

    def add(self, location: Location, column: str | None, message: str, value: Any = None) -> None:
        if column is not None:
            column = self.renamed.get((location.file, column), column)
        super().add(location, column, message, value)


@dataclass
class Reading:
    """What one import's reading has applied: the mapping, and the files recognised as Open
    Supply Hub facility lists (their rows are turned into nodes once read)."""

    mapping: ColumnMapping
    problems: MappedProblems
    facility_lists: set[str] = field(default_factory=set)


_current: ContextVar[Reading | None] = ContextVar("fairpath_column_mapping", default=None)


@contextmanager
def reading(mapping: ColumnMapping | None, problems: MappedProblems) -> Iterator[Reading]:
    """Apply ``mapping`` (and recognise facility lists) to every file read in the block."""
    state = Reading(mapping=mapping or ColumnMapping(), problems=problems)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def map_header(
    header: list[str], required: Iterable[str], file: str, problems: Problems
) -> tuple[list[str], tuple[str, ...]]:
    """The header row a reader goes on with (same length, same order) and the columns it must
    then require. Outside ``reading`` it is the header as read: only imports that go through
    ``supplychain.uploads`` are mapped."""
    needed = tuple(required)
    state = _current.get()
    if state is None:
        return header, needed
    kind: FileKind = "edges" if needed == EDGE_REQUIRED else "nodes"
    header, needed = _apply(state, header, needed, kind, file, problems)
    if kind == "nodes" and open_supply_hub.is_facility_list(header):
        state.facility_lists.add(file)
        for column, theirs in open_supply_hub.renamed_columns(header).items():
            state.problems.renamed.setdefault((file, column), theirs)
        return header, ()  # the facility list's own columns are checked row by row
    return header, needed


def _apply(
    state: Reading,
    header: list[str],
    required: tuple[str, ...],
    kind: FileKind,
    file: str,
    problems: Problems,
) -> tuple[list[str], tuple[str, ...]]:
    entries = state.mapping.of(kind)
    if not entries:
        return header, required
    location = Location(file=file, row=1)
    positions = {name: index for index, name in enumerate(header) if name}
    renamed = list(header)
    missing: set[str] = set()
    for source, target in entries.items():
        index = positions.get(normalise_header(source))
        if index is None:
            problems.add(
                location,
                source,
                f"the column mapping maps {source!r} to {target!r}, but the file has no such "
                f"column; its columns are: {', '.join(h for h in header if h) or 'none'}",
            )
            missing.add(target)
            continue
        if target in positions and positions[target] != index and target not in _sources(entries):
            problems.add(
                location,
                source,
                f"the column mapping maps {source!r} to {target!r}, but the file has a "
                f"{target!r} column as well; map or rename one of them",
            )
            missing.add(target)
            continue
        renamed[index] = target
        state.problems.renamed[(file, target)] = source
    return renamed, tuple(column for column in required if column not in missing)


def _sources(entries: Mapping[str, str]) -> set[str]:
    """The normalised headers a mapping renames away (so their old names are free)."""
    return {normalise_header(source) for source in entries}


def map_rows(
    rows: Sequence[tuple[dict[str, Any], Location]],
    kind: FileKind,
    section: str,
    state: Reading,
    problems: Problems,
) -> None:
    """Rename the keys of a JSON document's items in place (their keys are their header)."""
    entries = state.mapping.of(kind)
    if not entries:
        return
    found: set[str] = set()
    for row, location in rows:
        for source, target in entries.items():
            key = normalise_header(source)
            if key not in row:
                continue
            found.add(source)
            if target in row and target != key:
                problems.add(location, source, f"mapped to {target!r}, which the item also has")
                continue
            row[target] = row.pop(key)
    for source, target in entries.items():
        state.problems.renamed[(section, target)] = source
        if rows and source not in found:
            problems.add(
                Location(file=section),
                source,
                f"the column mapping maps {source!r} to {target!r}, but no item has that key",
            )
