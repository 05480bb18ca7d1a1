"""Plural categories and numbers as CLDR has them, for the respondent pages' six languages.

The expected values are written out by hand from the CLDR plural rules and number patterns
(unicode.org/cldr/charts, "Language Plural Rules" and "Numbers"), not computed with Babel, so a
change in Babel's data or in how ``core.numbers`` calls it shows here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import numbers

# Count -> CLDR category, for 0, 1, 2 and 5.
PLURALS = {
    "en": ("other", "one", "other", "other"),  # one: i = 1 and v = 0
    "bn": ("one", "one", "other", "other"),  # one: i = 0 or n = 1
    "ne": ("other", "one", "other", "other"),  # one: n = 1
    "my": ("other", "other", "other", "other"),  # no plural inflection
    "th": ("other", "other", "other", "other"),
    "id": ("other", "other", "other", "other"),
}


@pytest.mark.parametrize(("language", "expected"), PLURALS.items(), ids=list(PLURALS))
def test_plural_categories_follow_cldr(language: str, expected: tuple[str, ...]) -> None:
    assert tuple(numbers.plural_category(language, n) for n in (0, 1, 2, 5)) == expected
    assert numbers.plural_categories(language) == set(expected)


def test_a_fraction_is_never_english_one() -> None:
    assert numbers.plural_category("en", Decimal("1.0")) == "other"  # v = 1
    assert numbers.plural_category("en", 1) == "one"
    assert numbers.plural_category("bn", Decimal("0.5")) == "one"  # i = 0


# 12345.5 as Babel writes it (Latin digits always), and in the default numbering system.
DECIMALS = {
    "en": ("12,345.5", "12,345.5", "1,234,567"),
    "id": ("12.345,5", "12.345,5", "1.234.567"),
    "th": ("12,345.5", "12,345.5", "1,234,567"),  # CLDR default numbering system: latn
    "bn": ("12,345.5", "১২,৩৪৫.৫", "১২,৩৪,৫৬৭"),  # beng, lakh grouping
    "ne": ("12,345.5", "१२,३४५.५", "१२,३४,५६७"),  # deva, lakh grouping
    "my": ("12,345.5", "၁၂,၃၄၅.၅", "၁,၂၃၄,၅၆၇"),  # mymr
}


@pytest.mark.parametrize(("language", "expected"), DECIMALS.items(), ids=list(DECIMALS))
def test_decimals_in_each_language(language: str, expected: tuple[str, str, str]) -> None:
    latin, native, million = expected
    assert numbers.format_decimal(12345.5, language) == latin
    assert numbers.format_decimal(12345.5, language, native_digits=True) == native
    assert numbers.format_decimal(1234567, language, native_digits=True) == million


def test_default_numbering_systems_and_their_digits() -> None:
    systems = {lang: numbers.numbering_system(lang) for lang in DECIMALS}
    assert systems == {
        "en": "latn",
        "id": "latn",
        "th": "latn",
        "bn": "beng",
        "ne": "deva",
        "my": "mymr",
    }
    assert numbers.digits("bn") == "০১২৩৪৫৬৭৮৯"
    assert numbers.digits("ne") == "०१२३४५६७८९"
    assert numbers.digits("my") == "၀၁၂၃၄၅၆၇၈၉"
    assert numbers.digits("th") == "0123456789"


def test_fixed_places_keep_the_language_grouping() -> None:
    assert numbers.format_decimal(1234.5, "en", places=2) == "1,234.50"
    assert numbers.format_decimal(1234.5, "id", places=2) == "1.234,50"
    assert numbers.format_decimal(1234567.4, "ne", places=0) == "12,34,567"
    assert numbers.format_decimal(2.5, "en", places=0) == "2"  # half to even, as Babel rounds


def test_percentages_and_money() -> None:
    assert numbers.format_percent(0.25, "en") == "25%"
    assert numbers.format_percent(0.25, "bn", native_digits=True) == "২৫%"
    assert numbers.format_currency(1250, "USD", "en") == "$1,250.00"
    assert numbers.format_currency(1250, "USD", "id") == "US$1.250,00"
    assert numbers.format_currency(1250000, "IDR", "id") == "Rp1.250.000"
    assert numbers.format_currency(1250, "USD", "ne") == "US$\u00a01,250.00"  # no-break space


def test_unknown_or_odd_language_tags_format_as_english() -> None:
    assert numbers.format_decimal(12345.5, "x-klingon") == "12,345.5"
    assert numbers.format_decimal(12345.5, None) == "12,345.5"
    assert numbers.format_decimal(12345.5, "pt-BR") == "12.345,5"  # a region subtag is read
    assert numbers.plural_category("zz", 1) == "one"


def test_jinja_filters_of_one_language() -> None:
    filters = numbers.jinja_filters("id")
    assert filters["decimal"](12345.5) == "12.345,5"
    assert filters["decimal"](12345.5, 2) == "12.345,50"
    assert filters["decimal"](None) == "-"
    assert filters["percent"](0.5) == "50%"
    assert filters["currency"](3, "USD") == "US$3,00"


def test_counted_nouns_follow_cldr_english() -> None:
    """The product's English texts name counts through CLDR: only an integer 1 is singular."""
    assert numbers.counted(1, "node", "nodes") == "1 node"
    assert numbers.counted(0, "node", "nodes") == "0 nodes"
    assert numbers.counted(1234, "node", "nodes") == "1,234 nodes"
    assert numbers.plural_word(1.5, "node", "nodes") == "nodes"
    assert numbers.plural_word(2, "field is", "fields are") == "fields are"
    # Bengali's "one" covers 0 as well as 1 (CLDR), unlike English.
    assert numbers.plural_word(0, "one", "other", "bn") == "one"


def test_template_filters_count_and_group_through_babel() -> None:
    from templates import environment

    render = (
        environment()
        .from_string(
            '{{ 1 | counted("red flag", "red flags") }}; {{ 12345 | counted("node", "nodes") }}; '
            '{{ 3 | plural("finding", "findings") }}; {{ 1234.56 | number(1) }}; '
            "{{ none | number }}"
        )
        .render
    )
    assert render() == "1 red flag; 12,345 nodes; findings; 1,234.6; -"
