"""The rules a network must satisfy, checked on plain records so that the bulk import, the
single-item API and the tests all enforce exactly the same thing.

Pure: no database. Callers hand in raw rows (CSV strings or JSON values) with their location and
get back normalised records, with every problem collected in a ``Problems``. A whole CSV file
can also be validated column by column (``parse_node_columns``, ``parse_edge_columns``), each
distinct value once, with the same cell and row rules: what that path accepts, the row-by-row
path accepts identically, and a row it does not accept is handed back to be reported row by row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

import networkx as nx

from core.problems import Location, Problems
from core.text import line_problem, text_problem, value_problem
from supplychain.countries import resolve_country
from supplychain.vocabulary import (
    ACYCLIC_EDGES,
    EDGE_RULES,
    SECTORS,
    EdgeKind,
    NodeKind,
    RecruiterRole,
    describe_rule,
)

NODE_COLUMNS = (
    "id",
    "kind",
    "name",
    "country",
    "sector",
    "tier",
    "role",
    "workers",
    "migrant_workers",
    "licence",
    "licence_country",
    "origin",
    "destination",
    "products",
    "hs_codes",
    "monthly_wage",
    "wage_currency",
)
NODE_REQUIRED = ("id", "kind", "name", "country")
# Stored node columns besides the id, in the order of ``NodeRecord.row``.
NODE_STORED = (
    "kind",
    "name",
    "country",
    "sector",
    "tier",
    "workers",
    "migrant_workers",
    "role",
    "licence",
    "licence_country",
    "origin",
    "destination",
    "products",
    "hs_codes",
    "monthly_wage",
    "wage_currency",
    "attributes",
)
EDGE_STORED = ("origin", "destination", "workers", "share", "attributes")
EDGE_COLUMNS = ("source", "target", "kind", "origin", "destination", "workers", "share")
EDGE_REQUIRED = ("source", "target", "kind")
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 300
MAX_TEXT_LENGTH = 100
MAX_ATTRIBUTE_LENGTH = 2000
MAX_COUNT = 2_000_000_000  # a count of workers (or a tier) past it is a typo, and past INTEGER
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


@dataclass
class NodeRecord:
    external_id: str
    kind: NodeKind
    name: str
    country: str
    sector: str | None = None
    tier: int | None = None
    workers: int | None = None
    migrant_workers: int | None = None
    role: RecruiterRole | None = None
    licence: str | None = None
    licence_country: str | None = None
    origin: str | None = None
    destination: str | None = None
    products: str | None = None
    hs_codes: str | None = None
    # What a migrant worker earns a month at this employer (or in this worker group), in
    # ``wage_currency``: turns a survey's "months of earnings" into money owed.
    monthly_wage: float | None = None
    wage_currency: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def row(self) -> tuple[Any, ...]:
        """The stored columns in ``NODE_STORED`` order, for cheap change detection."""
        return (
            self.kind.value,
            self.name,
            self.country,
            self.sector,
            self.tier,
            self.workers,
            self.migrant_workers,
            self.role.value if self.role else None,
            self.licence,
            self.licence_country,
            self.origin,
            self.destination,
            self.products,
            self.hs_codes,
            self.monthly_wage,
            self.wage_currency,
            self.attributes,
        )

    def values(self) -> dict[str, Any]:
        """Column values as stored, for inserts and change detection."""
        return {
            "external_id": self.external_id,
            "kind": self.kind.value,
            "name": self.name,
            "country": self.country,
            "sector": self.sector,
            "tier": self.tier,
            "workers": self.workers,
            "migrant_workers": self.migrant_workers,
            "role": self.role.value if self.role else None,
            "licence": self.licence,
            "licence_country": self.licence_country,
            "origin": self.origin,
            "destination": self.destination,
            "products": self.products,
            "hs_codes": self.hs_codes,
            "monthly_wage": self.monthly_wage,
            "wage_currency": self.wage_currency,
            "attributes": self.attributes,
        }


@dataclass
class EdgeRecord:
    source: str
    target: str
    kind: EdgeKind
    origin: str | None = None
    destination: str | None = None
    workers: int | None = None
    share: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    key: tuple[str, str, EdgeKind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = (self.source, self.target, self.kind)

    def row(self) -> tuple[Any, ...]:
        """The stored columns in ``EDGE_STORED`` order, for cheap change detection."""
        return (self.origin, self.destination, self.workers, self.share, self.attributes)

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "origin": self.origin,
            "destination": self.destination,
            "workers": self.workers,
            "share": self.share,
            "attributes": self.attributes,
        }


# Cell parsing ---------------------------------------------------------------------------------
#
# Each rule for one cell is a pure function of the cell's raw value, returning the parsed value
# or a ``_Bad`` saying why it cannot be used. ``_Cells`` applies them to one row and records the
# problems; ``parse_node_columns`` and ``parse_edge_columns`` apply them once per distinct value
# of a whole column. Both paths therefore read every cell in exactly the same way.


@dataclass(frozen=True, slots=True)
class _Bad:
    """Why a cell's value cannot be used: the problem's message and the value it quotes."""

    message: str
    value: Any = None


# A cell's raw value -> its parsed value, or a ``_Bad``.
_Read = Callable[[Any], Any]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    return str(value).strip()


def _read_text(value: Any, *, required: bool = False, limit: int = MAX_TEXT_LENGTH) -> str | _Bad:
    """Stripped text; blank is "" (or a problem when required)."""
    if type(value) is str:  # the usual case, and every CSV cell: the checks below, in one
        text = value.strip()
        if not text:
            return _Bad("required, but empty") if required else ""
    elif _blank(value):
        return _Bad("required, but empty") if required else ""
    elif isinstance(value, (dict, list, bool)):
        return _Bad("must be text", value)
    else:
        text = _text(value)
    if len(text) > limit:
        return _Bad(f"longer than {limit} characters", text[:40] + "...")
    return text


def _read_optional_text(value: Any, *, limit: int = MAX_TEXT_LENGTH) -> str | _Bad | None:
    text = _read_text(value, limit=limit)
    return text if isinstance(text, _Bad) else (text or None)


def _read_line(value: Any, *, required: bool = False, limit: int = MAX_TEXT_LENGTH) -> str | _Bad:
    """``_read_text`` of a name, id or other one-line field, which must not hide anything: a
    control character breaks every XML export and spreadsheet, and a bidirectional override
    makes a name display as something else (``core.text.line_problem``). Outer whitespace,
    control characters included, is stripped as from any cell."""
    text = _read_text(value, required=required, limit=limit)
    if isinstance(text, str) and text:
        problem = line_problem(text)
        if problem:
            return _Bad(problem, text)
    return text


def _read_optional_line(value: Any, *, limit: int = MAX_TEXT_LENGTH) -> str | _Bad | None:
    text = _read_line(value, limit=limit)
    return text if isinstance(text, _Bad) else (text or None)


_read_id = partial(_read_line, required=True, limit=MAX_ID_LENGTH)


def _read_integer(value: Any, *, minimum: int = 0) -> int | _Bad | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return _Bad("must be a whole number", value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = _text(value).replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(r"-?\d+", text):
            return _Bad("must be a whole number", value)
        number = int(text)
    if number < minimum:
        return _Bad(f"must be at least {minimum}", value)
    if number > MAX_COUNT:
        return _Bad("is implausibly large", value)
    return number


def _read_fraction(value: Any) -> float | _Bad | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return _Bad("must be a number between 0 and 1", value)
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        else:
            text = _text(value)
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return _Bad("must be a number between 0 and 1 (or a percentage)", value)
    if math.isnan(number) or not 0 <= number <= 1:
        return _Bad("must be between 0 and 1", value)
    return number


def _read_amount(value: Any) -> float | _Bad | None:
    """A sum of money: a positive number, thousands separators allowed ("1,500.50")."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return _Bad("must be an amount of money", value)
    text = _text(value).replace(" ", "")
    try:
        number = float(value) if isinstance(value, int | float) else float(text.replace(",", ""))
    except ValueError:
        return _Bad("must be an amount of money, such as 1500 or 1,500.50", value)
    if math.isnan(number) or number <= 0 or number > 1e12:
        return _Bad("must be more than 0", value)
    return number


