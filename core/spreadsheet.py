"""Cells that are safe to open in a spreadsheet, and their way back in.

A node named ``=HYPERLINK("http://evil", "click")`` must not become a live formula on an
analyst's laptop (CSV/formula injection, OWASP). Text starting with a formula trigger gets a
leading apostrophe on export, which importing strips again, so exports still round-trip.
"""

from __future__ import annotations

from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value
