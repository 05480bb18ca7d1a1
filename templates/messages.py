"""The respondent pages' own words ("chrome"), in the respondent's language.

The questionnaire brings its translations; the headings, buttons, notices and error texts around
it come from one YAML catalogue per language in ``templates/respond/messages/``. English is the
source: every key must exist there, and a key missing from another catalogue falls back to
English so that a half-finished translation never breaks a page. A key missing from English is a
programming error and raises, so a typo fails a test instead of showing a raw key to a worker.

Placeholders are ``{name}``. An ``int`` parameter is a count and is written as the language
writes numbers (CLDR through ``core.numbers``: its grouping, and the catalogue's digits, e.g.
Devanagari for Nepali); pass a ``str`` to keep digits as they are, as for a number the respondent
must type into a field that only takes 0-9.

A counted phrase is a mapping of CLDR plural categories to texts (``one``/``other`` in English;
only ``other`` in Burmese, Thai and Indonesian, which do not inflect for number; Bengali ``one``
covers 0 as well as 1). ``plural`` picks the category by the language's CLDR rules; a translation
without that category falls back to the English text, chosen by the English rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup, escape

from core import numbers
from templates import TEMPLATE_DIR

CATALOGUE_DIR = TEMPLATE_DIR / "respond" / "messages"
SOURCE = "en"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
LATIN_DIGITS = "0123456789"
REVIEWED_STATUSES = frozenset({"source", "reviewed_by_native_speaker"})
_LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


@dataclass(frozen=True)
class Catalogue:
    language: str
    review_status: str
    digits: str
    messages: Mapping[str, str]
    plurals: Mapping[str, Mapping[str, str]]  # key -> CLDR category -> text


def _is_text_map(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _load(path: Path) -> Catalogue:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data["messages"]
    messages = {k: v for k, v in entries.items() if isinstance(v, str)}
    plurals = {k: v for k, v in entries.items() if _is_text_map(v)}
    if len(messages) + len(plurals) != len(entries) or not all(isinstance(k, str) for k in entries):
        raise ValueError(
            f"{path.name}: every message must be a string, or a mapping of plural categories to "
            "strings"
        )
    digits = str(data.get("digits") or LATIN_DIGITS)
    if len(digits) != 10 or data["language"] != path.stem:
        raise ValueError(f"{path.name}: needs 'language: {path.stem}' and ten digits")
    return Catalogue(data["language"], data["review_status"], digits, messages, plurals)


@cache
def catalogues() -> dict[str, Catalogue]:
    """Every catalogue, read once per process (the files ship with the code)."""
    return {path.stem: _load(path) for path in sorted(CATALOGUE_DIR.glob("*.yaml"))}


def reviewed(language: str | None) -> bool:
    """Whether the page's words in this language are the source or checked by a native speaker
    (a language without a catalogue is shown in English, the source)."""
    status = catalogues()[pick(language)].review_status
    return status in REVIEWED_STATUSES


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def negotiate(accept_language: str | None) -> str:
    """The supported language an ``Accept-Language`` header prefers most, else English."""
    best, best_q = SOURCE, 0.0
    for part in (accept_language or "").split(","):
        match = _LANGUAGE_RANGE.match(part)
        if not match:
            continue
        code = match.group(1).lower()
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if code in catalogues() and q > best_q:
            best, best_q = code, q
    return best


def pick(*candidates: str | None) -> str:
    """The first candidate with a catalogue; English when none has one."""
    return next((c for c in candidates if c and c in catalogues()), SOURCE)


class Translator:
    """Messages of one language; templates call it as ``t("key", name=value)``."""

    def __init__(self, language: str) -> None:
        self.language = pick(language)
        self._catalogue = catalogues()[self.language]
        self._source = catalogues()[SOURCE]
        self._digits = str.maketrans(LATIN_DIGITS, self._catalogue.digits)

    def _raw(self, key: str) -> str:
        if key not in self._source.messages:
            hint = "; it is a counted phrase: use plural()" if key in self._source.plurals else ""
            raise KeyError(f"no message {key!r} in {SOURCE}.yaml{hint}")
        return self._catalogue.messages.get(key, self._source.messages[key])

    def _raw_plural(self, key: str, count: int) -> str:
        source = self._source.plurals.get(key)
        if source is None:
            raise KeyError(f"no counted phrase {key!r} in {SOURCE}.yaml")
        own = self._catalogue.plurals.get(key, {})
        category = numbers.plural_category(self.language, count)
        if category in own:
            return own[category]
        # English words need the English form ("1 answer", "0 answers").
        return source.get(numbers.plural_category(SOURCE, count), source["other"])

    def _value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return value

    def _parts(self, key: str, params: dict[str, Any], text: str | None = None) -> list[Any]:
        """The message split at its placeholders, each placeholder replaced by its value."""
        raw = self._raw(key) if text is None else text
        pieces = PLACEHOLDER.split(raw)  # text, name, text, name, ..., text
        for i in range(1, len(pieces), 2):
            if pieces[i] not in params:
                raise KeyError(f"message {key!r} needs the parameter {pieces[i]!r}")
            pieces[i] = self._value(params[pieces[i]])
        return pieces

    def text(self, key: str, **params: Any) -> str:
        """Plain text, for JSON answers and the script's messages."""
        return "".join(str(piece) for piece in self._parts(key, params))

    def __call__(self, key: str, **params: Any) -> Markup:
        """Escaped for HTML; a ``Markup`` parameter (e.g. ``<b>name</b>``) is kept as markup."""
        return Markup("").join(escape(piece) for piece in self._parts(key, params))

    def plural(self, key: str, count: int, **params: Any) -> Markup:
        """The form of a counted phrase this language uses for ``count`` (CLDR plural rules),
        with ``{count}`` available."""
        pieces = self._parts(key, {"count": count, **params}, self._raw_plural(key, count))
        return Markup("").join(escape(piece) for piece in pieces)

    def number(self, value: int | float, places: int | None = None) -> str:
        """A number as this language writes it: CLDR grouping and separators (``12.345,5`` in
        Indonesian, ``12,34,567`` in Nepali) in the catalogue's digits."""
        return numbers.format_decimal(value, self.language, places=places).translate(self._digits)

    def date(self, value: date) -> str:
        """A date in running text as this language writes it, in the catalogue's digits."""
        return numbers.format_date(value, self.language).translate(self._digits)

    def percent(self, fraction: float) -> str:
        """A fraction (0.25) as this language writes a percentage, in the catalogue's digits."""
        return numbers.format_percent(fraction, self.language).translate(self._digits)

    def source(self, key: str, **params: Any) -> Markup:
        """The English source, for a notice about the translation itself."""
        return translator(SOURCE)(key, **params)

    def bundle(self, prefix: str) -> dict[str, str]:
        """Unformatted messages under a prefix, for the page's script to fill in."""
        return {k: self._raw(k) for k in self._source.messages if k.startswith(prefix)}


def translator(language: str | None) -> Translator:
    """The translator of a language, English when it has no catalogue."""
    return _translator(pick(language))


@cache
def _translator(language: str) -> Translator:
    return Translator(language)
