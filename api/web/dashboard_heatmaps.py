"""The dashboard's heatmaps as HTML tables: corridors, sectors and principles, each cell a link
to the nodes behind it.

A table rather than a picture so that a phone can scroll it, a screen reader can read it and
every cell can be a link. The numbers come from the same places as the report's heatmaps
(``audit.reports.heatmap_data``): the corridor endpoint's rows for corridors, the labour edges
into each sector for sectors, the compliance scores for principles. Each cell keeps the ids of
its nodes, and the nodes list filters with the same functions (``members``), so the list a cell
opens holds exactly the nodes the cell counts. Nothing known is never shown as low: a cell
whose nodes are all unassessed says "not assessed", and an empty cell says there is nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, SettingsDep
from api.web.dashboard_session import (
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    utc_now,
)
from audit.orientation.coverage import STAGE_WORDS, STAGES, OrientationCoverage
from audit.orientation.presenters import shown
from audit.orientation.service import orientation_coverage
from audit.scores.presenters import BAND_ORDER
from audit.scores.presenters import corridors as corridor_rows
from audit.scores.service import ScoringContext, scoring_context
from core.memo import derived
from core.numbers import counted
from questionnaires.standards import principles
from scoring.network import INSUFFICIENT
from supplychain.countries import country_name

router = APIRouter(include_in_schema=False)
UNKNOWN = "unknown"
NOT_GIVEN = "not given"
PRINCIPLE_BANDS = ("critical", "high", "medium", "low", UNKNOWN)
BAND_WORDS = {
    "critical": "critical",
    "high": "high",
    "medium": "medium",
    "low": "low",
    INSUFFICIENT: "not assessed",
    UNKNOWN: "not assessed",
}
CORRIDOR = re.compile(r"^([A-Z]{2}|unknown)-([A-Z]{2}|unknown)$")


@dataclass(frozen=True)
class HeatCell:
    text: str  # the number, e.g. "1,587 workers"
    detail: str  # e.g. "3 recruiters"
    band: str | None  # css band; None: nothing in this cell
    words: str  # the band in words, so colour is never the only signal
    flagged: bool = False
    href: str | None = None


@dataclass(frozen=True)
class HeatRow:
    label: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class HeatTable:
    key: str
    title: str
    caption: str
    row_title: str
    column_title: str
    columns: tuple[str, ...]
    rows: tuple[HeatRow, ...]
    note: str = ""


@dataclass
class _Bucket:
    workers: int = 0
    members: set[int] = field(default_factory=set)


def _country(code: str | None) -> str:
    return country_name(code) if code else "Unknown"


def _nodes_link(network_id: int, **query: str) -> str:
    return f"/dashboard/networks/{network_id}/nodes?{urlencode(query)}"


def _worst_band(context: ScoringContext, ids: set[int]) -> str:
    """The worst exposure band among the nodes; insufficient data only if nothing is known."""
    scores = context.scores
    bands = [scores.exposure_band(n) for n in ids if n in scores.nodes]
    return max(bands, key=lambda b: BAND_ORDER.get(b, -1), default=INSUFFICIENT)


def _plural(count: int, noun: str) -> str:
    return counted(count, noun, f"{noun}s")  # nouns here take -s: worker, recruiter, node


# Corridors ---------------------------------------------------------------------------------------


def corridor_key(origin: str | None, destination: str | None) -> str:
    return f"{origin or UNKNOWN}-{destination or UNKNOWN}"


def corridor_members(context: ScoringContext, key: str) -> set[int]:
    """The recruiters placing workers on the corridor (the corridor endpoint's own list)."""
    for row in corridor_rows(context):
        if corridor_key(row.origin, row.destination) == key:
            return set(row.recruiter_ids)
    return set()


def corridor_table(context: ScoringContext, network_id: int) -> HeatTable:
    rows = corridor_rows(context)
    origins = list(dict.fromkeys(r.origin for r in rows))
    destinations = list(dict.fromkeys(r.destination for r in rows))
    by_pair = {(r.origin, r.destination): r for r in rows}
    table_rows = []
    for origin in origins:
        cells = []
        for destination in destinations:
            row = by_pair.get((origin, destination))
            if row is None:
                cells.append(HeatCell("", "no corridor", None, "none"))
                continue
            band = row.band if row.band and row.worst_risk is not None else INSUFFICIENT
            cells.append(
                HeatCell(
                    text=_plural(row.workers, "worker"),
                    detail=_plural(row.recruiters, "recruiter"),
                    band=band,
                    words=BAND_WORDS.get(band, band),
                    flagged=bool(row.critical_recruiter_ids),
                    href=_nodes_link(network_id, corridor=corridor_key(origin, destination)),
                )
            )
        table_rows.append(HeatRow(_country(origin), tuple(cells)))
    return HeatTable(
        key="corridors",
        title="Recruitment corridors",
        caption="Origin country by destination country: workers placed and the worst risk of "
        "the recruiters placing them",
        row_title="Origin",
        column_title="Destination",
        columns=tuple(_country(d) for d in destinations),
        rows=tuple(table_rows),
        note="Worst first, in the order of the corridor list. Open a cell for its recruiters.",
    )


# Orientation coverage ----------------------------------------------------------------------------

# The share oriented in bands of the shortfall, so a gap is coloured like a risk (lowest first).
COVERAGE_BANDS: tuple[tuple[float, str], ...] = ((0.9, "low"), (0.6, "medium"), (0.3, "high"))


def coverage_band(share: float | None) -> str:
    """The band of a share oriented: critical below 30 %, none known: not assessed."""
    if share is None:
        return INSUFFICIENT
    return next((band for floor, band in COVERAGE_BANDS if share >= floor), "critical")


def orientation_tables(
    context: ScoringContext, coverage: OrientationCoverage, network_id: int
) -> list[HeatTable]:
    """One table per stage, origin by destination, in the corridor list's order: the share of
    recruited workers oriented (CREST pillar 2). Unknown recruited workers say "unknown"."""
    listed = {(r.origin, r.destination): index for index, r in enumerate(corridor_rows(context))}
    rows = sorted(
        coverage.corridors,
        key=lambda c: (listed.get((c.origin, c.destination), len(listed)), _country(c.origin)),
    )
    origins = list(dict.fromkeys(r.origin for r in rows))
    destinations = list(dict.fromkeys(r.destination for r in rows))
    by_pair = {(r.origin, r.destination): r for r in rows}
    tables = []
    for stage in STAGES:
        words = STAGE_WORDS[stage]
        table_rows = []
        for origin in origins:
            cells = []
            for destination in destinations:
                row = by_pair.get((origin, destination))
                if row is None:
                    cells.append(HeatCell("", "no corridor", None, "none"))
                    continue
                part = row.stage(stage)
                recruited = "unknown" if row.recruited is None else f"{row.recruited:,}"
                band = coverage_band(part.share)
                cells.append(
                    HeatCell(
                        text=shown(part.share),
                        detail=f"{part.oriented:,} of {recruited} workers",
                        band=band,
                        words="unknown: workers recruited not known"
                        if part.share is None
                        else f"{shown(part.share)} oriented",
                        href=_nodes_link(network_id, corridor=corridor_key(origin, destination)),
                    )
                )
            table_rows.append(HeatRow(_country(origin), tuple(cells)))
        tables.append(
            HeatTable(
                key=f"orientation-{stage.replace('_', '-')}",
                title=f"{words.capitalize()} orientation",
                caption=f"Origin country by destination country: the share of recruited workers "
                f"reached by {words} orientation",
                row_title="Origin",
                column_title="Destination",
                columns=tuple(_country(d) for d in destinations),
                rows=tuple(table_rows),
                note="Share: workers reached by the sessions recorded, at most the workers "
                "recruited on the corridor (its labour edges). Unknown where the workers "
                "recruited are not known: never shown as 0 %.",
            )
        )
    return tables


# Sectors ----------------------------------------------------------------------------------------


def _sector_buckets(context: ScoringContext) -> dict[tuple[str | None, str], _Bucket]:
    """(origin, sector) -> workers and the nodes placing them, as the report's sector heatmap
    counts them: labour edges into employers, by the employer's sector."""

    def build() -> dict[tuple[str | None, str], _Bucket]:
        graph = context.graph
        buckets: dict[tuple[str | None, str], _Bucket] = defaultdict(_Bucket)
        for source, target, data in graph.edges(data=True):
            if data["kind"] not in ("recruits_for", "employed_by"):
                continue
            origin = data.get("origin") or graph.nodes[source].get("origin")
            sector = graph.nodes[target].get("sector") or NOT_GIVEN
            bucket = buckets[(origin, sector)]
            bucket.workers += int(data.get("workers") or 0)
            bucket.members.add(int(source))
        return dict(buckets)

    return derived(context.scores, "dashboard-sector-buckets", build)


def sector_members(context: ScoringContext, origin: str, sector: str) -> set[int]:
    wanted = None if origin == UNKNOWN else origin
    bucket = _sector_buckets(context).get((wanted, sector))
    return set(bucket.members) if bucket else set()


def sector_table(context: ScoringContext, network_id: int) -> HeatTable:
    buckets = _sector_buckets(context)
    ranked = {
        key: BAND_ORDER.get(_worst_band(context, b.members), -1) for key, b in buckets.items()
    }
    worst_origin: dict[str | None, int] = defaultdict(lambda: -2)
    worst_sector: dict[str, int] = defaultdict(lambda: -2)
    for (origin, sector), rank in ranked.items():
        worst_origin[origin] = max(worst_origin[origin], rank)
        worst_sector[sector] = max(worst_sector[sector], rank)
    origins = sorted(worst_origin, key=lambda o: (-worst_origin[o], _country(o)))
    sectors = sorted(worst_sector, key=lambda s: (-worst_sector[s], s))
    table_rows = []
    for origin in origins:
        cells = []
        for sector in sectors:
            bucket = buckets.get((origin, sector))
            if bucket is None:
                cells.append(HeatCell("", "no workers", None, "none"))
                continue
            band = _worst_band(context, bucket.members)
            cells.append(
                HeatCell(
                    text=_plural(bucket.workers, "worker"),
                    detail=f"{len(bucket.members):,} placing",
                    band=band,
                    words=BAND_WORDS.get(band, band),
                    flagged=any(n in context.scores.propagation.flag_hops for n in bucket.members),
                    href=_nodes_link(network_id, origin=origin or UNKNOWN, sector=sector),
                )
            )
        table_rows.append(HeatRow(_country(origin), tuple(cells)))
    return HeatTable(
        key="sectors",
        title="Corridors by sector",
        caption="Origin country by the sector of the employers the workers go to",
        row_title="Origin",
        column_title="Employer's sector",
        columns=tuple(s.replace("_", " ") for s in sectors),
        rows=tuple(table_rows),
        note="Colour: the worst exposure of the recruiters and employers placing the workers. "
        "Open a cell for them.",
    )


# Principles -------------------------------------------------------------------------------------


def _principle_bands(context: ScoringContext) -> dict[str, dict[str, set[int]]]:
    """principle -> band of its shortfall -> suppliers and recruiters. Critical: a red flag
    evidences the principle; "unknown": the node has no score for it (never counted as low)."""

    def build() -> dict[str, dict[str, set[int]]]:
        scores = context.scores
        rated = [s for s in scores.nodes.values() if s.node.kind in ("supplier", "recruiter")]
        tags = [
            t
            for t in principles()
            if any(s.compliance and t in s.compliance.principles for s in rated)
        ]
        table: dict[str, dict[str, set[int]]] = {
            t: {b: set() for b in PRINCIPLE_BANDS} for t in tags
        }
        for score in rated:
            flagged = {tag for f in score.red_flags for tag in f.evidences}
            given = score.compliance.principles if score.compliance else {}
            for tag in tags:
                value = given.get(tag)
                if tag in flagged:
                    band = "critical"
                elif value is None:
                    band = UNKNOWN
                else:
                    band = scores.profile.band(100 - value)
                table[tag][band].add(int(score.node.id))
        return table

    return derived(context.scores, "dashboard-principle-bands", build)


def principle_members(context: ScoringContext, tag: str, band: str) -> set[int]:
    return set(_principle_bands(context).get(tag, {}).get(band, set()))


def known_principle(tag: str) -> bool:
    return tag in principles()


def principle_table(context: ScoringContext, network_id: int) -> HeatTable:
    known = principles()
    table_rows = []
    for tag, bands in _principle_bands(context).items():
        cells = []
        for band in PRINCIPLE_BANDS:
            members = bands[band]
            if not members:
                cells.append(HeatCell("0", "no nodes", None, "none"))
                continue
            cells.append(
                HeatCell(
                    text=_plural(len(members), "node"),
                    detail="red flag" if band == "critical" else "",
                    band=INSUFFICIENT if band == UNKNOWN else band,
                    words=BAND_WORDS[band],
                    flagged=band == "critical",
                    href=_nodes_link(network_id, principle=tag, principle_band=band),
                )
            )
        table_rows.append(HeatRow(known[tag].label, tuple(cells)))
    return HeatTable(
        key="principles",
        title="Principles",
        caption="Suppliers and recruiters by how far they fall short on each principle",
        row_title="Principle",
        column_title="Shortfall",
        columns=("Critical (red flag)", "High", "Medium", "Low", "Not assessed"),
        rows=tuple(table_rows),
        note="Shortfall: 100 minus the principle's score; critical where a red flag evidences "
        "the principle. Suppliers and recruiters without a score for a principle are counted "
        "as not assessed, never as low.",
    )


# Filters for the nodes list ----------------------------------------------------------------------


@dataclass(frozen=True)
class CellFilter:
    """The nodes behind one heatmap cell, as the nodes list's query parameters name it."""

    description: str
    members: frozenset[int]


def cell_filter(
    context: ScoringContext,
    *,
    corridor: str | None,
    origin: str | None,
    sector: str | None,
    principle: str | None,
    principle_band: str | None,
) -> CellFilter | None:
    """The heatmap cell a nodes-list link names, or None; a 400 page for a malformed one."""
    if corridor:
        if not CORRIDOR.match(corridor):
            raise PageError(
                400,
                f"The corridor parameter must look like MM-TH (origin-destination), not "
                f"{corridor!r}.",
            )
        source, target = corridor.split("-")
        names = [_country(None if c == UNKNOWN else c) for c in (source, target)]
        return CellFilter(
            f"Recruiters on the corridor {names[0]} → {names[1]}",
            frozenset(corridor_members(context, corridor)),
        )
    if origin or sector:
        if not (origin and sector):
            raise PageError(400, "The origin and sector parameters go together.")
        if origin != UNKNOWN and not re.match(r"^[A-Z]{2}$", origin):
            raise PageError(400, f"The origin parameter must be a country code, not {origin!r}.")
        return CellFilter(
            f"Placing workers from {_country(None if origin == UNKNOWN else origin)} into the "
            f"sector {sector.replace('_', ' ')}",
            frozenset(sector_members(context, origin, sector)),
        )
    if principle or principle_band:
        if not (principle and principle_band):
            raise PageError(400, "The principle and principle_band parameters go together.")
        if not known_principle(principle):
            raise PageError(
                400, f"The principle parameter names no known principle: {principle!r}."
            )
        if principle_band not in PRINCIPLE_BANDS:
            raise PageError(
                400,
                f"The principle_band parameter must be one of {', '.join(PRINCIPLE_BANDS)}, not "
                f"{principle_band!r}.",
            )
        label = principles()[principle].label
        return CellFilter(
            f"{label}: {BAND_WORDS[principle_band]}"
            + (" shortfall" if principle_band != UNKNOWN else ""),
            frozenset(principle_members(context, principle, principle_band)),
        )
    return None


# The page ----------------------------------------------------------------------------------------


@router.get("/dashboard/networks/{network_id}/heatmaps", response_class=HTMLResponse)
@guarded
def heatmaps_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    context = scoring_context(session, network, now=utc_now())
    tables = [
        corridor_table(context, network_id),
        principle_table(context, network_id),
        sector_table(context, network_id),
    ]
    coverage = orientation_coverage(session, network=network)
    return page(
        "heatmaps.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="heatmaps",
            tables=tables,
            orientation=orientation_tables(context, coverage, network_id),
            empty=context.graph.number_of_nodes() == 0,
        ),
    )
