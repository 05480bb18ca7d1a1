"""Cells that are safe to open in a spreadsheet, and their way back in.

A node named ``=HYPERLINK("http://evil", "click")`` must not become a live formula on an
analyst's laptop (CSV/formula injection, OWASP). Text starting with a formula trigger gets a
leading apostrophe on export, which importing strips again, so exports still round-trip.

A cell must also hold only what XML 1.0 allows: openpyxl refuses a control character with
``IllegalCharacterError``, so one such character stored before input was checked would fail
every XLSX export. ``escape_cell`` replaces them (``core.text.xml_safe``) for every writer.
"""

from __future__ import annotations

from typing import Any

from core.text import xml_safe

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    return "'" + value if value.startswith(_TRIGGERS) else value


def unescape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value
