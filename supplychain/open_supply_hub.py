"""Open Supply Hub facility lists, read as supplier nodes.

An Open Supply Hub (OS Hub) download lists production locations, one a row, under headers
such as ``os_id``, ``contributor (list)``, ``name``, ``address``, ``country_code``,
``country_name``, ``lat``, ``lng``, ``sector``, ``number_of_workers``, ``parent_company``,
``facility_type``, ``processing_type``, ``product_type`` and ``is_closed``. Such a file is
recognised by its header (``is_facility_list``) while it is read, and each row becomes a
supplier node (``facility_rows``) before the usual rules check it, so a facility list and a
Fairpath nodes file are held to exactly the same rules afterwards.

How a facility becomes a node, and why:

- ``id`` is the OS ID: the one stable identifier in the file, so importing a newer download of
  the same list updates the same nodes instead of adding copies. The OS ID is also kept as the
  attribute ``os_id``, where a Fairpath nodes file with an ``os_id`` column keeps it too, and
  where it stays if the node's id is later changed to an in-house one.
- ``country`` from ``country_code`` (ISO alpha-2), else from ``country_name`` (or a plain
  ``country`` column) through ``supplychain.countries``; a value that is no country is a
  problem naming the row and that column, never a guess.
- ``workers`` only when OS Hub gives one number. OS Hub mostly gives a band ("1001-5000") or
  nothing; a band is kept as given in the attribute ``number_of_workers`` and ``workers`` stays
  unknown: a midpoint would be invented and 0 would say "no workers", which scoring would read
  as no one exposed.
- ``sector`` when OS Hub's sector matches one of Fairpath's (Apparel is garments); the sector
  as OS Hub wrote it is kept in ``osh_sector`` whenever it is not exactly that.
- ``products`` from ``product_type`` (sector risk is matched to the goods list by product).
- ``parent_company`` and every other column are kept as attributes under their own names.

An OS Hub list says which facilities a contributor works with, not who supplies whom, so it
brings nodes only and no edges (see the README): linking every facility to the company would
declare each one tier 1, and the tiers computed from the graph would then be wrong.

Pure: no database, no file reading (``supplychain.uploads`` applies it to what was read).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.problems import Location, Problems
from supplychain.countries import resolve_country

RawRow = dict[str, Any]

OS_ID = "os_id"
COUNTRY_COLUMNS = ("country_code", "country", "country_name")  # the order they are tried in
# Columns turned into node fields; every other column becomes an attribute of its own name.
_USED = frozenset({OS_ID, "name", "sector", "number_of_workers", "product_type", *COUNTRY_COLUMNS})
_ATTRIBUTE_NAMES = {"contributor_(list)": "contributors", "contributor": "contributors"}
MAX_ATTRIBUTE_LENGTH = 2000  # as ``supplychain.rules``: a longer value is cut, not refused

# OS Hub's sector names (normalised) that say what one of Fairpath's sectors says.
_SECTORS = {
    "apparel": "garments",
    "garments": "garments",
    "apparel_accessories": "garments",
    "footwear": "manufacturing",
    "textiles": "textiles",
    "home_textiles": "textiles",
    "agriculture": "agriculture",
    "farming": "agriculture",
    "electronics": "electronics",
    "fishing": "fishing",
    "aquaculture": "fishing",
    "seafood": "seafood_processing",
    "seafood_processing": "seafood_processing",
    "mining": "mining",
    "construction": "construction",
    "logistics": "logistics",
    "warehousing": "logistics",
    "hospitality": "hospitality",
    "manufacturing": "manufacturing",
    "palm_oil": "palm_oil",
}
_LIST_SEPARATORS = re.compile(r"\s*[|;,]\s*")
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")
_RANGE = re.compile(r"^(\d[\d,]*)\s*(?:-|\u2013|\u2014|to)\s*(\d[\d,]*)$")


def is_facility_list(header: Sequence[str]) -> bool:
    """An OS Hub download: an OS ID, a name and a country column, and not a Fairpath nodes file
    (one with ``id`` and ``kind`` keeps ``os_id`` as an ordinary attribute)."""
    columns = set(header)
    return (
        OS_ID in columns
        and "name" in columns
        and bool(columns & set(COUNTRY_COLUMNS))
        and not {"id", "kind"} & columns
    )


def renamed_columns(header: Sequence[str]) -> dict[str, str]:
    """Node columns -> the facility list's columns they come from, so that a problem the rules
    find in ``id`` is reported in ``os_id``, where the user can find it."""
    country = next((c for c in COUNTRY_COLUMNS if c in header), "country")
    return {"id": OS_ID, "country": country, "products": "product_type"}


def facility_rows(
    rows: Sequence[tuple[RawRow, Location]], problems: Problems
) -> list[tuple[RawRow, Location]]:
    """Each facility as a supplier node's row, at its place in the file; a row whose country
    cannot be read is reported (row and column) and left out."""
    result: list[tuple[RawRow, Location]] = []
    for row, location in rows:
        node = facility_node(row, location, problems)
        if node is not None:
            result.append((node, location))
    return result


def facility_node(row: Mapping[str, Any], location: Location, problems: Problems) -> RawRow | None:
    os_id = _text(row.get(OS_ID))
    country = _country(row, location, problems)
    if country is None:
        return None
    node: RawRow = {"id": os_id, "kind": "supplier", "name": row.get("name"), "country": country}
    attributes: RawRow = {OS_ID: os_id} if os_id else {}
    workers, band = workers_of(row.get("number_of_workers"))
    if workers is not None:
        node["workers"] = workers
    if band:
        attributes["number_of_workers"] = band
    sector_text = _text(row.get("sector"))
    sector = sector_of(sector_text)
    if sector:
        node["sector"] = sector
    if sector_text and sector_text.lower() != sector:
        attributes["osh_sector"] = sector_text
    products = _items(row.get("product_type"))
    if products:
        node["products"] = "; ".join(products)
    for column, value in row.items():
        if column in _USED or not column or _text(value) == "":
            continue
        attributes[_ATTRIBUTE_NAMES.get(column, column)] = _attribute(value)
    node.update(attributes)
    return node


def _country(row: Mapping[str, Any], location: Location, problems: Problems) -> str | None:
    """The facility's alpha-2 code: "" when the row gives none (the rules report the empty
    required cell), None after reporting a value that is no country."""
    given = [(column, _text(row.get(column))) for column in COUNTRY_COLUMNS if column in row]
    given = [(column, value) for column, value in given if value]
    for _column, value in given:
        code = resolve_country(value)
        if code:
            return code
    if not given:
        return ""
    column, value = given[0]
    problems.add(
        location,
        column,
        "unknown country: use an ISO 3166-1 code (TH, THA) or English name (Thailand)",
        value,
    )
    return None


def workers_of(value: Any) -> tuple[int | None, str | None]:
    """OS Hub's ``number_of_workers`` as (exact count, band kept as given): "500" is a count;
    "1001-5000", "Less than 1000" or several contributors' differing answers are a band, and
    the count stays unknown; blank is unknown and no band."""
    if isinstance(value, bool):
        return None, str(value)
    if isinstance(value, int):
        return value, None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    text = _text(value)
    if not text:
        return None, None
    answers = set(_LIST_SEPARATORS.split(text)) if "|" in text or ";" in text else {text}
    if len(answers) == 1:
        (answer,) = answers
        if _NUMBER.match(answer):
            return int(answer.replace(",", "")), None
        band = _RANGE.match(answer)
        if band and band.group(1).replace(",", "") == band.group(2).replace(",", ""):
            return int(band.group(1).replace(",", "")), None
    return None, text


def sector_of(text: str) -> str | None:
    """The first of OS Hub's sectors (they may be listed, "Apparel|Textiles") that is one of
    Fairpath's; None when none is (the text is then kept as an attribute)."""
    for item in _items(text):
        key = item.lower().replace(" ", "_").replace("-", "_").replace("&", "and")
        if key in _SECTORS:
            return _SECTORS[key]
    return None


def _items(value: Any) -> list[str]:
    text = _text(value)
    return list(dict.fromkeys(i for i in _LIST_SEPARATORS.split(text) if i)) if text else []


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _attribute(value: Any) -> Any:
    """A cell kept as an attribute; a contributor list past the attribute limit is cut (with a
    mark) rather than refusing a facility OS Hub itself lists."""
    if isinstance(value, str) and len(value.strip()) > MAX_ATTRIBUTE_LENGTH:
        mark = " … (cut)"
        return value.strip()[: MAX_ATTRIBUTE_LENGTH - len(mark)] + mark
    return value
