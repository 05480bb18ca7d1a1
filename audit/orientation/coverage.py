"""How many of the workers recruited on each corridor, and by each employer, were oriented
before departure and after arrival, and which gaps that leaves: pure, from the graph and plain
facts about the sessions.

Kept free of the database so the findings rules (``audit.findings.rules``), the coverage
endpoint, the corridor table, the heatmaps and the report count alike, and so every number can
be checked by hand:

- recruited workers come from the network's labour edges, counted where they are placed
  (``supplychain.analysis.corridors``: ``recruits_for`` and ``employed_by`` edges); a corridor or
  employer whose placements all lack a worker count has ``recruited`` None, "unknown", and its
  shares are None, never 0 %;
- oriented workers are the sum of ``workers_reached`` of the sessions of that stage; the share
  caps them at the recruited workers (two sessions may reach the same people, and a share above
  100 % would only hide that);
- which languages the workers speak: the ``languages`` attribute of the worker groups on the
  corridor (and at the employer, when the session names one) when any is set, else the official
  and de-facto languages of the origin country in the Unicode CLDR (through Babel). A language
  nobody knows is unknown, never a mismatch.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import networkx as nx
from babel.languages import get_official_languages

from supplychain.analysis import DELIVERING, EMPLOYERS, corridors, edge_corridor

Stage = Literal["pre_departure", "post_arrival"]
STAGES: tuple[Stage, ...] = ("pre_departure", "post_arrival")
STAGE_WORDS = {"pre_departure": "pre-departure", "post_arrival": "post-arrival"}
CLDR_SOURCE = "Unicode CLDR (through Babel): official and de-facto languages of the territory"
GROUP_SOURCE = "the languages attribute of the worker groups on the corridor"
# Older or individual codes for what CLDR names by another code: the same language to a worker.
_ALIASES = {"tl": "fil", "in": "id", "iw": "he", "zsm": "ms", "npi": "ne", "ji": "yi"}
_SEPARATORS = re.compile(r"[;,/\s]+")

Corridor = tuple[str | None, str | None]


def primary_language(tag: str) -> str:
    """The language of a BCP 47 tag or CLDR locale id ("ne-NP", "sr_Latn" -> "ne", "sr")."""
    base = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return _ALIASES.get(base, base)


def parse_languages(value: Any) -> tuple[str, ...]:
    """A worker group's ``languages`` attribute: a list, or text such as "ne; hi"."""
    if value is None:
        return ()
    parts = value if isinstance(value, list | tuple) else _SEPARATORS.split(str(value))
    found = [primary_language(str(p)) for p in parts if str(p).strip()]
    return tuple(dict.fromkeys(found))


def cldr_languages(territory: str | None) -> tuple[str, ...]:
    if not territory:
        return ()
    official = get_official_languages(territory.upper(), de_facto=True)
    return tuple(dict.fromkeys(primary_language(code) for code in official))


@dataclass(frozen=True)
class SessionFacts:
    """What coverage and the findings need of one orientation session (no worker's name)."""

    id: int
    stage: str
    origin: str
    destination: str
    employer_node_id: int | None
    workers_reached: int
    language: str


@dataclass(frozen=True)
class OrientationFacts:
    """What the orientation findings read: the network's sessions, and the languages recorded
    on its worker groups (node id -> languages)."""

    sessions: tuple[SessionFacts, ...] = ()
    group_languages: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class StageShare:
    """One stage of one corridor or employer."""

    oriented: int  # workers reached by sessions of that stage (capped at recruited for the share)
    share: float | None  # oriented / recruited, None when recruited is unknown or 0
    sessions: int = 0


@dataclass(frozen=True)
class CorridorOrientation:
    origin: str | None
    destination: str | None
    recruited: int | None  # workers placed on the corridor; None if unknown
    pre_departure: StageShare
    post_arrival: StageShare
    edges_without_workers: int = 0  # placements whose worker count is unknown
    employers: tuple[int, ...] = ()  # node ids, most workers first
    main_employer: int | None = None

    def stage(self, stage: str) -> StageShare:
        return self.pre_departure if stage == "pre_departure" else self.post_arrival


@dataclass(frozen=True)
class EmployerOrientation:
    node_id: int
    name: str
    recruited: int | None
    pre_departure: StageShare
    post_arrival: StageShare
    external_id: str = ""
    corridors: tuple[Corridor, ...] = ()

    def stage(self, stage: str) -> StageShare:
        return self.pre_departure if stage == "pre_departure" else self.post_arrival


@dataclass(frozen=True)
class OrientationCoverage:
    corridors: list[CorridorOrientation]
    employers: list[EmployerOrientation]

    def corridor(self, origin: str | None, destination: str | None) -> CorridorOrientation | None:
        return next(
            (c for c in self.corridors if (c.origin, c.destination) == (origin, destination)), None
        )