def _read_currency(value: Any) -> str | _Bad | None:
    if _blank(value):
        return None
    code = _text(value).upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        return _Bad("must be an ISO 4217 currency code such as MYR or USD", value)
    return code


def _read_country(value: Any, *, required: bool = False) -> str | _Bad | None:
    if _blank(value):
        return _Bad("required, but empty") if required else None
    code = resolve_country(_text(value)) if isinstance(value, str | int) else None
    if code is None:
        return _Bad(
            "unknown country: use an ISO 3166-1 code (TH, THA) or English name (Thailand)", value
        )
    return code


def _read_choice(value: Any, *, enum: type[Any], required: bool = False) -> Any:
    if _blank(value):
        return _Bad("required, but empty") if required else None
    key = _text(value).lower().replace(" ", "_").replace("-", "_")
    try:
        return enum(key)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        return _Bad(f"must be one of: {allowed}", value)


def _read_sector(value: Any) -> str | _Bad | None:
    if _blank(value):
        return None
    key = _text(value).lower().replace(" ", "_").replace("-", "_")
    if key not in SECTORS:
        return _Bad(f"must be one of: {', '.join(SECTORS)}", value)
    return key


MAX_PRODUCTS_LENGTH = 500
_HS_CODE = re.compile(r"^\d{4,10}$")


