"""Load and check the worker-information library: ``library/v<N>/corridors.yaml`` plus one
``i18n/<language>.yaml`` per language.

A worker may refuse a fee or call a number because this page said so, so a library that cites a
source it does not list, offers a number nobody checked, or leaves a language's review status
unsaid is refused at start-up rather than published. Facts may still say ``source: null``: the
page then marks them "not yet checked against a source" instead of hiding the gap.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from audit.worker_info.schemas import Library, Translation

LIBRARY_ROOT = Path(__file__).with_name("library")
CURRENT = LIBRARY_ROOT / "v1"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class LibraryError(ValueError):
    """The library file is not fit to publish; the message names the file and the entry."""


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LibraryError(f"{path.name}: cannot be read as YAML: {exc}") from exc


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _check_references(library: Library) -> None:
    for fact_id, fact in library.facts.items():
        if fact.source is not None and fact.source not in library.sources:
            raise LibraryError(
                f"corridors.yaml: fact {fact_id!r} cites unknown source {fact.source!r}"
            )
        if fact.tel and fact.source is None:
            raise LibraryError(
                f"corridors.yaml: fact {fact_id!r} offers a number to call without a source"
            )
    lists = {"general": library.general}
    lists |= {f"country {code}": c.facts for code, c in library.countries.items()}
    lists |= {f"corridor {slug}": c.facts for slug, c in library.corridors.items()}
    for where, fact_ids in lists.items():
        for fact_id in fact_ids:
            if fact_id not in library.facts:
                raise LibraryError(f"corridors.yaml: {where} lists unknown fact {fact_id!r}")
    for slug, corridor in library.corridors.items():
        if slug != f"{corridor.origin}-{corridor.destination}".lower():
            raise LibraryError(
                f"corridors.yaml: corridor {slug!r} must be named origin-destination"
            )
        for code in (corridor.origin, corridor.destination):
            if code not in library.countries:
                raise LibraryError(
                    f"corridors.yaml: corridor {slug!r} names unknown country {code}"
                )


def _check_translation(library: Library, translation: Translation, english: Translation) -> None:
    name = f"i18n/{translation.language}.yaml"
    is_source = translation.language == library.source_language
    if (translation.review.status == "source") != is_source:
        raise LibraryError(
            f"{name}: review status 'source' belongs to the source language "
            f"({library.source_language}) alone; others are 'reviewed' or 'machine-draft'"
        )
    checks = (
        ("facts", translation.facts, {k: f.text for k, f in library.facts.items()}),
        ("messages", translation.messages, english.messages),
        ("countries", translation.countries, {k: c.name for k, c in library.countries.items()}),
    )
    for part, texts, originals in checks:
        for key, text in texts.items():
            if key not in originals:
                raise LibraryError(f"{name}: {part} has {key!r}, which the source does not")
            if _placeholders(text) != _placeholders(originals[key]):
                raise LibraryError(f"{name}: {part} {key!r} must keep the source's placeholders")


def load_library(directory: Path = CURRENT) -> Library:
    """The library in ``directory``, checked; raises ``LibraryError`` naming what is wrong."""
    data = _read(directory / "corridors.yaml")
    if not isinstance(data, dict):
        raise LibraryError("corridors.yaml: must be a mapping")
    translations: dict[str, Any] = {}
    for path in sorted((directory / "i18n").glob("*.yaml")):
        entry = _read(path)
        if not isinstance(entry, dict) or entry.get("language") != path.stem:
            raise LibraryError(f"i18n/{path.name}: needs 'language: {path.stem}'")
        translations[path.stem] = entry
    try:
        library = Library.model_validate({**data, "translations": translations})
    except ValidationError as exc:
        raise LibraryError(f"{directory.name}: {exc}") from exc
    _check_references(library)
    english = library.translations.get(library.source_language)
    if english is None:
        raise LibraryError(f"i18n/{library.source_language}.yaml: the source language is missing")
    for translation in library.translations.values():
        _check_translation(library, translation, english)
    return library


@cache
def shipped_library() -> Library:
    """The published library, read once per process (it ships with the code)."""
    return load_library()