def share(oriented: int, recruited: int | None) -> float | None:
    if not recruited:
        return None
    return round(min(oriented, recruited) / recruited, 4)


def _recruited(known: int, unknown_edges: int) -> int | None:
    """Unknown only when no placement gives a count; a partial count is the count known."""
    return None if known == 0 and unknown_edges else known


@dataclass
class _Tally:
    workers: int = 0
    unknown: int = 0
    by_corridor: dict[Corridor, int] = field(default_factory=lambda: defaultdict(int))


def _placements(graph: nx.MultiDiGraph) -> dict[int, _Tally]:
    """employer -> workers placed with it, overall and per corridor, counted as
    ``supplychain.analysis.corridors`` counts them (so the two always add up alike)."""
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for source, target, data in graph.edges(data=True):
        if data["kind"] not in DELIVERING:
            continue
        corridor = edge_corridor(graph, source, target, data)
        workers = data.get("workers")
        if workers is None and data["kind"] == "employed_by":
            workers = graph.nodes[source].get("workers")
        tally = tallies[int(target)]
        tally.by_corridor[corridor] += int(workers or 0)
        if workers is None:
            tally.unknown += 1
        else:
            tally.workers += int(workers)
    return tallies


def _stage(sessions: Iterable[SessionFacts], stage: str, recruited: int | None) -> StageShare:
    chosen = [s for s in sessions if s.stage == stage]
    oriented = sum(s.workers_reached for s in chosen)
    return StageShare(oriented=oriented, share=share(oriented, recruited), sessions=len(chosen))


def orientation_coverage(
    graph: nx.MultiDiGraph, sessions: Iterable[SessionFacts]
) -> OrientationCoverage:
    """Per corridor (in the corridor list's order, then corridors known only from sessions) and
    per employer receiving workers (most recruited first): workers recruited, and oriented per
    stage with the share."""
    recorded = list(sessions)
    by_corridor: dict[Corridor, list[SessionFacts]] = defaultdict(list)
    by_employer: dict[int, list[SessionFacts]] = defaultdict(list)
    for item in recorded:
        by_corridor[(item.origin, item.destination)].append(item)
        if item.employer_node_id is not None:
            by_employer[item.employer_node_id].append(item)
    tallies = _placements(graph)
    rows: list[CorridorOrientation] = []
    for summary in corridors(graph):
        key = (summary.origin, summary.destination)
        recruited = _recruited(summary.workers, summary.edges_without_workers)
        placed = sorted(
            (int(cast(int, e)) for e in summary.employers),  # node ids are database ids
            key=lambda e: (-tallies[e].by_corridor.get(key, 0), e),
        )
        rows.append(
            CorridorOrientation(
                origin=summary.origin,
                destination=summary.destination,
                recruited=recruited,
                pre_departure=_stage(by_corridor.get(key, ()), "pre_departure", recruited),
                post_arrival=_stage(by_corridor.get(key, ()), "post_arrival", recruited),
                edges_without_workers=summary.edges_without_workers,
                employers=tuple(placed),
                main_employer=placed[0] if placed else None,
            )
        )
    mapped = {(c.origin, c.destination) for c in rows}
    for key in sorted(k for k in by_corridor if k not in mapped):
        found = by_corridor[key]
        rows.append(
            CorridorOrientation(
                origin=key[0],
                destination=key[1],
                recruited=None,
                pre_departure=_stage(found, "pre_departure", None),
                post_arrival=_stage(found, "post_arrival", None),
            )
        )
    employers: list[EmployerOrientation] = []
    for node_id in set(tallies) | {e for e in by_employer if e in graph}:
        data = graph.nodes[node_id]
        if data["kind"] not in EMPLOYERS:
            continue
        tally = tallies.get(node_id, _Tally())
        recruited = _recruited(tally.workers, tally.unknown) if node_id in tallies else None
        found = by_employer.get(node_id, [])
        employers.append(
            EmployerOrientation(
                node_id=node_id,
                name=str(data.get("name") or ""),
                recruited=recruited,
                pre_departure=_stage(found, "pre_departure", recruited),
                post_arrival=_stage(found, "post_arrival", recruited),
                external_id=str(data.get("external_id") or ""),
                corridors=tuple(
                    sorted(tally.by_corridor, key=lambda c: (c[0] or "~", c[1] or "~"))
                ),
            )
        )
    employers.sort(key=lambda e: (-(e.recruited or 0), e.name, e.node_id))
    return OrientationCoverage(corridors=rows, employers=employers)


# Gaps ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorridorGap:
    """A mapped corridor placing workers with no session of ``stage`` at all."""

    corridor: CorridorOrientation
    stage: Stage