def _read_products(value: Any) -> str | _Bad | None:
    """Products as "a; b": separated by semicolons (commas too, as spreadsheets write lists)."""
    text = _read_optional_line(value, limit=MAX_PRODUCTS_LENGTH)
    if isinstance(text, _Bad) or not text:
        return text
    items = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
    return "; ".join(dict.fromkeys(items)) or None


def _read_hs_codes(value: Any) -> str | _Bad | None:
    """HS codes of 4 to 10 digits ("4015.19" is read as 401519), separated by ; or ,."""
    text = _read_optional_text(value, limit=200)
    if isinstance(text, _Bad) or not text:
        return text
    codes = [c.strip().replace(".", "").replace(" ", "") for c in re.split(r"[;,]", text)]
    bad = [c for c in codes if c and not _HS_CODE.match(c)]
    if bad:
        return _Bad("each HS code must have 4 to 10 digits", bad[0])
    return "; ".join(dict.fromkeys(c for c in codes if c)) or None


def _read_attribute(value: Any) -> Any:
    """A column outside the known ones, kept as an attribute; None when blank (no attribute).

    Attributes are free text (notes), where tabs and line breaks are legitimate; other control
    characters are not (``core.text.text_problem``), in nested JSON values too."""
    if _blank(value):
        return None
    value = _calendar_text(value)  # a spreadsheet's dates and times, as ISO 8601 text
    if not isinstance(value, str | int | float | bool | list | dict):
        return _Bad(f"a {type(value).__name__} value cannot be kept; enter it as text", value)
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_ATTRIBUTE_LENGTH:
            return _Bad(f"longer than {MAX_ATTRIBUTE_LENGTH} characters")
        problem = text_problem(value)
    else:
        problem = value_problem(value)
    return _Bad(problem, value) if problem else value


def _calendar_text(value: Any) -> Any:
    """Excel keeps dates as dates (openpyxl reads them as datetime): an attribute is stored as
    JSON, so a date becomes its ISO 8601 text, as a CSV of the same sheet would say it; a
    datetime at midnight is the date alone (Excel has no date-only type)."""
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def attribute_name_problem(name: str) -> str | None:
    """Why an attribute's name (a column of its own in every export) cannot be used."""
    return line_problem(name)


class _Report(Protocol):
    """Where the rules between columns send a failure: a row's ``_Cells``, or a ``_Verdict``."""

    def fail(self, column: str, message: str, value: Any = None) -> None: ...


class _Cells:
    """Reads typed values out of one raw row, recording a problem for each bad cell."""

    def __init__(self, raw: Mapping[str, Any], location: Location, problems: Problems) -> None:
        self.raw = raw
        self.location = location
        self.problems = problems
        self.ok = True

    def fail(self, column: str, message: str, value: Any = None) -> None:
        self.ok = False
        self.problems.add(self.location, column, message, value)

    def read(self, column: str, read: _Read, failed: Any) -> Any:
        """The column's value read by ``read``; ``failed`` (and a problem) when it is bad."""
        result = read(self.raw.get(column))
        if isinstance(result, _Bad):
            self.fail(column, result.message, result.value)
            return failed
        return result

    def attributes(self, known: Iterable[str]) -> dict[str, Any]:
        """Every other non-blank column, by name."""
        attributes: dict[str, Any] = {}
        known_set = set(known)
        for column, value in self.raw.items():
            if column in known_set or column is None:
                continue
            name = str(column).strip()
            if not name:
                continue
            if _blank(value):
                continue
            problem = attribute_name_problem(name)
            if problem:
                self.fail(name, f"column name {problem}")
                continue
            result = _read_attribute(value)
            if isinstance(result, _Bad):
                self.fail(name, result.message, result.value)
            elif result is not None:
                attributes[name] = result
        return attributes


