"""Build the heatmaps from scores: corridors by country and by sector, and principles by node.

Rows and columns are sorted worst first, so the eye lands on the riskiest corridor or node. The
corridor heatmap takes its order from the corridor endpoint itself (the API's corridor rows,
sorted by the API's own key), so the report, the dashboard and the API list corridors alike; the
principle heatmap keeps the standards' own order of principles so readers can compare networks.
The corridor and sector cells take their numbers from ``NetworkScores.exposure`` and their
red-flag marks from its critical chains, so a marked cell never shows a number below the
profile's red-flag floor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from audit.orientation.coverage import STAGE_WORDS, OrientationCoverage, Stage
from audit.orientation.presenters import shown
from audit.reports.heatmap import Cell, Heatmap
from audit.scores.presenters import corridors as corridor_rows
from audit.scores.schemas import CorridorRiskRead
from audit.scores.service import ScoringContext
from core.numbers import counted
from questionnaires.standards import principles
from supplychain.countries import country_name

UNKNOWN = "Unknown"


def _name(code: str | None) -> str:
    return country_name(code) if code else UNKNOWN


def _order(values: dict[str, float]) -> list[str]:
    return sorted(values, key=lambda k: (-values[k], k))


def corridor_heatmap(
    context: ScoringContext, corridors: list[CorridorRiskRead] | None = None
) -> Heatmap:
    """Origin x destination, in the corridor endpoint's order (``-risk``, worst first): the
    cells follow its rows one for one, and origins and destinations appear in the order their
    first corridor does there, so the API's first corridor is the top-left cell."""
    rows_ = corridors if corridors is not None else corridor_rows(context)
    origins = list(dict.fromkeys(_name(c.origin) for c in rows_))
    destinations = list(dict.fromkeys(_name(c.destination) for c in rows_))
    cells = [
        Cell(
            row=origins.index(_name(c.origin)),
            column=destinations.index(_name(c.destination)),
            risk=c.worst_risk,
            label=f"{c.workers:,}",
            sublabel=counted(c.recruiters, "recruiter", "recruiters"),
            flagged=bool(c.critical_recruiter_ids),
            tooltip=f"{_name(c.origin)} -> {_name(c.destination)}: worst risk "
            f"{c.worst_risk if c.worst_risk is not None else 'n/a'}",
        )
        for c in rows_
    ]
    return Heatmap(
        title="Recruitment corridors",
        rows=origins,
        columns=destinations,
        cells=cells,
        row_title="Origin country",
        column_title="Destination country",
        legend_title="Worst exposure on the corridor (0-100)",
        note="Number: workers placed through the corridor; colour: the worst risk of the "
        "recruiters placing them, including the sub-agents feeding them (at least "
        f"{context.scores.profile.red_flag_floor:g} on a chain with a critical red flag). "
        "Corridors are in the order the corridor list gives them, worst first.",
    )


@dataclass
class _Bucket:
    workers: int = 0
    risk: float = 0.0
    flagged: bool = False
    placing: set[int] = field(default_factory=set)


def sector_heatmap(context: ScoringContext) -> Heatmap:
    """The same corridors by the sector of the employers the workers go to."""
    graph, scores = context.graph, context.scores
    buckets: dict[tuple[str, str], _Bucket] = defaultdict(_Bucket)
    for source, target, data in graph.edges(data=True):
        if data["kind"] not in ("recruits_for", "employed_by"):
            continue
        origin = data.get("origin") or graph.nodes[source].get("origin")
        sector = (graph.nodes[target].get("sector") or "not given").replace("_", " ")
        bucket = buckets[(_name(origin), sector)]
        bucket.workers += int(data.get("workers") or 0)
        bucket.risk = max(bucket.risk, scores.exposure(source))
        bucket.flagged = bucket.flagged or source in scores.propagation.flag_hops
        bucket.placing.add(int(source))
    worst_row: dict[str, float] = defaultdict(float)
    worst_col: dict[str, float] = defaultdict(float)
    for (row, column), bucket in buckets.items():
        worst_row[row] = max(worst_row[row], bucket.risk)
        worst_col[column] = max(worst_col[column], bucket.risk)
    rows, columns = _order(worst_row), _order(worst_col)
    return Heatmap(
        title="Recruitment corridors by sector",
        rows=rows,
        columns=columns,
        cells=[
            Cell(
                row=rows.index(row),
                column=columns.index(column),
                risk=round(bucket.risk, 2),
                label=f"{bucket.workers:,}",
                sublabel=f"{len(bucket.placing)} placing",
                flagged=bucket.flagged,
            )
            for (row, column), bucket in buckets.items()
        ],
        row_title="Origin country",
        column_title="Employer's sector",
        legend_title="Worst exposure (0-100)",
        note="Number: workers placed; colour: the worst risk of those placing them.",
    )


