"""The legal limit on fees on each of a network's recruitment corridors, beside the Employer
Pays Principle's zero, for the report: a fee can be lawful in the origin country and still one
the worker should not pay. Corridors without a rule read say so rather than imply none."""

from __future__ import annotations

from audit.reports.schemas import LegalLimitRow
from audit.scores.service import ScoringContext
from scoring.fee_rules import fee_rules, rules_for

EPP = "nothing: the employer pays every cost of recruitment (Employer Pays Principle)"
WORKERS = {"all": "all workers", "domestic_work": "domestic workers"}


def legal_limit_rows(context: ScoringContext) -> list[LegalLimitRow]:
    corridors = sorted(
        {
            corridor
            for score in context.scores.nodes.values()
            if score.node.kind == "recruiter"
            for corridor in score.corridors
        }
    )
    origins_with_rules = {r.origin for r in fee_rules()}
    rows: list[LegalLimitRow] = []
    for origin, destination in corridors:
        rules = {
            *rules_for(origin, destination, None),
            *rules_for(origin, destination, "domestic_work"),
        }
        if not rules:
            rows.append(
                LegalLimitRow(
                    corridor=f"{origin}-{destination}",
                    workers="all workers",
                    legal_limit=(
                        "no rule read for this corridor"
                        if origin in origins_with_rules
                        else f"no rule read for {origin}"
                    ),
                    since=None,
                    source=None,
                    source_url=None,
                    source_quality=None,
                    employer_pays=EPP,
                )
            )
            continue
        for rule in sorted(rules, key=lambda r: r.worker_category):
            rows.append(
                LegalLimitRow(
                    corridor=f"{origin}-{destination}",
                    workers=WORKERS.get(rule.worker_category, rule.worker_category),
                    legal_limit=rule.limit_words(),
                    since=rule.effective_from,
                    source=rule.source_title,
                    source_url=rule.source_url,
                    source_quality=rule.source_quality,
                    employer_pays=EPP,
                )
            )
    return rows