class _Verdict:
    """Stands in for ``_Cells`` where only whether a row passes matters (the column path)."""

    __slots__ = ("ok",)

    def __init__(self) -> None:
        self.ok = True

    def fail(self, column: str, message: str, value: Any = None) -> None:
        self.ok = False


class _Column(NamedTuple):
    """How one column is read: ``read`` takes a cell's value; ``failed`` is what a bad cell
    leaves for the rules between columns (which still run on a bad row, and may report more);
    ``read_all``, where given, reads a whole column of text at once, the same as ``read`` on
    each cell, or says None when some cell needs ``read`` (and its problem)."""

    name: str
    read: _Read
    failed: Any
    read_all: Callable[[Sequence[str]], list[Any] | None] | None = None


def _read_texts(
    values: Sequence[str], *, required: bool = False, limit: int = MAX_TEXT_LENGTH
) -> list[str] | None:
    """``_read_text`` of a whole column of strings in three passes in C (strip, blank, length)
    instead of a call per cell: ids and names differ on every row, so reading each distinct
    value once saves nothing there."""
    texts = list(map(str.strip, values))
    if (required and not all(texts)) or max(map(len, texts), default=0) > limit:
        return None
    return texts


def _read_lines(
    values: Sequence[str], *, required: bool = False, limit: int = MAX_TEXT_LENGTH
) -> list[str] | None:
    """``_read_line`` of a whole column: ``line_problem`` finds a character anywhere in a text
    exactly when it finds it in one of them, so one search of them all decides."""
    texts = _read_texts(values, required=required, limit=limit)
    if texts is None or line_problem("".join(texts)):
        return None
    return texts


_read_ids = partial(_read_lines, required=True, limit=MAX_ID_LENGTH)


def _read_columns(
    cells: Sequence[_Column], columns: Mapping[str, Sequence[str]], count: int
) -> tuple[list[list[Any]], set[int]]:
    """Each column read at once, or once per distinct value: a 100,000-row file has a few
    dozen kinds, countries, roles and numbers, so this is a few thousand calls, not 1.7
    million. Returns the parsed columns, and the rows in which at least one cell is bad."""
    parsed: list[list[Any]] = []
    bad: set[int] = set()
    for column in cells:
        values = columns.get(column.name)
        if values is None:  # no such column: every row reads a blank cell
            blank = column.read(None)
            parsed.append([blank] * count)
            if isinstance(blank, _Bad):
                bad.update(range(count))
            continue
        whole = column.read_all(values) if column.read_all else None
        if whole is not None:
            parsed.append(whole)
            continue
        memo = {value: column.read(value) for value in set(values)}
        if any(isinstance(result, _Bad) for result in memo.values()):
            bad.update(i for i, value in enumerate(values) if isinstance(memo[value], _Bad))
        parsed.append(list(map(memo.__getitem__, values)))
    return parsed, bad


def _read_attribute_columns(
    columns: Mapping[str, Sequence[str]], count: int, known: Iterable[str]
) -> tuple[list[dict[str, Any]] | None, set[int]]:
    """The attributes of every row (None when the file has no other columns), as
    ``_Cells.attributes`` reads them, and the rows with a bad one."""
    known_set = set(known)
    names = [name for name in columns if name not in known_set and name.strip()]
    if not names:
        return None, set()
    keys = [name.strip() for name in names]
    if len(set(keys)) < len(keys):  # names equal once stripped: leave them to ``_Cells``
        return None, set(range(count))
    if any(attribute_name_problem(key) for key in keys):  # ``_Cells`` reports it row by row
        return None, set(range(count))
    parsed, bad = _read_columns(
        [_Column(name, _read_attribute, None) for name in names], columns, count
    )
    rows = [
        {key: value for key, value in zip(keys, values, strict=True) if value is not None}
        for values in zip(*parsed, strict=True)
    ]
    return rows, bad


