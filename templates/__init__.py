"""Jinja2 templates for the HTML report and the web pages, with autoescaping always on.

Names in a network come from user input (CSV files, the API); autoescaping guarantees that a
node called ``<script>`` is shown as text and never becomes markup.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATE_DIR = Path(__file__).parent
STATIC_DIR = TEMPLATE_DIR / "static"


# The dashboard and the HTML report are in English; their numbers and counted nouns follow CLDR's
# English rules through Babel (the respondent pages use core.numbers for their six languages;
# this package imports nothing of Fairpath, so it asks Babel itself).
_ENGLISH = Locale.parse("en")


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_ENGLISH)


def _counted(value: float | int, one: str, other: str) -> str:
    """``{{ n | counted("node", "nodes") }}``: "1 node", "1,234 nodes"."""
    word = one if _ENGLISH.plural_form(value) == "one" else other
    return f"{_number(value, 0 if float(value).is_integer() else 1)} {word}"


def _plural(value: float | int, one: str, other: str) -> str:
    """``{{ n | plural("finding", "findings") }}``: the noun alone, in the form for ``n``."""
    return one if _ENGLISH.plural_form(value) == "one" else other


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = _number
    env.filters["counted"] = _counted
    env.filters["plural"] = _plural
    env.filters["label"] = _label
    return env
