"""Risk of every node, and how it flows through the network to the buying company.

Node risk combines the compliance score (answers) and inherent risk (reference data). Exposure
then follows edges towards the buyer: a node is exposed to its own risk and to the risk of
whatever feeds it, discounted per hop (``decay``) and by the share of its migrant workers an
edge carries. The best value over all paths is a widest-path problem, solved with a max-heap
Dijkstra, which also records for each node the chain that sets its exposure. Separately, a node
with a critical red flag puts every node downstream on a critical chain, however small the
numbers, because one worker in debt bondage is not diluted by a thousand who are fine: such a
node's exposure is at least the profile's ``red_flag_floor`` and its exposure band is critical,
so the number and the band always agree.

Pure: the input is the NetworkX graph from ``supplychain.graph`` plus plain facts.
"""

from __future__ import annotations

import gc
import heapq
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import networkx as nx

from questionnaires.definition import Questionnaire
from scoring import inherent as parts
from scoring.compliance import ComplianceResult, RedFlagHit, compliance_score
from scoring.facts import AssessmentFacts, NodeFacts
from scoring.profile import ScoringProfile
from scoring.reference import ReferenceData
from supplychain.analysis import edge_corridor

LABOUR = frozenset({"recruits_for", "refers_to", "employed_by"})
Band = Literal["low", "medium", "high", "critical", "insufficient_data"]
BANDS: tuple[Band, ...] = ("low", "medium", "high", "critical")  # graded bands, lowest first
INSUFFICIENT: Band = "insufficient_data"  # nothing known about the node: never low


@dataclass(slots=True)  # one per node per run: no frozen overhead
class NodeScore:
    node: NodeFacts
    compliance: ComplianceResult | None
    assessment: AssessmentFacts | None
    inherent: parts.InherentResult
    licensed: bool | None
    corridors: tuple[tuple[str, str], ...]
    risk: float
    band: str
    formula: str

    @property
    def insufficient(self) -> bool:
        """No scored answers, no red flag and no reference figure: the risk is unknown."""
        return self.band == INSUFFICIENT

    @property
    def red_flags(self) -> tuple[RedFlagHit, ...]:
        return self.compliance.red_flags if self.compliance else ()

    @property
    def critical(self) -> bool:
        return any(f.severity == "critical" for f in self.red_flags)


@dataclass
class Propagation:
    """Exposure labels and the pointers that rebuild each node's chains."""

    # Raw propagated values at full precision; what people see goes through
    # ``NetworkScores.exposure``, which adds the red-flag floor on critical chains.
    exposure: dict[int, float] = field(default_factory=dict)
    via: dict[int, int | None] = field(default_factory=dict)  # upstream node setting exposure
    flag_via: dict[int, int | None] = field(default_factory=dict)  # towards a red-flagged node
    flag_hops: dict[int, int] = field(default_factory=dict)
    # Nodes whose exposure rests on something known, here or upstream; the others' exposure is
    # unknown, whatever number the data-gap penalty gives it.
    informed: set[int] = field(default_factory=set)