# Nodes ---------------------------------------------------------------------------------------


class _NodeValues(NamedTuple):
    """A node row's cells once read: ``_NODE_CELLS`` order, which is ``NodeRecord``'s."""

    external_id: str
    kind: NodeKind | None
    name: str
    country: str | None
    sector: str | None
    tier: int | None
    workers: int | None
    migrant_workers: int | None
    role: RecruiterRole | None
    licence: str | None
    licence_country: str | None
    origin: str | None
    destination: str | None
    products: str | None
    hs_codes: str | None
    monthly_wage: float | None
    wage_currency: str | None


_NODE_CELLS = (
    _Column("id", _read_id, "", _read_ids),
    _Column("kind", partial(_read_choice, enum=NodeKind, required=True), None),
    _Column(
        "name",
        partial(_read_line, required=True, limit=MAX_NAME_LENGTH),
        "",
        partial(_read_lines, required=True, limit=MAX_NAME_LENGTH),
    ),
    _Column("country", partial(_read_country, required=True), None),
    _Column("sector", _read_sector, None),
    _Column("tier", partial(_read_integer, minimum=1), None),
    _Column("workers", _read_integer, None),
    _Column("migrant_workers", _read_integer, None),
    _Column("role", partial(_read_choice, enum=RecruiterRole), None),
    _Column("licence", _read_optional_line, None),
    _Column("licence_country", _read_country, None),
    _Column("origin", _read_country, None),
    _Column("destination", _read_country, None),
    _Column("products", _read_products, None),
    _Column("hs_codes", _read_hs_codes, None),
    _Column("monthly_wage", _read_amount, None),
    _Column("wage_currency", _read_currency, None),
)


class _NodeFacts(NamedTuple):
    """What the rules between a node's columns look at (``_node_rules``), and nothing else: a
    file's rows are judged once per distinct combination of these, not once per row."""

    kind: NodeKind | None
    tier: int | None
    workers: int | None
    migrant_workers: int | None
    role: RecruiterRole | None
    licence: str | None
    licence_country: str | None
    origin: str | None
    destination: str | None
    monthly_wage: float | None
    wage_currency: str | None


# A row's facts, taken out of its ``_NodeValues`` tuple in C.
_node_facts = itemgetter(*(_NodeValues._fields.index(name) for name in _NodeFacts._fields))


def parse_node(raw: Mapping[str, Any], location: Location, problems: Problems) -> NodeRecord | None:
    """Validate one node row; returns None (and records why) when it cannot be used."""
    cells = _Cells(raw, location, problems)
    values = _NodeValues._make(
        cells.read(column.name, column.read, column.failed) for column in _NODE_CELLS
    )
    attributes = cells.attributes(NODE_COLUMNS)
    _node_rules(cells, _NodeFacts._make(_node_facts(values)))
    if not cells.ok:
        return None
    return _node_record(values, attributes)


def parse_node_columns(columns: Mapping[str, Sequence[str]], count: int) -> list[NodeRecord | None]:
    """Validate a whole file of node rows, column by column: ``columns`` maps each column's
    name to its ``count`` cells, as ``formats.RawTable.columns`` gives them.

    Returns each row's record, or None for a row with any problem at all: the caller runs
    ``parse_node`` on that row, which reports its problems exactly as for a single row. A row
    accepted here is one ``parse_node`` accepts, with the same record, since both read cells
    with the same functions and run the same rules between columns.
    """
    parsed, bad = _read_columns(_NODE_CELLS, columns, count)
    attributes, bad_attributes = _read_attribute_columns(columns, count, NODE_COLUMNS)
    bad |= bad_attributes
    verdict = _Verdict()
    verdicts: dict[tuple[Any, ...], bool] = {}  # facts -> whether the rules pass
    records: list[NodeRecord | None] = []
    for index, row in enumerate(zip(*parsed, strict=True)):
        if index in bad:
            records.append(None)
            continue
        facts = _node_facts(row)
        ok = verdicts.get(facts)
        if ok is None:
            verdict.ok = True
            _node_rules(verdict, _NodeFacts._make(facts))
            ok = verdicts[facts] = verdict.ok
        records.append(_node_record(row, attributes[index] if attributes else {}) if ok else None)
    return records


