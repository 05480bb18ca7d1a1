"""The controlled vocabularies of a network, shared by import, API, scoring and reports.

Pure constants: scoring and reports import them without touching the database.
"""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    company = "company"
    supplier = "supplier"
    recruiter = "recruiter"
    worker_group = "worker_group"


class RecruiterRole(StrEnum):
    destination_agency = "destination_agency"
    origin_agency = "origin_agency"
    sub_agent = "sub_agent"
    informal_broker = "informal_broker"


class EdgeKind(StrEnum):
    supplies = "supplies"
    recruits_for = "recruits_for"
    refers_to = "refers_to"
    employed_by = "employed_by"


# Sectors used across Fairpath; "other" is the escape hatch for anything else.
SECTORS: tuple[str, ...] = (
    "agriculture",
    "construction",
    "domestic_work",
    "electronics",
    "fishing",
    "garments",
    "hospitality",
    "logistics",
    "manufacturing",
    "mining",
    "palm_oil",
    "seafood_processing",
    "textiles",
    "other",
)

# Which node kinds each edge kind may connect, source -> target. Edges point towards the buyer.
EDGE_RULES: dict[EdgeKind, tuple[frozenset[NodeKind], frozenset[NodeKind]]] = {
    EdgeKind.supplies: (
        frozenset({NodeKind.supplier}),
        frozenset({NodeKind.supplier, NodeKind.company}),
    ),
    EdgeKind.recruits_for: (
        frozenset({NodeKind.recruiter}),
        frozenset({NodeKind.supplier, NodeKind.company}),
    ),
    EdgeKind.refers_to: (frozenset({NodeKind.recruiter}), frozenset({NodeKind.recruiter})),
    EdgeKind.employed_by: (
        frozenset({NodeKind.worker_group}),
        frozenset({NodeKind.supplier, NodeKind.company}),
    ),
}

# Edges that carry workers along a recruitment corridor (origin -> destination).
LABOUR_EDGES: frozenset[EdgeKind] = frozenset(
    {EdgeKind.recruits_for, EdgeKind.refers_to, EdgeKind.employed_by}
)
# Edge kinds in which a cycle would make "upstream" meaningless.
ACYCLIC_EDGES: tuple[EdgeKind, ...] = (EdgeKind.refers_to, EdgeKind.supplies)


def describe_rule(kind: EdgeKind) -> str:
    sources, targets = EDGE_RULES[kind]
    source_text, target_text = " or ".join(sorted(sources)), " or ".join(sorted(targets))
    return f"{kind.value} goes from {source_text} to {target_text}"