@dataclass
class NetworkScores:
    profile: ScoringProfile
    reference_overrides: tuple[str, ...]
    nodes: dict[int, NodeScore]
    propagation: Propagation
    company: int | None

    def exposure(self, node_id: int) -> float:
        """The exposure everyone shows and counts: the propagated value, raised to at least
        ``red_flag_floor`` on a critical chain (the number reflects the chain, and a critical
        band never comes with a number below the floor), rounded for people. Propagation keeps
        its raw full-precision values, so partial re-scoring and scoring from scratch agree to
        the last digit; the floor is applied here, the one place every consumer goes through."""
        value = self.propagation.exposure[node_id]
        if node_id in self.propagation.flag_hops:
            value = max(value, self.profile.red_flag_floor)
        return round(value, 2)

    def exposure_band(self, node_id: int) -> str:
        """Critical exactly on a critical chain (whose ``exposure`` is then at least the floor);
        otherwise the band of the number, or insufficient data when nothing known feeds it."""
        flagged = node_id in self.propagation.flag_hops
        if not flagged and node_id not in self.propagation.informed:
            return INSUFFICIENT
        return self.profile.band(self.exposure(node_id), critical_flag=flagged)

    def unknown_share(self) -> tuple[int, int]:
        """Suppliers and recruiters with insufficient data, of all suppliers and recruiters."""
        assessed = [s for s in self.nodes.values() if s.node.kind in ("supplier", "recruiter")]
        return sum(1 for s in assessed if s.insufficient), len(assessed)

    def riskiest_chain(self, node_id: int) -> list[int]:
        """From the upstream node that sets this node's exposure down to the node itself."""
        return _follow(self.propagation.via, node_id)

    def critical_chain(self, node_id: int) -> list[int] | None:
        """From the nearest upstream node with a critical red flag down to this node."""
        if node_id not in self.propagation.flag_hops:
            return None
        return _follow(self.propagation.flag_via, node_id)


def _follow(pointers: dict[int, int | None], node_id: int) -> list[int]:
    path = [node_id]
    seen = {node_id}
    current = pointers.get(node_id)
    while current is not None and current not in seen:
        path.append(current)
        seen.add(current)
        current = pointers.get(current)
    return list(reversed(path))


# Node risk ------------------------------------------------------------------------------------


def node_corridors(
    graph: nx.MultiDiGraph,
    node_id: int,
    destinations: dict[Any, frozenset[str]] | None = None,
) -> tuple[tuple[str, str], ...]:
    """Origin -> destination pairs of the labour edges a node takes part in."""
    found: list[tuple[str, str]] = []
    data = graph.nodes[node_id]
    if data["kind"] == "worker_group" and data.get("origin") and data.get("destination"):
        found.append((data["origin"], data["destination"]))
    outgoing = data["kind"] == "recruiter"
    # Adjacency dicts directly: edge views cost more than the work on a 100,000-node network.
    neighbours = graph.succ[node_id] if outgoing else graph.pred[node_id]
    for other, keyed in neighbours.items():
        source, target = (node_id, other) if outgoing else (other, node_id)
        for edge in keyed.values():
            if edge["kind"] in LABOUR:
                origin, destination = edge_corridor(graph, source, target, edge, destinations)
                if origin and destination and origin != destination:
                    found.append((origin, destination))
    return tuple(dict.fromkeys(found))


RECRUITING = frozenset({"recruiter", "worker_group"})


def scored_corridors(
    graph: nx.MultiDiGraph, node_id: int, destinations: dict[Any, frozenset[str]] | None = None
) -> tuple[tuple[str, str], ...]:
    """The corridors that count in a node's own risk: only those who recruit carry them (an
    employer's corridors reach it through propagation, and are shown on demand)."""
    if graph.nodes[node_id]["kind"] not in RECRUITING:
        return ()
    return node_corridors(graph, node_id, destinations)


def licence_status(node: NodeFacts, assessment: AssessmentFacts | None) -> bool | None:
    """A recruiter's own answer wins over the network file; no licence number means none known."""
    if node.kind != "recruiter":
        return None
    if assessment is not None:
        question = assessment.questionnaire.by_data_key("licence_held")
        answer = assessment.answers.get(question.id) if question else None
        if answer in ("yes", "no"):
            return answer == "yes"
    return bool(node.licence and node.licence.strip())