def _node_rules(report: _Report, facts: _NodeFacts) -> None:
    """The rules between a node's columns."""
    if facts.kind is not None:
        _node_kind_rules(
            report,
            facts.kind,
            tier=facts.tier,
            role=facts.role,
            licence=facts.licence or facts.licence_country,
            worker_group_fields=facts.origin or facts.destination,
            migrant_workers=facts.migrant_workers,
        )
    workers, migrant_workers = facts.workers, facts.migrant_workers
    if workers is not None and migrant_workers is not None and migrant_workers > workers:
        report.fail("migrant_workers", f"is more than workers ({workers})", migrant_workers)
    _wage_rules(report, facts.kind, facts.monthly_wage, facts.wage_currency)


def _node_record(values: tuple[Any, ...], attributes: dict[str, Any]) -> NodeRecord:
    """The record of a row that passed every rule: its ``_NodeValues`` are ``NodeRecord``'s
    fields in order (checked below). Positional: keywords made building 100,000 records 2.5
    times slower."""
    fields_in_order: tuple[Any, ...] = (*values, attributes)
    return NodeRecord(*fields_in_order)


WAGE_KINDS = frozenset({NodeKind.supplier, NodeKind.company, NodeKind.worker_group})


def _wage_rules(
    cells: _Report, kind: NodeKind | None, wage: float | None, currency: str | None
) -> None:
    """A wage means nothing without its currency, and only employers and worker groups pay or
    earn one."""
    if wage is not None and currency is None:
        cells.fail("wage_currency", "required with monthly_wage (e.g. MYR)")
    if currency is not None and wage is None:
        cells.fail("monthly_wage", "required with wage_currency", currency)
    if wage is not None and kind is not None and kind not in WAGE_KINDS:
        cells.fail(
            "monthly_wage", f"applies to suppliers, companies and worker groups, not a {kind.value}"
        )


def _node_kind_rules(
    cells: _Report,
    kind: NodeKind,
    *,
    tier: int | None,
    role: RecruiterRole | None,
    licence: str | None,
    worker_group_fields: str | None,
    migrant_workers: int | None,
) -> None:
    if kind == NodeKind.recruiter and role is None:
        allowed = ", ".join(r.value for r in RecruiterRole)
        cells.fail("role", f"a recruiter needs a role: one of {allowed}")
    if kind != NodeKind.recruiter:
        if role is not None:
            cells.fail("role", f"only recruiters have a role, not a {kind.value}", role.value)
        if licence:
            cells.fail("licence", f"only recruiters hold a recruitment licence, not a {kind.value}")
    if tier is not None and kind != NodeKind.supplier:
        cells.fail("tier", f"only suppliers have a tier, not a {kind.value}", tier)
    if worker_group_fields and kind != NodeKind.worker_group:
        cells.fail("origin", f"origin/destination belong to worker groups, not a {kind.value}")
    if migrant_workers is not None and kind not in (NodeKind.supplier, NodeKind.company):
        cells.fail("migrant_workers", f"applies to suppliers and companies, not a {kind.value}")


# Edges ---------------------------------------------------------------------------------------


class _EdgeValues(NamedTuple):
    """An edge row's cells once read: ``_EDGE_CELLS`` order, which is ``EdgeRecord``'s."""

    source: str
    target: str
    kind: EdgeKind | None
    origin: str | None
    destination: str | None
    workers: int | None
    share: float | None


_READ_ENDPOINT = _read_id
_READ_ENDPOINTS = _read_ids
_EDGE_CELLS = (
    _Column("source", _READ_ENDPOINT, "", _READ_ENDPOINTS),
    _Column("target", _READ_ENDPOINT, "", _READ_ENDPOINTS),
    _Column("kind", partial(_read_choice, enum=EdgeKind, required=True), None),
    _Column("origin", _read_country, None),
    _Column("destination", _read_country, None),
    _Column("workers", _read_integer, None),
    _Column("share", _read_fraction, None),
)


