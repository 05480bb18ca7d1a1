"""The principles and indicators questions are tagged with, read from ``standards.yaml``.

The file is a copy of the sourced list in the shared reference data; keeping it beside the code
means a question tag can be checked against a real code without any network access.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

STANDARDS_FILE = Path(__file__).with_name("standards.yaml")

# Tag prefix used in questionnaires -> standard id in standards.yaml.
TAG_PREFIXES: dict[str, str] = {
    "iris": "iris",
    "ilo-gp": "ilo-fair-recruitment",
    "ilo-fl": "ilo-forced-labour-indicators",
    "ilo-fees": "ilo-recruitment-fees",
    "epp": "employer-pays",
    "crest": "crest",
}


@dataclass(frozen=True)
class Principle:
    """One principle or indicator, addressed by its tag, e.g. ``iris:1`` or ``ilo-fl:FL7``."""

    tag: str
    standard_id: str
    standard_name: str
    code: str
    title: str
    summary: str

    @property
    def label(self) -> str:
        prefix = self.tag.split(":", 1)[0]
        short = {"iris": "IRIS", "epp": "EPP", "crest": "CREST"}.get(prefix, "ILO")
        lead = "" if short == self.code else f"{short} "  # "EPP: ...", not "EPP EPP: ..."
        return f"{lead}{self.code}: {self.title}"


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    version: str
    source_title: str
    source_url: str


@cache
def _load() -> tuple[dict[str, Standard], dict[str, Principle]]:
    document = yaml.safe_load(STANDARDS_FILE.read_text(encoding="utf-8"))
    standards: dict[str, Standard] = {}
    principles: dict[str, Principle] = {}
    prefix_of = {standard_id: prefix for prefix, standard_id in TAG_PREFIXES.items()}
    for entry in document["standards"]:
        standard = Standard(
            id=entry["id"],
            name=entry["name"],
            version=str(entry.get("version", "")),
            source_title=entry.get("source_title", ""),
            source_url=entry.get("source_url", ""),
        )
        standards[standard.id] = standard
        prefix = prefix_of[standard.id]
        for item in entry["items"]:
            tag = f"{prefix}:{item['code']}"
            principles[tag] = Principle(
                tag=tag,
                standard_id=standard.id,
                standard_name=standard.name,
                code=str(item["code"]),
                title=item["title"],
                summary=item.get("summary", ""),
            )
    return standards, principles


def standards() -> dict[str, Standard]:
    return _load()[0]


def principles() -> dict[str, Principle]:
    """Every known tag, in the order of the standards file."""
    return _load()[1]


def principle(tag: str) -> Principle:
    return principles()[tag]


def tags_of(prefix: str) -> list[str]:
    """All tags of one standard, e.g. ``tags_of("iris")`` -> ``["iris:A", ..., "iris:5"]``."""
    return [tag for tag in principles() if tag.split(":", 1)[0] == prefix]