class _Memo:
    """Reference components repeat across thousands of nodes; compute each distinct one once."""

    def __init__(self, reference: ReferenceData, profile: ScoringProfile) -> None:
        self.reference, self.profile = reference, profile
        self.country: dict[tuple[str, ...], parts.Component] = {}
        self.corridor: dict[tuple[tuple[tuple[str, str], ...], bool], parts.Component] = {}
        self.sector: dict[tuple[str, str | None, str, str | None], parts.Component] = {}
        self.role: dict[tuple[str, str | None, bool | None], parts.Component] = {}
        self.gap: dict[tuple[Any, ...], parts.Component] = {}
        self.inherent: dict[tuple[int, ...], parts.InherentResult] = {}

    def country_of(self, countries: tuple[str, ...]) -> parts.Component:
        if countries not in self.country:
            self.country[countries] = parts.country_component(
                list(countries), self.reference, self.profile
            )
        return self.country[countries]

    def corridor_of(
        self, corridors: tuple[tuple[str, str], ...], recruits: bool
    ) -> parts.Component:
        key = (corridors, recruits)
        if key not in self.corridor:
            self.corridor[key] = parts.corridor_component(
                list(corridors), self.reference, self.profile, recruits=recruits
            )
        return self.corridor[key]

    def sector_of(self, node: NodeFacts) -> parts.Component:
        key = (node.country, node.sector, node.kind, node.products)
        if key not in self.sector:
            self.sector[key] = parts.sector_component(node, self.reference, self.profile)
        return self.sector[key]

    def role_of(self, node: NodeFacts, licensed: bool | None) -> parts.Component:
        key = (node.kind, node.role, licensed)
        if key not in self.role:
            self.role[key] = parts.role_component(node, licensed, self.profile)
        return self.role[key]

    def gap_of(
        self, node: NodeFacts, assessment: AssessmentFacts | None, now: datetime
    ) -> parts.Component:
        key: tuple[Any, ...] = (node.kind,)
        if assessment is not None:
            key = (node.kind, assessment.status, (now - assessment.completed_at).days)
        if key not in self.gap:
            self.gap[key] = parts.data_gap_component(node, assessment, self.profile, now)
        return self.gap[key]

    def inherent_of(self, components: list[parts.Component]) -> parts.InherentResult:
        """Components are shared objects from the memos above, so their identities are a key."""
        key = tuple(id(c) for c in components)
        if key not in self.inherent:
            self.inherent[key] = parts.inherent_risk(components)
        return self.inherent[key]


def score_node(
    node: NodeFacts,
    corridors: tuple[tuple[str, str], ...],
    assessment: AssessmentFacts | None,
    memo: _Memo,
    now: datetime,
) -> NodeScore:
    profile = memo.profile
    compliance = None
    if assessment is not None:
        compliance = compliance_score(
            assessment.questionnaire, assessment.answers, provisional=assessment.provisional
        )
    licensed = licence_status(node, assessment)
    # Only those who recruit carry their corridors' country and cost risk themselves; an
    # employer receives it through propagation from its recruiters, so mapping one more
    # recruiter can never make the employer look safer.
    own = corridors if node.kind in RECRUITING else ()
    origins = tuple(o for o, _ in own)
    components = [
        memo.country_of((node.country, *origins)),
        memo.sector_of(node),
        memo.corridor_of(own, node.kind in RECRUITING),
        memo.role_of(node, licensed),
        memo.gap_of(node, assessment, now),
    ]
    inherent = memo.inherent_of(components)
    if compliance is not None and compliance.score is not None:
        weight = profile.compliance_weight
        risk = weight * (100 - compliance.score) + (1 - weight) * inherent.score
        formula = (
            f"{weight:g} x (100 - compliance {compliance.score:g}) + {1 - weight:g} x "
            f"inherent {inherent.score:g}"
        )
    else:
        risk = inherent.score
        formula = f"inherent {inherent.score:g} (no scored answers)"
    flags = compliance.red_flags if compliance else ()
    critical = any(f.severity == "critical" for f in flags)
    if critical:
        risk = max(risk, profile.red_flag_floor)
        formula += f"; a critical red flag raises it to at least {profile.red_flag_floor:g}"
    elif flags:
        risk = max(risk, profile.band_high)
        formula += f"; a high red flag raises it to at least {profile.band_high:g}"
    risk = round(max(0.0, min(100.0, risk)), 2)
    scored = compliance is not None and compliance.score is not None
    band = profile.band(risk, critical_flag=critical)
    if not (scored or flags or inherent.evidence):
        band = INSUFFICIENT
        formula += "; insufficient data: no scored answers and no reference figure"
    return NodeScore(
        node=node,
        compliance=compliance,
        assessment=assessment,
        inherent=inherent,
        licensed=licensed,
        corridors=corridors,
        risk=risk,
        band=band,
        formula=formula,
    )