def parse_edge(raw: Mapping[str, Any], location: Location, problems: Problems) -> EdgeRecord | None:
    cells = _Cells(raw, location, problems)
    values = _EdgeValues._make(
        cells.read(column.name, column.read, column.failed) for column in _EDGE_CELLS
    )
    attributes = cells.attributes(EDGE_COLUMNS)
    _edge_rules(cells, values)
    if not cells.ok:
        return None
    return _edge_record(values, attributes)


def parse_edge_columns(columns: Mapping[str, Sequence[str]], count: int) -> list[EdgeRecord | None]:
    """``parse_node_columns`` for edges: a record per row, None where ``parse_edge`` must
    report the row's problems. The rules between columns run once per distinct corridor, and
    self-loops are found in one pass over the two ends."""
    parsed, bad = _read_columns(_EDGE_CELLS, columns, count)
    attributes, bad_attributes = _read_attribute_columns(columns, count, EDGE_COLUMNS)
    bad |= bad_attributes
    sources, targets = parsed[0], parsed[1]
    loops = {i for i, loop in enumerate(map(_self_loop, sources, targets)) if loop}
    verdict = _Verdict()
    corridors: dict[tuple[Any, ...], bool] = {}  # (kind, origin, destination) -> rules pass
    records: list[EdgeRecord | None] = []
    for index, row in enumerate(zip(*parsed, strict=True)):
        if index in bad or index in loops:
            records.append(None)
            continue
        corridor = _edge_corridor(row)
        ok = corridors.get(corridor)
        if ok is None:
            verdict.ok = True
            _corridor_rules(verdict, *corridor)
            ok = corridors[corridor] = verdict.ok
        records.append(_edge_record(row, attributes[index] if attributes else {}) if ok else None)
    return records


def _self_loop(source: str, target: str) -> bool:
    return bool(source) and source == target


def _edge_rules(report: _Report, values: _EdgeValues) -> None:
    """The rules between an edge's columns."""
    if _self_loop(values.source, values.target):
        report.fail("target", "an edge cannot point to its own source", values.target)
    _corridor_rules(report, values.kind, values.origin, values.destination)


# A row's (kind, origin, destination), taken out of its ``_EdgeValues`` tuple in C.
_edge_corridor = itemgetter(
    *(_EdgeValues._fields.index(name) for name in ("kind", "origin", "destination"))
)


def _corridor_rules(
    report: _Report, kind: EdgeKind | None, origin: str | None, destination: str | None
) -> None:
    if kind == EdgeKind.supplies and (origin or destination):
        report.fail("origin", "supplies edges carry goods, not a recruitment corridor")


def _edge_record(values: tuple[Any, ...], attributes: dict[str, Any]) -> EdgeRecord:
    """As ``_node_record``: ``_EdgeValues`` are ``EdgeRecord``'s fields in order."""
    fields_in_order: tuple[Any, ...] = (*values, attributes)
    return EdgeRecord(*fields_in_order)


# Both record builders pass the values positionally: a field added or moved in one tuple and
# not the other would shift every value into the wrong field.
assert [f.name for f in fields(NodeRecord)] == [*_NodeValues._fields, "attributes"]
assert [f.name for f in fields(EdgeRecord) if f.init] == [*_EdgeValues._fields, "attributes"]


# The whole network ------------------------------------------------------------------------------


@dataclass
class PlacedEdge:
    """An edge with where it came from, so problems found late still point at the right row."""

    record: EdgeRecord
    location: Location


# An edge as the whole-network rules see it: (source id, target id, kind).
Link = tuple[str, str, EdgeKind]


def check_network(
    kinds: Mapping[str, NodeKind],
    edges: Iterable[PlacedEdge],
    problems: Problems,
    *,
    node_locations: Mapping[str, Location] | None = None,
) -> None:
    """Rules that need the whole network: endpoints, kind combinations, one company, no cycles.

    ``kinds`` maps every node id of the resulting network to its kind; edges are unique by key.
    """
    placed = list(edges)
    where = node_locations or {}
    check_links(
        kinds,
        [(edge.record.source, edge.record.target, edge.record.kind) for edge in placed],
        problems,
        locate=lambda index: placed[index].location,
        locate_node=lambda ident: where.get(ident, Location()),
    )


