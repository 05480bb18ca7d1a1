"""Which nodes' staff hold current training, and the network's shares: pure, from plain facts.

Kept free of the database so the findings rules (``audit.findings.rules``) and the coverage
endpoint decide "current" and "who must be trained" the same way, and so both can be checked
by hand: a training is current until ``validity_months`` calendar months after its date (24 by
default); suppliers that employ migrant workers, and every recruiter, must hold one (CREST
pillar 1 trains the employers and the recruiters who bring migrant workers to them).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

DEFAULT_VALIDITY_MONTHS = 24
TRAINED_KINDS = frozenset({"company", "supplier", "recruiter"})


def needs_training(kind: str, migrant_workers: int | None) -> bool:
    """Suppliers with migrant workers and recruiters: where a gap raises a finding."""
    return kind == "recruiter" or (kind == "supplier" and (migrant_workers or 0) > 0)


def expires_on(trained_on: date, validity_months: int) -> date:
    """The first day the training no longer counts: the same day ``validity_months`` later
    (the month's last day when that month is shorter, 31 January + 1 month = 28/29 February)."""
    months = trained_on.month - 1 + validity_months
    year, month = trained_on.year + months // 12, months % 12 + 1
    day = min(trained_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def is_current(trained_on: date | None, today: date, validity_months: int) -> bool:
    return trained_on is not None and trained_on <= today < expires_on(trained_on, validity_months)


@dataclass(frozen=True)
class TrainingFacts:
    """What the training-gap finding reads: each node's latest training (id and date) and the
    validity in force."""

    last: Mapping[int, tuple[date, int]]
    validity_months: int = DEFAULT_VALIDITY_MONTHS


@dataclass(frozen=True)
class NodeFacts:
    """What coverage needs to know of a node."""

    node_id: int
    kind: str
    migrant_workers: int | None = None


@dataclass(frozen=True)
class NodeCoverage:
    node_id: int
    kind: str
    required: bool
    last_trained: date | None
    expires: date | None
    current: bool


@dataclass(frozen=True)
class Share:
    """``current`` of ``total`` nodes; ``share`` is None when there are none (not 0 %)."""

    current: int
    total: int

    @property
    def share(self) -> float | None:
        return round(self.current / self.total, 4) if self.total else None


@dataclass(frozen=True)
class Coverage:
    today: date
    validity_months: int
    nodes: list[NodeCoverage]
    suppliers_with_migrants: Share
    recruiters: Share

    def gaps(self) -> list[NodeCoverage]:
        return [n for n in self.nodes if n.required and not n.current]


def coverage(
    nodes: Iterable[NodeFacts],
    last_trained: Mapping[int, date],
    today: date,
    validity_months: int = DEFAULT_VALIDITY_MONTHS,
) -> Coverage:
    """Per company, supplier and recruiter node: its latest training (``last_trained``, node
    id -> date) and whether it is current on ``today``; and the share of suppliers with migrant
    workers, and of recruiters, whose staff hold current training."""
    rows: list[NodeCoverage] = []
    for node in sorted(nodes, key=lambda n: n.node_id):
        if node.kind not in TRAINED_KINDS:
            continue
        last = last_trained.get(node.node_id)
        rows.append(
            NodeCoverage(
                node_id=node.node_id,
                kind=node.kind,
                required=needs_training(node.kind, node.migrant_workers),
                last_trained=last,
                expires=expires_on(last, validity_months) if last else None,
                current=is_current(last, today, validity_months),
            )
        )
    suppliers = [r for r in rows if r.kind == "supplier" and r.required]
    recruiters = [r for r in rows if r.kind == "recruiter"]
    return Coverage(
        today=today,
        validity_months=validity_months,
        nodes=rows,
        suppliers_with_migrants=Share(sum(r.current for r in suppliers), len(suppliers)),
        recruiters=Share(sum(r.current for r in recruiters), len(recruiters)),
    )


def current_since(today: date, validity_months: int) -> date:
    """The earliest training date still current on ``today``: every date from it up to today
    is current (``expires_on`` never decreases), so a list can filter with one comparison."""
    months = today.year * 12 + today.month - 1 - validity_months
    year, month = divmod(months, 12)
    candidate = date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))
    while expires_on(candidate, validity_months) <= today:
        candidate = date.fromordinal(candidate.toordinal() + 1)
    return candidate