# Propagation ----------------------------------------------------------------------------------


def edge_weight(graph: nx.MultiDiGraph, source: int, target: int, profile: ScoringProfile) -> float:
    """How much of ``source``'s exposure reaches ``target`` over their strongest edge."""
    workforce = graph.nodes[target].get("migrant_workers") or graph.nodes[target].get("workers")
    best = 0.0
    for data in graph.get_edge_data(source, target).values():
        workers = data.get("workers")
        if workers is None or not workforce:
            share = 1.0
        else:
            share = max(profile.min_worker_share, min(1.0, workers / workforce))
        best = max(best, profile.decay * share)
    return best


def propagate(
    graph: nx.MultiDiGraph,
    nodes: dict[int, NodeScore],
    profile: ScoringProfile,
    *,
    within: set[int] | None = None,
    previous: Propagation | None = None,
) -> Propagation:
    """Exposure for every node (or only ``within``, keeping ``previous`` labels elsewhere)."""
    result = Propagation()
    if previous is not None:
        result.exposure = dict(previous.exposure)
        result.via = dict(previous.via)
        result.flag_via = dict(previous.flag_via)
        result.flag_hops = dict(previous.flag_hops)
        result.informed = set(previous.informed)
    region = set(graph.nodes) if within is None else within
    heap: list[tuple[float, int]] = []
    for node_id in region:
        result.exposure[node_id] = nodes[node_id].risk
        result.via[node_id] = None
        result.flag_via.pop(node_id, None)
        result.flag_hops.pop(node_id, None)
    if within is not None:  # seed the region from its unchanged neighbours upstream
        for node_id in region:
            for source in graph.predecessors(node_id):
                if source in region:
                    continue
                candidate = result.exposure[source] * edge_weight(graph, source, node_id, profile)
                if candidate > result.exposure[node_id]:
                    result.exposure[node_id] = candidate
                    result.via[node_id] = source
    for node_id in region:
        heapq.heappush(heap, (-result.exposure[node_id], node_id))
    done: set[int] = set()
    while heap:
        negative, node_id = heapq.heappop(heap)
        if node_id in done or -negative < result.exposure[node_id]:
            continue
        done.add(node_id)
        for target in graph.successors(node_id):
            if target not in region or target in done:
                continue
            candidate = -negative * edge_weight(graph, node_id, target, profile)
            if candidate > result.exposure[target] + 1e-9:
                result.exposure[target] = candidate
                result.via[target] = node_id
                heapq.heappush(heap, (-candidate, target))
    _flag_paths(graph, nodes, region, result, seeded=within is not None)
    _informed(graph, nodes, region, result, seeded=within is not None)
    return result


def _informed(
    graph: nx.MultiDiGraph,
    nodes: dict[int, NodeScore],
    region: set[int],
    result: Propagation,
    *,
    seeded: bool,
) -> None:
    """Everything downstream of a node with known data has an exposure resting on knowledge;
    a node fed only by nodes with insufficient data stays unknown, not low."""
    result.informed -= region
    queue: deque[int] = deque(n for n in region if not nodes[n].insufficient)
    if seeded:
        queue.extend(
            node_id
            for node_id in region
            if any(s not in region and s in result.informed for s in graph.predecessors(node_id))
        )
    result.informed.update(queue)
    while queue:
        node_id = queue.popleft()
        for target in graph.successors(node_id):
            if target in region and target not in result.informed:
                result.informed.add(target)
                queue.append(target)