def principle_heatmap(context: ScoringContext, limit: int = 40) -> Heatmap:
    """Assessed suppliers and recruiters x principles; colour = 100 - principle score."""
    scores = context.scores
    known = principles()
    # Each node paired with its compliance, so the type checker knows it is there.
    assessed = [
        (s, s.compliance)
        for s in scores.nodes.values()
        if s.compliance is not None and s.compliance.principles
    ]
    assessed.sort(key=lambda pair: (-len(pair[0].red_flags), pair[1].score or 0, pair[0].node.name))
    chosen = assessed[:limit]
    tags = [t for t in known if any(t in c.principles for _s, c in chosen)]
    flagged_tags = {
        (s.node.id, tag) for s, _c in chosen for f in s.red_flags for tag in f.evidences
    }
    cells = []
    # Principles down the page, nodes across: a portrait page fits 30 principles far better
    # than 30 columns of long principle names.
    for column, (score, compliance) in enumerate(chosen):
        for row, tag in enumerate(tags):
            value = compliance.principles.get(tag)
            cells.append(
                Cell(
                    row=row,
                    column=column,
                    risk=None if value is None else round(100 - value, 2),
                    label="-" if value is None else f"{value:.0f}",
                    flagged=(score.node.id, tag) in flagged_tags,
                )
            )
    note = "Number: principle score (0-100, higher is better); colour: 100 minus the score."
    if len(assessed) > limit:
        note += f" The {limit} weakest of {len(assessed)} assessed nodes are shown."
    return Heatmap(
        title="Principles and indicators by node",
        rows=[known[t].label if t in known else t for t in tags],
        columns=[s.node.name for s, _c in chosen],
        cells=cells,
        row_title="IRIS principle / ILO indicator / EPP",
        column_title="Assessed node",
        legend_title="Shortfall (100 - score)",
        note=note,
    )


def heatmaps(
    context: ScoringContext, corridors: list[CorridorRiskRead] | None = None
) -> dict[str, Heatmap]:
    """The report's three heatmaps, in the order the report shows them, from one context;
    ``corridors`` are the corridor rows when the caller already has them."""
    return {
        "corridors": corridor_heatmap(context, corridors),
        "sectors": sector_heatmap(context),
        "principles": principle_heatmap(context),
    }


def orientation_heatmap(
    context: ScoringContext, coverage: OrientationCoverage, stage: Stage
) -> Heatmap:
    """A coverage layer over the corridors, origin x destination: the share of recruited
    workers oriented at ``stage``, coloured by the shortfall (100 - share %) so that the gaps
    stand out like risk does; a corridor whose recruited workers are unknown is grey and says
    "unknown", never 0 %. ``context`` is the corridor heatmap's, for the same order of corridors:
    corridors in the corridor list come first, in its order."""
    listed = [(c.origin, c.destination) for c in corridor_rows(context)]
    rank = {key: index for index, key in enumerate(listed)}
    rows_ = sorted(
        coverage.corridors,
        key=lambda c: (rank.get((c.origin, c.destination), len(rank)), _name(c.origin)),
    )
    origins = list(dict.fromkeys(_name(c.origin) for c in rows_))
    destinations = list(dict.fromkeys(_name(c.destination) for c in rows_))
    words = STAGE_WORDS[stage]
    cells = []
    for c in rows_:
        part = c.stage(stage)
        recruited = "unknown" if c.recruited is None else f"{c.recruited:,}"
        cells.append(
            Cell(
                row=origins.index(_name(c.origin)),
                column=destinations.index(_name(c.destination)),
                risk=None if part.share is None else round(100 - part.share * 100, 2),
                label=shown(part.share),
                sublabel=f"{part.oriented:,} of {recruited}",
                tooltip=f"{_name(c.origin)} -> {_name(c.destination)}: {part.oriented:,} workers "
                f"oriented {words} of {recruited} recruited",
            )
        )
    return Heatmap(
        title=f"Orientation coverage: {words}",
        rows=origins,
        columns=destinations,
        cells=cells,
        row_title="Origin country",
        column_title="Destination country",
        legend_title=f"Workers not oriented {words} (%)",
        note=f"Number: the share of recruited workers reached by {words} orientation (CREST "
        "pillar 2), and how many of how many; colour: the share not reached. Grey: the workers "
        "recruited on the corridor are unknown, so the share is unknown, not 0 %.",
    )
