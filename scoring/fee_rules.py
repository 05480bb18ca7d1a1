"""The legal position on fees in the main origin countries, beside the Employer Pays
Principle's zero: a fee can be legal and still a finding. Read from ``data/fee_rules.csv``,
where each rule carries its source, the date it took effect and its source quality.

Pure: a rule applies to an origin, some destinations ("*" for all) and a worker category
("all", or "domestic_work", which takes precedence where a rule for it exists), and judges a
fee per worker in the rule's currency. A months-of-salary rule needs the monthly wage in the
same currency; without it the fee is not judged (unknown, never "within the limit").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

DATA = Path(__file__).parent / "data" / "fee_rules.csv"
Rule = Literal["zero", "max_months", "max_amount"]


@dataclass(frozen=True)
class FeeRule:
    origin: str
    destinations: tuple[str, ...]  # ("*",) for every destination
    worker_category: str  # "all" or a sector code such as "domestic_work"
    rule: Rule
    max_months: float | None
    max_amount: float | None
    currency: str | None
    effective_from: date
    source_title: str
    source_url: str
    source_quality: str
    note: str

    def limit_words(self) -> str:
        if self.rule == "zero":
            return "no placement fee may be charged"
        if self.rule == "max_months":
            months = "one month's" if self.max_months == 1 else f"{self.max_months:g} months'"
            return f"at most {months} basic salary"
        return f"at most {self.max_amount:,.0f} {self.currency} per worker"


@dataclass(frozen=True)
class Breach:
    rule: FeeRule
    fee: float
    currency: str
    limit: float  # in the fee's currency
    words: str


@cache
def fee_rules() -> tuple[FeeRule, ...]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        FeeRule(
            origin=row["origin_iso2"],
            destinations=tuple(row["destinations"].split(";")),
            worker_category=row["worker_category"],
            rule=row["rule"],  # type: ignore[arg-type]
            max_months=float(row["max_months"]) if row["max_months"] else None,
            max_amount=float(row["max_amount"]) if row["max_amount"] else None,
            currency=row["currency"] or None,
            effective_from=date.fromisoformat(row["effective_from"]),
            source_title=row["source_title"],
            source_url=row["source_url"],
            source_quality=row["source_quality"],
            note=row["note"],
        )
        for row in rows
    )


def rules_for(origin: str, destination: str | None, category: str | None) -> list[FeeRule]:
    """The rules on a corridor for a worker category: those for the category itself when any
    exist (a domestic worker's zero-fee rule replaces the general limit), else the general."""
    on_corridor = [
        r
        for r in fee_rules()
        if r.origin == origin and ("*" in r.destinations or destination in r.destinations)
    ]
    own = [r for r in on_corridor if category and r.worker_category == category]
    return own or [r for r in on_corridor if r.worker_category == "all"]


def judge(
    rule: FeeRule,
    fee: float,
    currency: str | None,
    monthly_wage: float | None = None,
    wage_currency: str | None = None,
) -> Breach | None:
    """The breach, if the fee per worker is above what the rule allows; None when within it
    or when it cannot be judged (another currency, or no wage for a months rule)."""
    if fee <= 0 or currency is None:
        return None
    if rule.rule == "zero":
        return Breach(rule, fee, currency, 0.0, rule.limit_words())
    if rule.rule == "max_amount":
        if rule.max_amount is None or currency != rule.currency or fee <= rule.max_amount:
            return None
        return Breach(rule, fee, currency, rule.max_amount, rule.limit_words())
    if rule.max_months is None or monthly_wage is None or wage_currency != currency:
        return None
    limit = rule.max_months * monthly_wage
    return Breach(rule, fee, currency, limit, rule.limit_words()) if fee > limit else None