@dataclass(frozen=True)
class EmployerGap:
    """An employer receiving workers with no post-arrival session of its own, on a corridor
    where some other employer's workers were oriented after arrival (a corridor with none at
    all is already one ``CorridorGap`` naming its employers)."""

    employer: EmployerOrientation


def receives_workers(recruited: int | None, placements: int) -> bool:
    """Workers are placed (a count above 0, or placements whose count is unknown)."""
    return placements > 0 and recruited != 0


def orientation_gaps(result: OrientationCoverage) -> tuple[list[CorridorGap], list[EmployerGap]]:
    """Corridors with a known origin and destination placing workers, without sessions of a
    stage; employers placing workers without a post-arrival session, unless every corridor
    they receive workers from already has its own post-arrival gap."""
    corridor_gaps = [
        CorridorGap(row, stage)
        for row in result.corridors
        if row.origin and row.destination and receives_workers(row.recruited, len(row.employers))
        for stage in STAGES
        if row.stage(stage).sessions == 0
    ]
    covered_post = {
        (g.corridor.origin, g.corridor.destination)
        for g in corridor_gaps
        if g.stage == "post_arrival"
    }
    employer_gaps = [
        EmployerGap(row)
        for row in result.employers
        if row.corridors
        and row.recruited != 0
        and row.post_arrival.sessions == 0
        and not all(c in covered_post for c in row.corridors)
    ]
    return corridor_gaps, employer_gaps


# Languages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spoken:
    """The languages the workers of a corridor (at an employer) speak, and where that is from."""

    languages: tuple[str, ...]
    source: str  # GROUP_SOURCE or CLDR_SOURCE; "" when unknown
    groups: tuple[int, ...] = ()


@dataclass(frozen=True)
class LanguageMismatch:
    """Sessions of one corridor (and employer) given in a language the workers do not speak."""

    origin: str
    destination: str
    language: str
    employer_node_id: int | None
    session_ids: tuple[int, ...]
    workers_reached: int
    spoken: Spoken


class WorkerLanguages:
    """Which languages the workers of a corridor speak, with the worker groups indexed once."""

    def __init__(self, graph: nx.MultiDiGraph, group_languages: Mapping[int, tuple[str, ...]]):
        self._languages = group_languages
        self._groups: dict[Corridor, list[int]] = defaultdict(list)
        self._at: dict[tuple[Corridor, int], list[int]] = defaultdict(list)
        for node, data in graph.nodes(data=True):
            if data["kind"] != "worker_group":
                continue
            keys = {(data.get("origin"), data.get("destination"))}
            for _source, target, edge in graph.out_edges(node, data=True):
                if edge["kind"] == "employed_by":
                    corridor = edge_corridor(graph, node, target, edge)
                    keys.add(corridor)
                    self._at[(corridor, int(target))].append(int(node))
            for key in keys:
                self._groups[key].append(int(node))

    def spoken(self, origin: str, destination: str, employer: int | None) -> Spoken:
        corridor = (origin, destination)
        groups = (self._at.get((corridor, employer), []) if employer is not None else []) or (
            self._groups.get(corridor, [])
        )
        described = [g for g in groups if self._languages.get(g)]
        if described:
            found = tuple(dict.fromkeys(lang for g in described for lang in self._languages[g]))
            return Spoken(found, GROUP_SOURCE, tuple(sorted(described)))
        official = cldr_languages(origin)
        return Spoken(official, CLDR_SOURCE if official else "")


def language_mismatches(graph: nx.MultiDiGraph, facts: OrientationFacts) -> list[LanguageMismatch]:
    """Sessions whose language is not one the workers speak, grouped by corridor, language and
    employer; sessions for workers whose languages are unknown are never a mismatch."""
    languages = WorkerLanguages(graph, facts.group_languages)
    grouped: dict[tuple[str, str, str, int | None], list[SessionFacts]] = defaultdict(list)
    spoken_by: dict[tuple[str, str, str, int | None], Spoken] = {}
    for item in facts.sessions:
        spoken = languages.spoken(item.origin, item.destination, item.employer_node_id)
        language = primary_language(item.language)
        if not spoken.languages or language in spoken.languages:
            continue
        key = (item.origin, item.destination, language, item.employer_node_id)
        grouped[key].append(item)
        spoken_by[key] = spoken
    return [
        LanguageMismatch(
            origin=key[0],
            destination=key[1],
            language=key[2],
            employer_node_id=key[3],
            session_ids=tuple(sorted(s.id for s in found)),
            workers_reached=sum(s.workers_reached for s in found),
            spoken=spoken_by[key],
        )
        for key, found in sorted(grouped.items(), key=lambda kv: (kv[0][:3], kv[0][3] or 0))
    ]
