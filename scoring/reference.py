"""Public reference data shipped in ``scoring/data``: country, corridor, sector and FX figures.

Every figure keeps its source and year so an explanation or a report can cite it. Empty cells
stay ``None``: a missing Global Slavery Index figure is unknown, not zero, and the scoring says
so instead of guessing. Organisations may lay their own figures over the shipped ones; those
carry the organisation's own source text and are marked as overrides.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
SHIPPED = "shipped"
OVERRIDE = "organisation"


def _float(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _int(text: str | None) -> int | None:
    value = _float(text)
    return int(value) if value is not None else None


@dataclass(frozen=True)
class CountryFigures:
    iso2: str
    name: str
    tip_tier: str | None  # "1", "2", "2WL", "3"
    tip_year: int | None
    tip_source: str
    gsi_prevalence: float | None  # per 1,000 people
    gsi_vulnerability: float | None  # 0..100
    gsi_year: int | None
    gsi_source: str
    note: str = ""
    origin: str = SHIPPED
    tip_quality: str = ""  # primary | secondary: was the TIP Report itself read?
    gsi_quality: str = ""  # primary | mirror | secondary


@dataclass(frozen=True)
class CorridorCost:
    origin: str | None
    destination: str | None
    sector: str | None
    cost_usd: float | None
    months_of_earnings: float | None
    survey_year: int | None
    statistic: str
    sample_size: int | None
    local_amount: float | None
    local_currency: str | None
    is_estimate: bool
    source_title: str
    source_url: str
    note: str
    origin_of_row: str = SHIPPED
    source_quality: str = ""

    @property
    def level(self) -> str:
        """How specific the figure is: one corridor, or all destinations of an origin."""
        if self.origin and self.destination:
            return "corridor survey"
        if self.origin:
            return "origin average"
        return "destination average" if self.destination else "regional range"


@dataclass(frozen=True)
class ListedGood:
    iso2: str
    good: str
    sector: str
    child_labour: bool
    forced_labour: bool
    list_year: int | None
    source_title: str
    source_url: str
    edition: int | None = None  # the list edition this row was read from
    status_2024: str = ""
    source_quality: str = ""


@dataclass(frozen=True)
class FxRate:
    currency: str
    units_per_usd: float
    year: int
    basis: str
    source_title: str
    source_url: str
    source_quality: str = ""


# Goods-list coverage of a node's sector in its country, for sector risk.
LISTED = "listed"  # goods of this sector and country are on the list
UNLISTED = "unlisted"  # the list covers this sector and country, and lists nothing
NOT_COVERED = "not covered"  # the list says nothing either way: unknown, not low


@dataclass(frozen=True)
class ReferenceData:
    countries: dict[str, CountryFigures]
    corridor_costs: tuple[CorridorCost, ...]
    goods: tuple[ListedGood, ...]
    fx: dict[str, tuple[FxRate, ...]]  # newest first
    overrides: tuple[str, ...] = field(default=())  # what the organisation changed, in words

    def country(self, iso2: str | None) -> CountryFigures | None:
        return self.countries.get((iso2 or "").upper())

    def costs(self, origin: str, destination: str) -> list[CorridorCost]:
        """Figures for exactly this corridor."""
        return [
            c for c in self.corridor_costs if c.origin == origin and c.destination == destination
        ]

    def origin_costs(self, origin: str) -> list[CorridorCost]:
        """Figures for an origin pooled over all destinations (e.g. a national SDG 10.7.1
        value): the fallback when a corridor has no survey of its own."""
        return [c for c in self.corridor_costs if c.origin == origin and c.destination is None]

    def goods_for(self, iso2: str, sector: str | None) -> list[ListedGood]:
        if not sector:
            return []
        return list(self._goods_index.get((iso2, _GOODS_SECTOR.get(sector, "")), ()))

    def goods_coverage(self, iso2: str, sector: str | None) -> str:
        """Whether the goods list can speak for this sector and country at all. Absence from
        the list means little where the list never looks: services such as construction work,
        domestic work or hospitality, and countries it does not report on."""
        wanted = _GOODS_SECTOR.get(sector or "")
        if wanted is None or iso2 not in self.goods_countries:
            return NOT_COVERED
        return LISTED if self.goods_for(iso2, sector) else UNLISTED

    def goods_for_product(self, iso2: str, product: str) -> list[ListedGood]:
        """Goods of this country whose name the product names ("frozen shrimp" names Shrimp;
        "latex" names neither Palm Fruit nor Rubber Gloves)."""
        wanted = _words(product)
        return [g for g in self.goods if g.iso2 == iso2 and _names(wanted, g.good)]

    def lists_product(self, product: str) -> bool:
        """Whether the list names this product for any country: only then does its absence
        for one country say anything."""
        wanted = _words(product)
        return any(_names(wanted, good) for good in self.good_names)

    @cached_property
    def good_names(self) -> frozenset[str]:
        return frozenset(g.good for g in self.goods)

    @staticmethod
    def covers_sector(sector: str | None) -> bool:
        return (sector or "") in _GOODS_SECTOR

    @cached_property
    def goods_countries(self) -> frozenset[str]:
        """The countries the list reports on (it names at least one good for each)."""
        return frozenset(g.iso2 for g in self.goods)

    @cached_property
    def _goods_index(self) -> dict[tuple[str, str], tuple[ListedGood, ...]]:
        index: dict[tuple[str, str], list[ListedGood]] = defaultdict(list)
        for good in self.goods:
            index[(good.iso2, good.sector)].append(good)
        return {key: tuple(rows) for key, rows in index.items()}

    def rate(self, currency: str, year: int | None = None) -> FxRate | None:
        """The rate for that year, else the nearest year's (later on a tie), else None. The
        caller shows the rate's own year, so a fallback is never silent."""
        rates = self.fx.get(currency.upper(), ())
        if not rates:
            return None
        if year is None:
            return rates[0]
        return min(rates, key=lambda r: (abs(r.year - year), -r.year))

    def to_usd(
        self, amount: float, currency: str, year: int | None = None
    ) -> tuple[float, FxRate] | None:
        if currency.upper() == "USD":
            return amount, FxRate("USD", 1.0, year or 0, "identity", "", "")
        rate = self.rate(currency, year)
        return (amount / rate.units_per_usd, rate) if rate else None

    def with_country_overrides(
        self, overrides: dict[str, dict[str, object]], label: str
    ) -> ReferenceData:
        """The same data with an organisation's own country figures laid over the shipped ones."""
        countries = dict(self.countries)
        notes = list(self.overrides)
        for iso2, values in sorted(overrides.items()):
            base = countries.get(iso2) or CountryFigures(
                iso2, iso2, None, None, "", None, None, None, ""
            )
            countries[iso2] = replace(base, **values, origin=OVERRIDE)  # type: ignore[arg-type]
            changed = sorted(k for k in values if not k.endswith("_source"))
            notes.append(f"{iso2}: {', '.join(changed)} from {label}")
        return replace(self, countries=countries, overrides=tuple(notes))


