"""The library turned into one corridor's page in one language.

English is the source: a message or a fact not yet translated is shown in English and marked,
never dropped, because a worker is better served by an English sentence than by a gap. Sources
are numbered in the order the page first cites them, and worker-paid costs from the scoring
reference data bring their own source, year and quality, as everywhere else in the product.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from audit.worker_info.schemas import (
    TOPICS,
    CorridorLink,
    CostView,
    FactView,
    LanguageLink,
    Library,
    PageView,
    Quality,
    SectionView,
    Source,
    SourceView,
    Translation,
)
from core import numbers
from scoring.reference import CorridorCost, shipped_reference

# The six languages of the respondent form, in its order; any other language follows.
LANGUAGE_ORDER = ("en", "my", "th", "bn", "ne", "id")
REFERENCE_PUBLISHER = "Fairpath reference data (scoring/data/corridor_costs.csv)"
QUALITIES: tuple[Quality, ...] = ("primary", "secondary", "mirror")


class Words:
    """The page's own messages in one language, English where a translation lacks a key; a key
    missing from English is a programming error and raises, so a typo fails a test."""

    def __init__(self, library: Library, language: str) -> None:
        self.language = language if language in library.translations else library.source_language
        self._own = library.translations[self.language]
        self._source = library.translations[library.source_language]
        self._library = library

    def text(self, key: str, **params: str) -> str:
        if key not in self._source.messages:
            raise KeyError(f"no message {key!r} in {self._source.language}.yaml")
        return self._own.messages.get(key, self._source.messages[key]).format(**params)

    def has(self, key: str) -> bool:
        return key in self._source.messages

    def source(self, key: str, **params: str) -> str:
        """The English original, for the notice about the translation itself."""
        return self._source.messages[key].format(**params)

    def country(self, code: str) -> str:
        return self._own.countries.get(code) or self._library.countries[code].name

    __call__ = text


def languages(library: Library) -> list[Translation]:
    """The library's languages, the respondent form's six first, in its order."""
    rank = {code: i for i, code in enumerate(LANGUAGE_ORDER)}
    return sorted(
        library.translations.values(), key=lambda t: (rank.get(t.language, 99), t.language)
    )


def language_links(library: Library, current: str) -> list[LanguageLink]:
    """The switcher: every language by its own name, the page's marked as current."""
    return [
        LanguageLink(language=t.language, name=t.language_name, current=t.language == current)
        for t in languages(library)
    ]


def corridor_links(library: Library, words: Words) -> list[CorridorLink]:
    return [
        CorridorLink(
            slug=slug, origin=words.country(c.origin), destination=words.country(c.destination)
        )
        for slug, c in library.corridors.items()
    ]


class _Citations:
    """Sources numbered in the order the page cites them, each listed once."""

    def __init__(self) -> None:
        self.views: dict[str, SourceView] = {}

    def number(self, key: str, source: Source) -> int:
        if key not in self.views:
            self.views[key] = SourceView(
                id=key,
                number=len(self.views) + 1,
                title=source.title,
                publisher=source.publisher,
                year=source.year,
                url=source.url,
                host=urlsplit(source.url).netloc.removeprefix("www."),
                quality=source.quality,
            )
        return self.views[key].number


def _amount(cost: CorridorCost, words: Words) -> str | None:
    lang = words.language
    if cost.cost_usd is not None:
        return f"USD {numbers.format_decimal(round(cost.cost_usd), lang)}"
    if cost.local_amount is not None and cost.local_currency:
        return f"{cost.local_currency} {numbers.format_decimal(round(cost.local_amount), lang)}"
    if cost.months_of_earnings is not None:
        return words("costs.months", months=numbers.format_decimal(cost.months_of_earnings, lang))
    return None


def _costs(origin: str, destination: str, words: Words, cite: _Citations) -> list[CostView]:
    views = []
    for cost in shipped_reference().costs(origin, destination):
        amount = _amount(cost, words)
        if amount is None:
            continue
        quality = cost.source_quality if cost.source_quality in QUALITIES else "secondary"
        source = Source(
            title=cost.source_title,
            publisher=REFERENCE_PUBLISHER,
            year=cost.survey_year,
            url=cost.source_url,
            quality=quality,
        )
        statistic = f"costs.statistic.{cost.statistic}"
        views.append(
            CostView(
                amount=amount,
                statistic=words(statistic) if words.has(statistic) else cost.statistic,
                year=cost.survey_year,
                estimate=cost.is_estimate,
                source_number=cite.number(f"ref-{cost.source_url}", source),
            )
        )
    return views


def page(
    library: Library, slug: str, language: str, *, requested_language: str | None = None
) -> PageView:
    """One corridor's page; ``slug`` must be a corridor of the library (KeyError otherwise)."""
    corridor = library.corridors[slug]
    words = Words(library, language)
    own = library.translations[words.language]
    cite = _Citations()
    fact_ids = [
        *library.general,
        *library.countries[corridor.origin].facts,
        *library.countries[corridor.destination].facts,
        *corridor.facts,
    ]
    facts: list[FactView] = []
    for fact_id in dict.fromkeys(fact_ids):  # once each, in order
        fact = library.facts[fact_id]
        translated = words.language == library.source_language or fact_id in own.facts
        number = (
            None if fact.source is None else cite.number(fact.source, library.sources[fact.source])
        )
        facts.append(
            FactView(
                id=fact_id,
                text=own.facts.get(fact_id, fact.text),
                language=words.language if translated else library.source_language,
                translated=translated,
                source_number=number,
                tel=fact.tel if number is not None else None,
                url=fact.url,
            )
        )
    topic_of = {fact_id: library.facts[fact_id].topic for fact_id in fact_ids}
    sections = tuple(
        SectionView(topic=topic, facts=tuple(f for f in facts if topic_of[f.id] == topic))
        for topic in TOPICS
    )
    costs = _costs(corridor.origin, corridor.destination, words, cite)
    return PageView(
        slug=slug,
        language=words.language,
        requested_language=requested_language,
        origin=words.country(corridor.origin),
        destination=words.country(corridor.destination),
        machine_draft=own.review.status == "machine-draft",
        untranslated=any(not f.translated for f in facts),
        unsourced=any(f.source_number is None for f in facts),
        sections=sections,
        costs=tuple(costs),
        sources=tuple(sorted(cite.views.values(), key=lambda s: s.number)),
        languages=tuple(language_links(library, words.language)),
        library_version=library.version,
        updated=library.updated,
    )