def _flag_paths(
    graph: nx.MultiDiGraph,
    nodes: dict[int, NodeScore],
    region: set[int],
    result: Propagation,
    *,
    seeded: bool,
) -> None:
    """Shortest path from a node with a critical red flag to everything downstream of it."""
    queue: deque[int] = deque()
    starts: list[tuple[int, int, int | None]] = [(0, n, None) for n in region if nodes[n].critical]
    if seeded:
        for node_id in region:
            for source in graph.predecessors(node_id):
                if source not in region and source in result.flag_hops:
                    starts.append((result.flag_hops[source] + 1, node_id, source))
    for hops, node_id, via in sorted(starts, key=lambda s: (s[0], s[1])):
        if node_id in result.flag_hops and result.flag_hops[node_id] <= hops:
            continue
        result.flag_hops[node_id] = hops
        result.flag_via[node_id] = via
        queue.append(node_id)
    # Seeds may have different depths, so settle in order of hops (a BFS per layer).
    while queue:
        node_id = queue.popleft()
        for target in graph.successors(node_id):
            if target not in region:
                continue
            hops = result.flag_hops[node_id] + 1
            if target not in result.flag_hops or result.flag_hops[target] > hops:
                result.flag_hops[target] = hops
                result.flag_via[target] = node_id
                queue.append(target)


# Whole network --------------------------------------------------------------------------------


def company_of(graph: nx.MultiDiGraph) -> int | None:
    return next((n for n, d in graph.nodes(data=True) if d["kind"] == "company"), None)


def score_network(
    graph: nx.MultiDiGraph,
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
    profile: ScoringProfile,
    now: datetime,
) -> NetworkScores:
    with _no_cyclic_gc():
        return _score_network(graph, assessments, reference, profile, now)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Scoring builds hundreds of thousands of small acyclic objects; the cyclic collector's
    repeated scans of them cost about a sixth of the run and would free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _score_network(
    graph: nx.MultiDiGraph,
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
    profile: ScoringProfile,
    now: datetime,
) -> NetworkScores:
    memo = _Memo(reference, profile)
    destinations: dict[Any, frozenset[str]] = {}
    nodes = {
        node_id: score_node(
            NodeFacts.from_graph(node_id, data),
            scored_corridors(graph, node_id, destinations),
            assessments.get(node_id),
            memo,
            now,
        )
        for node_id, data in graph.nodes(data=True)
    }
    return NetworkScores(
        profile=profile,
        reference_overrides=reference.overrides,
        nodes=nodes,
        propagation=propagate(graph, nodes, profile),
        company=company_of(graph),
    )


def rescore(
    previous: NetworkScores,
    graph: nx.MultiDiGraph,
    changed: set[int],
    assessments: dict[int, AssessmentFacts],
    reference: ReferenceData,
    now: datetime,
) -> NetworkScores:
    """After some nodes' assessments changed (same graph): only they and what lies downstream
    of them are recomputed; the result equals a full ``score_network``."""
    memo = _Memo(reference, previous.profile)
    nodes = dict(previous.nodes)
    for node_id in changed:
        nodes[node_id] = score_node(
            NodeFacts.from_graph(node_id, graph.nodes[node_id]),
            scored_corridors(graph, node_id),
            assessments.get(node_id),
            memo,
            now,
        )
    region = set(changed)
    for node_id in changed:
        region |= nx.descendants(graph, node_id)
    return NetworkScores(
        profile=previous.profile,
        reference_overrides=previous.reference_overrides,
        nodes=nodes,
        propagation=propagate(
            graph, nodes, previous.profile, within=region, previous=previous.propagation
        ),
        company=previous.company,
    )


def questionnaire_label(questionnaire: Questionnaire) -> str:
    return f"{questionnaire.id} v{questionnaire.version}"