# Node sectors (supplychain vocabulary) -> the coarse sector of the goods list. Sectors that are
# services (construction work, domestic work, hospitality, logistics) are absent on purpose: the
# list names goods (its "construction" rows are bricks and gravel), so it cannot clear them.
_GOODS_SECTOR = {
    "fishing": "fishing",
    "seafood_processing": "fishing",
    "electronics": "electronics",
    "garments": "textiles_garments",
    "textiles": "textiles_garments",
    "agriculture": "agriculture",
    "palm_oil": "agriculture",
    "manufacturing": "manufacturing",
    "mining": "mining",
}


def _words(text: str) -> tuple[str, ...]:
    """Lower-case words without a plural s, so "Rubber Gloves" and "rubber glove" agree."""
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return tuple(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def _names(product: tuple[str, ...], good: str) -> bool:
    """True when the good's name appears, as whole words in order, in the product's name."""
    wanted = _words(good)
    size = len(wanted)
    return size > 0 and any(product[i : i + size] == wanted for i in range(len(product) - size + 1))


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def shipped_reference() -> ReferenceData:
    countries = {
        row["iso2"]: CountryFigures(
            iso2=row["iso2"],
            name=row["country"],
            tip_tier=row["tip_tier"].strip() or None,
            tip_year=_int(row["tip_report_year"]),
            tip_source=row["tip_source"],
            gsi_prevalence=_float(row["gsi_prevalence_per_1000"]),
            gsi_vulnerability=_float(row["gsi_vulnerability"]),
            gsi_year=_int(row["gsi_year"]),
            gsi_source=row["gsi_source"],
            note=row.get("note", ""),
            tip_quality=row.get("tip_source_quality", ""),
            gsi_quality=row.get("gsi_source_quality", ""),
        )
        for row in _rows("country_risk.csv")
    }
    costs = tuple(
        CorridorCost(
            origin=row["origin_iso2"] or None,
            destination=row["destination_iso2"] or None,
            sector=row["sector"] or None,
            cost_usd=_float(row["worker_paid_cost_usd"]),
            months_of_earnings=_float(row["months_of_earnings"]),
            survey_year=_int(row["survey_year"]),
            statistic=row["statistic"],
            sample_size=_int(row["sample_size"]),
            local_amount=_float(row["local_amount"]),
            local_currency=row["local_currency"] or None,
            is_estimate=row["is_estimate"].strip().lower() == "true",
            source_title=row["source_title"],
            source_url=row["source_url"],
            note=row["note"],
            source_quality=row.get("source_quality", ""),
        )
        for row in _rows("corridor_costs.csv")
    )
    goods = tuple(
        ListedGood(
            iso2=row["iso2"],
            good=row["good"],
            sector=row["sector"],
            child_labour=row["child_labour"].lower() == "true",
            forced_labour=row["forced_labour"].lower() == "true",
            list_year=_int(row["list_year"]),
            source_title=row["source_title"],
            source_url=row["source_url"],
            edition=_int(row.get("edition")),
            status_2024=row.get("status_2024", ""),
            source_quality=row.get("source_quality", ""),
        )
        for row in _rows("goods_forced_labour.csv")
    )
    fx: dict[str, list[FxRate]] = defaultdict(list)
    for row in _rows("fx_rates.csv"):
        fx[row["currency"]].append(
            FxRate(
                currency=row["currency"],
                units_per_usd=float(row["units_per_usd"]),
                year=int(row["year"]),
                basis=row["basis"],
                source_title=row["source_title"],
                source_url=row["source_url"],
                source_quality=row.get("source_quality", ""),
            )
        )
    return ReferenceData(
        countries=countries,
        corridor_costs=costs,
        goods=goods,
        fx={k: tuple(sorted(v, key=lambda r: -r.year)) for k, v in fx.items()},
    )