def check_links(
    kinds: Mapping[str, NodeKind],
    links: Sequence[Link],
    problems: Problems,
    *,
    locate: Callable[[int], Location],
    locate_node: Callable[[str], Location] = lambda _ident: Location(),
) -> None:
    """``check_network`` on the edges' keys alone: ``locate(i)`` says where ``links[i]`` came
    from, and is called only for an edge with a problem, so that checking a 150,000-edge import
    builds no object per edge."""
    companies = [ident for ident, kind in kinds.items() if kind == NodeKind.company]
    if len(companies) > 1:
        problems.add(
            locate_node(companies[1]),
            "kind",
            f"a network has one buying company; found {len(companies)}: "
            + ", ".join(companies[:5]),
            companies[1],
        )

    # Per acyclic kind, its edges' ends and their indexes in ``links``.
    acyclic: dict[EdgeKind, tuple[list[tuple[str, str]], list[int]]] = {
        kind: ([], []) for kind in ACYCLIC_EDGES
    }
    for index, (source, target, kind) in enumerate(links):
        source_kind, target_kind = kinds.get(source), kinds.get(target)
        if (kind, source_kind, target_kind) not in _ALLOWED:  # one lookup for the usual edge
            _report_link(problems, locate(index), source, target, kind, source_kind, target_kind)
            continue
        same_kind = acyclic.get(kind)
        if same_kind is not None:
            same_kind[0].append((source, target))
            same_kind[1].append(index)

    for kind, (pairs, indexes) in acyclic.items():
        cycles = _cycles(pairs)
        where = dict(zip(pairs, indexes, strict=True)) if cycles else {}
        for cycle in cycles:
            first = locate(where[(cycle[0], cycle[1])])
            path = " -> ".join([*cycle, cycle[0]])
            problems.add(first, "target", f"{kind.value} edges form a cycle: {path}")
            if problems.full:
                return


# Every (edge kind, source kind, target kind) that ``EDGE_RULES`` allows.
_ALLOWED = frozenset(
    (kind, source, target)
    for kind, (sources, targets) in EDGE_RULES.items()
    for source in sources
    for target in targets
)


def _report_link(
    problems: Problems,
    location: Location,
    source: str,
    target: str,
    kind: EdgeKind,
    source_kind: NodeKind | None,
    target_kind: NodeKind | None,
) -> None:
    """Why an edge breaks the rules: an end that is not a node, or kinds it may not join."""
    if source_kind is None:
        problems.add(location, "source", "no node with this id", source)
    if target_kind is None:
        problems.add(location, "target", "no node with this id", target)
    if source_kind is None or target_kind is None:
        return
    problems.add(
        location,
        "kind",
        f"{source} is a {source_kind.value} and {target} a "
        f"{target_kind.value}: {describe_rule(kind)}",
        kind.value,
    )


def _cycles(links: Collection[tuple[str, str]]) -> list[list[str]]:
    """One representative cycle per tangle. Peeling off the edges that nothing points to,
    a layer at a time in two C-speed passes, settles the usual shallow, acyclic network; a
    linear-time topological sort orders whatever the peeling leaves (a deep chain); only what
    neither can order is handed to NetworkX to name the cycles."""
    remaining = list(links)
    while remaining:
        pointed_at = {target for _source, target in remaining}
        inner = [pair for pair in remaining if pair[0] in pointed_at]
        shallow = len(inner) * 4 <= len(remaining) * 3  # a quarter or more peeled off
        remaining = inner
        if not shallow:
            break
    successors: dict[str, list[str]] = {}
    indegree: dict[str, int] = {}
    for source, target in remaining:
        successors.setdefault(source, []).append(target)
        indegree[target] = indegree.get(target, 0) + 1
        indegree.setdefault(source, 0)
    ready = [node for node, degree in indegree.items() if degree == 0]
    while ready:
        node = ready.pop()
        for target in successors.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    tangled = {node for node, degree in indegree.items() if degree > 0}
    if not tangled:
        return []
    graph = nx.DiGraph((s, t) for s, t in links if s in tangled and t in tangled)
    cycles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        cycle = nx.find_cycle(graph.subgraph(component))
        cycles.append([u for u, _v in cycle])
        if len(cycles) >= 20:
            break
    return cycles
