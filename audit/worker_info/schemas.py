"""The shape of the worker-information library and of a page built from it.

The library is published to workers who may act on it (refuse a fee, ask for their passport
back, call a hotline), so its shape makes the honest thing the easy thing: a fact names the
source it was checked against or says ``source: null``; a translation says whether a person has
reviewed it. The loader (``library.py``) checks the cross-references these models cannot.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Topic = Literal["rights", "fees", "documents", "contract", "help"]
TOPICS: tuple[Topic, ...] = ("rights", "fees", "documents", "contract", "help")
Quality = Literal["primary", "secondary", "mirror"]
ReviewStatus = Literal["source", "reviewed", "machine-draft"]
SLUG = r"^[a-z]{2}-[a-z]{2}$"
ISO2 = r"^[A-Z]{2}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where a fact was read; ``quality`` uses the labels of the reference data (SOURCES.md)."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str = Field(pattern=r"^https?://")
    quality: Quality
    note: str = ""


class Fact(_Strict):
    """One sentence or two a worker can rely on. ``tel``/``url`` make it a help channel; a
    number is only offered as a tap-to-call link when the fact is sourced (checked on load)."""

    topic: Topic
    text: str = Field(min_length=1)
    source: str | None
    tel: str | None = Field(default=None, pattern=r"^\+?[0-9]{3,15}$")
    url: str | None = Field(default=None, pattern=r"^https?://")


class Country(_Strict):
    name: str = Field(min_length=1)
    facts: tuple[str, ...] = ()


class Corridor(_Strict):
    origin: str = Field(pattern=ISO2)
    destination: str = Field(pattern=ISO2)
    facts: tuple[str, ...] = ()  # about this pair only (e.g. a bilateral agreement)


class Review(_Strict):
    """Who vouches for a language's words: the source text itself, a named reviewer on a date,
    or nobody yet (a machine-assisted draft, which the page says in so many words)."""

    status: ReviewStatus
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    note: str = ""

    @model_validator(mode="after")
    def _reviewed_names_who_and_when(self) -> Review:
        if self.status == "reviewed" and not (self.reviewer and self.reviewed_on):
            raise ValueError(
                "a reviewed translation needs a reviewer and a date (reviewer, reviewed_on)"
            )
        return self


class Translation(_Strict):
    """One language's words: the page's own messages, the facts' texts and country names.
    Anything missing falls back to the English source, marked as such on the page."""

    language: str = Field(pattern=r"^[a-z]{2,3}$")
    language_name: str = Field(min_length=1)
    review: Review
    messages: dict[str, str] = {}
    facts: dict[str, str] = {}
    countries: dict[str, str] = {}


class Library(_Strict):
    version: int = Field(ge=1)
    updated: dt.date
    source_language: str
    sources: dict[str, Source]
    facts: dict[str, Fact]
    general: tuple[str, ...]  # facts that hold on every corridor
    countries: dict[str, Country]
    corridors: dict[str, Corridor]
    translations: dict[str, Translation] = {}


# The page, as the template receives it ----------------------------------------------------


class SourceView(_Strict):
    id: str
    number: int
    title: str
    publisher: str
    year: int | None
    url: str
    host: str
    quality: Quality


class FactView(_Strict):
    id: str
    text: str
    language: str  # the language the text is actually in (English when not yet translated)
    translated: bool
    source_number: int | None  # None: not yet checked against a source
    tel: str | None
    url: str | None


class CostView(_Strict):
    """A worker-paid cost from the scoring reference data: what others were charged."""

    amount: str
    statistic: str
    year: int | None
    estimate: bool
    source_number: int


class SectionView(_Strict):
    topic: Topic
    facts: tuple[FactView, ...]


class LanguageLink(_Strict):
    language: str
    name: str
    current: bool


class CorridorLink(_Strict):
    slug: str
    origin: str
    destination: str


class PageView(_Strict):
    slug: str
    language: str
    requested_language: str | None  # an unknown ?lang= value, to say it is not available
    origin: str
    destination: str
    machine_draft: bool
    untranslated: bool
    unsourced: bool
    sections: tuple[SectionView, ...]
    costs: tuple[CostView, ...]
    sources: tuple[SourceView, ...]
    languages: tuple[LanguageLink, ...]
    library_version: int
    updated: dt.date
