"""Numbers and plural forms as each language writes them, from CLDR (through Babel).

Hand-written rules ("one" for exactly 1, commas every three digits) are English: Bengali puts 0
in the same plural form as 1, Burmese, Thai and Indonesian do not inflect for number at all,
Indonesian groups with dots, and Bengali and Nepali group in lakhs (12,34,567). The respondent
pages, the dashboard, the reports and the CLI all format through here so that they agree.

Babel formats with the locale's separators and grouping but always with Latin digits, even for a
locale whose CLDR default numbering system is another script (``bn``: ``beng``, ``ne``:
``deva``, ``my``: ``mymr``); ``native_digits`` writes the result in that system's digits, which
is how counts appear on the respondent pages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

Number = int | float | Decimal
LATIN_DIGITS = "0123456789"
FALLBACK_LOCALE = "en"
# CLDR numbering systems by the Unicode script whose digits they use (CLDR numberingSystems.xml);
# Babel ships the system's name per locale, not its digits.
_SCRIPT_OF_SYSTEM = {
    "beng": "BENGALI",
    "deva": "DEVANAGARI",
    "mymr": "MYANMAR",
    "thai": "THAI",
    "khmr": "KHMER",
    "laoo": "LAO",
    "arab": "ARABIC-INDIC",
    "arabext": "EXTENDED ARABIC-INDIC",
    "tamldec": "TAMIL",
    "guru": "GURMUKHI",
    "gujr": "GUJARATI",
    "orya": "ORIYA",
    "telu": "TELUGU",
    "knda": "KANNADA",
    "mlym": "MALAYALAM",
    "tibt": "TIBETAN",
}
_DIGIT_NAMES = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")


@cache
def locale(language: str | None) -> Locale:
    """The CLDR locale of a language tag (``ne``, ``pt-BR``, ``en_GB``); English when Babel
    does not know it, so that a page in an unlisted language still shows numbers."""
    try:
        return Locale.parse((language or FALLBACK_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def plural_category(language: str | None, count: Number) -> str:
    """The CLDR plural category of ``count`` in this language: ``zero``, ``one``, ``two``,
    ``few``, ``many`` or ``other`` (``bn``: ``one`` for 0 and 1; ``th``: always ``other``)."""
    return str(locale(language).plural_form(count))


def plural_word(count: Number, one: str, other: str, language: str | None = None) -> str:
    """``one`` or ``other`` for ``count`` by the language's CLDR rule, for the product's own
    English texts (messages, the CLI, the dashboard) that name a count: ``1 node``,
    ``0 nodes``, ``1.5 nodes`` (CLDR English: only an integer 1 is "one")."""
    return one if plural_category(language, count) == "one" else other


def counted(count: Number, one: str, other: str, language: str | None = None) -> str:
    """``count`` formatted for the language (``1,234``) with its noun in the right form."""
    return f"{format_decimal(count, language)} {plural_word(count, one, other, language)}"


def plural_categories(language: str | None) -> frozenset[str]:
    """The categories a plural message needs in this language: those its CLDR rules name, and
    always ``other``."""
    return frozenset(locale(language).plural_form.tags) | {"other"}


def numbering_system(language: str | None) -> str:
    """The CLDR default numbering system of the language (``latn``, ``beng``, ``deva``...)."""
    return str(locale(language).default_numbering_system)


@cache
def digits(language: str | None) -> str:
    """The ten digits of the language's default numbering system, zero first."""
    system = numbering_system(language)
    script = _SCRIPT_OF_SYSTEM.get(system)
    if script is None:  # latn, or a system this table does not know: Latin digits
        return LATIN_DIGITS
    return "".join(unicodedata.lookup(f"{script} DIGIT {name}") for name in _DIGIT_NAMES)


def _written(text: str, language: str | None, native_digits: bool) -> str:
    if not native_digits:
        return text
    return text.translate(str.maketrans(LATIN_DIGITS, digits(language)))


def format_decimal(
    number: Number, language: str | None, *, native_digits: bool = False, places: int | None = None
) -> str:
    """``12345.5`` as the language writes it: ``12,345.5`` (en), ``12.345,5`` (id),
    ``12,345.5`` (bn, lakh grouping from a lakh on), ``১২,৩৪৫.৫`` (bn, ``native_digits``).
    ``places`` fixes the number of decimals (``None``: as many as the number has, up to 3)."""
    where = locale(language)
    pattern = None
    if places is not None:  # the locale's own grouping (lakhs in bn), with these decimals
        grouping = where.decimal_formats[None].pattern.split(";")[0].split(".")[0]
        pattern = grouping + ("." + "0" * places if places else "")
    text = babel_numbers.format_decimal(
        number, format=pattern, locale=where, numbering_system="default"
    )
    return _written(text, language, native_digits)


def format_percent(fraction: Number, language: str | None, *, native_digits: bool = False) -> str:
    """A fraction (0.25) as a percentage in the language's style: ``25%``, ``25 %``..."""
    text = babel_numbers.format_percent(
        fraction, locale=locale(language), numbering_system="default"
    )
    return _written(text, language, native_digits)


def format_currency(
    amount: Number, currency: str, language: str | None, *, native_digits: bool = False
) -> str:
    """Money with its ISO 4217 code as the language shows it (``US$1,250.00`` in ``en``,
    ``Rp 1.250.000,00`` in ``id``); the currency's own number of decimals."""
    text = babel_numbers.format_currency(
        amount, currency, locale=locale(language), numbering_system="default"
    )
    return _written(text, language, native_digits)


def format_date(value: date, language: str | None, *, native_digits: bool = False) -> str:
    """A date as the language writes it in running text (CLDR "long": "December 3, 2026" in
    ``en``, "৩ ডিসেম্বর, ২০২৬" in ``bn``): an email's due date must not be read as 12 March."""
    text = babel_dates.format_date(value, format="long", locale=locale(language))
    return _written(text, language, native_digits)


def jinja_filters(language: str | None) -> dict[str, Callable[..., str]]:
    """Filters for one language's pages: ``{{ n | decimal }}``, ``{{ f | percent }}``,
    ``{{ amount | currency("USD") }}``. A page in one language gets them with
    ``env.filters.update(...)`` or passes them to ``render``; ``None`` (missing) shows ``-``."""

    def decimal(value: Number | None, places: int | None = None) -> str:
        return "-" if value is None else format_decimal(value, language, places=places)

    def percent(value: Number | None) -> str:
        return "-" if value is None else format_percent(value, language)

    def currency(value: Number | None, code: str) -> str:
        return "-" if value is None else format_currency(value, code, language)

    return {"decimal": decimal, "percent": percent, "currency": currency}
