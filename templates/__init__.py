"""Jinja2 templates for the HTML report and the web pages, with autoescaping always on.

Names in a network come from user input (CSV files, the API); autoescaping guarantees that a
node called ``<script>`` is shown as text and never becomes markup.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATE_DIR = Path(__file__).parent
STATIC_DIR = TEMPLATE_DIR / "static"


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


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
    env.filters["label"] = _label
    return env
