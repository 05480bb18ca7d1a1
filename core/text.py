"""Text that can be shown to people and written into files without surprises.

Two failures motivate this module. One control character in a node name made every XLSX export
fail (openpyxl refuses what XML 1.0 forbids) and the GraphML export malformed; and a
right-to-left override makes ``invoice\u202efdp.exe`` display as ``invoiceexe.pdf``. So input
is checked (``line_problem`` for names and other one-line fields, ``text_problem`` for long
notes, where tabs and line breaks are legitimate), and every file writer passes text through
``xml_safe``, which also covers rows stored before these checks existed.

Decisions: names refuse every Unicode control character (C0, DEL, C1), the bidirectional
embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069), lone surrogates and
the noncharacters U+FFFE/U+FFFF. The left-to-right and right-to-left marks (U+200E, U+200F) are
allowed: Arabic and Hebrew names need them, and a mark cannot reorder the characters around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator

REPLACEMENT = "\ufffd"

# What XML 1.0 allows is Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]; everything else (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_WHITESPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_NOT_A_CHARACTER = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD.

    Replaced rather than dropped, so a reader sees that something was there; the characters
    allowed by XML (tabs, line breaks, everything printable) are kept, so exports of clean
    data still round-trip byte for byte."""
    return _NOT_XML.sub(REPLACEMENT, text) if _NOT_XML.search(text) else text


def safe_value(value: Any) -> Any:
    """A cell's value as written to a file: text made ``xml_safe``, anything else unchanged."""
    return xml_safe(value) if isinstance(value, str) else value


def _code(match: re.Match[str]) -> str:
    return f"U+{ord(match.group()):04X}"


def line_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name or other one-line field, or None when it can."""
    found = _CONTROL.search(text)
    if found:
        return f"must not contain control characters (found {_code(found)})"
    found = _BIDI_CONTROL.search(text)
    if found:
        return f"must not contain bidirectional-override characters (found {_code(found)})"
    found = _NOT_A_CHARACTER.search(text)
    if found:
        return f"must not contain non-characters (found {_code(found)})"
    return None


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a free-text note, or None: tabs and line breaks are allowed."""
    found = _CONTROL_EXCEPT_WHITESPACE.search(text)
    if found:
        return f"must not contain control characters (found {_code(found)})"
    found = _NOT_A_CHARACTER.search(text)
    if found:
        return f"must not contain non-characters (found {_code(found)})"
    return None


def value_problem(value: Any) -> str | None:
    """``text_problem`` of every string inside a JSON value (keys held to ``line_problem``):
    attributes may nest, and a nested string is written to the same files."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = line_problem(str(key)) or value_problem(item)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = value_problem(item)
            if problem:
                return problem
    return None


def _checked(check: Callable[[Any], str | None]) -> Callable[[Any], Any]:
    """A pydantic validator refusing a value for which ``check`` names a problem."""

    def validate(value: Any) -> Any:
        problem = None if value is None else check(value)
        if problem:
            raise ValueError(problem)
        return value

    return validate


# Request-body field types: a name or other one-line field, a free-text note, a JSON value.
# (A length bound on an optional field goes before the check, ``Annotated[str, Field(...),
# LINE_CHECK]``: after it, pydantic words the error about "items".)
LINE_CHECK = AfterValidator(_checked(line_problem))
TEXT_CHECK = AfterValidator(_checked(text_problem))
OneLine = Annotated[str, LINE_CHECK]
FreeText = Annotated[str, TEXT_CHECK]
JsonAttributes = Annotated[dict[str, Any], AfterValidator(_checked(value_problem))]
