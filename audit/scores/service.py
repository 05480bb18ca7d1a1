"""Scores of a network: gathers the inputs from the database, calls the pure scorer, caches.

Results are cached per network version, organisation settings and assessment state. When only
assessments changed since the cached result, just the changed nodes and what lies downstream of
them are recomputed (``scoring.network.rescore``), which keeps re-scoring a 100,000-node network
after one review well under a second. The cache lives in process memory and is keyed so that a
second API process can never serve a stale answer: a change anywhere changes the key.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import networkx as nx
from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from audit.scores.models import CountryOverride, ScoringSettings
from questionnaires import service as questionnaires
from questionnaires.models import Assessment, AssessmentStatus, QuestionnaireRecord
from scoring.facts import AssessmentFacts
from scoring.network import NetworkScores, rescore, score_network
from scoring.profile import ScoringProfile, adjusted_profile
from scoring.reference import ReferenceData, shipped_reference
from supplychain.graph import network_graph
from supplychain.models import Network

_CACHE_SIZE = 16
_lock = threading.Lock()


@dataclass
class _Entry:
    version: int
    settings_key: tuple[Any, ...]
    stamp: tuple[Any, ...]
    fingerprints: dict[int, str]
    scores: NetworkScores
    assessments: dict[int, AssessmentFacts]


_cache: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()


@dataclass(frozen=True)
class ScoringContext:
    graph: nx.MultiDiGraph
    scores: NetworkScores
    reference: ReferenceData
    assessments: dict[int, AssessmentFacts]


def organisation_reference(
    session: Session, organisation_id: int
) -> tuple[ReferenceData, tuple[Any, ...]]:
    overrides = session.exec(
        select(CountryOverride)
        .where(CountryOverride.organisation_id == organisation_id)
        .order_by(CountryOverride.iso2)
    ).all()
    reference = shipped_reference()
    if overrides:
        reference = reference.with_country_overrides(
            {o.iso2: {**o.values, **_source_fields(o)} for o in overrides},
            label="the organisation's own ratings",
        )
    key = tuple((o.iso2, o.updated_at.isoformat()) for o in overrides)
    return reference, key


def _source_fields(override: CountryOverride) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "tip_tier" in override.values:
        fields["tip_source"] = f"Organisation override: {override.source}"
    if {"gsi_prevalence", "gsi_vulnerability"} & set(override.values):
        fields["gsi_source"] = f"Organisation override: {override.source}"
    return fields


def organisation_profile(session: Session, organisation_id: int, name: str = "") -> ScoringProfile:
    settings = session.exec(
        select(ScoringSettings).where(ScoringSettings.organisation_id == organisation_id)
    ).first()
    if settings is None or not settings.weights:
        return ScoringProfile()
    return adjusted_profile(settings.weights, name or f"organisation {organisation_id}")


@dataclass(frozen=True)
class _Choice:
    """The assessment a node is scored on, known from a few columns before any answer is read."""

    assessment_id: int
    questionnaire_id: int
    status: str
    completed_at: datetime
    fingerprint: str


@dataclass(frozen=True)
class ScoringInputs:
    """What the scores of a network depend on, read with cheap queries: comparing two of these
    tells whether cached scores still hold without loading a single assessment row."""

    network_key: tuple[Any, ...]
    version: int
    settings_key: tuple[Any, ...]
    assessments_stamp: tuple[Any, ...]
    reference: ReferenceData
    profile: ScoringProfile
    moment: datetime

    def digest(self) -> str:
        """One string for "the scores' inputs": the findings of a network are current when they
        were generated from inputs with this digest."""
        state = {
            "version": self.version,
            "assessments": [str(part) for part in self.assessments_stamp],
            "settings": [str(part) for part in self.settings_key],
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


_SCORED = (AssessmentStatus.accepted, AssessmentStatus.submitted)


def _assessments_stamp(session: Session, network: Network) -> tuple[Any, ...]:
    """One aggregate row that changes whenever a submitted or accepted assessment is added,
    removed, reviewed or edited (each of those moves ``updated_at``, a count or a sum): the
    cache check of a 100,000-node network reads one row instead of 29,000."""
    row = session.execute(
        sa_select(
            func.count(),
            func.coalesce(func.sum(col(Assessment.id)), 0),
            func.sum(case((col(Assessment.status) == AssessmentStatus.accepted, 1), else_=0)),
            func.max(col(Assessment.updated_at)),
            func.max(col(Assessment.reviewed_at)),
            func.max(col(Assessment.submitted_at)),
        ).where(
            col(Assessment.network_id) == network.id,
            col(Assessment.status).in_(_SCORED),
        )
    ).one()
    return tuple(row)


def _choices(session: Session, network: Network) -> dict[int, _Choice]:
    """Per node: the latest accepted assessment, else the latest submitted one (provisional),
    from the assessment's own columns only (never its answers or its questionnaire)."""
    rows = session.execute(
        sa_select(
            col(Assessment.id),
            col(Assessment.node_id),
            col(Assessment.questionnaire_id),
            col(Assessment.status),
            col(Assessment.reviewed_at),
            col(Assessment.submitted_at),
            col(Assessment.updated_at),
        ).where(
            col(Assessment.network_id) == network.id,
            col(Assessment.status).in_(_SCORED),
        )
    ).all()
    ranks: dict[int, tuple[int, datetime, int]] = {}
    chosen: dict[int, _Choice] = {}
    for assessment_id, node_id, questionnaire_id, status, reviewed, submitted, updated in rows:
        accepted = status == AssessmentStatus.accepted
        completed = (reviewed if accepted else submitted) or updated
        rank = (1 if accepted else 0, completed, assessment_id or 0)
        current = ranks.get(node_id)
        if current is not None and current >= rank:
            continue
        ranks[node_id] = rank
        chosen[node_id] = _Choice(
            assessment_id=assessment_id or 0,
            questionnaire_id=questionnaire_id,
            status=AssessmentStatus(status).value,
            completed_at=completed,
            fingerprint=f"{assessment_id}:{AssessmentStatus(status)}:{updated}",
        )
    return chosen


_ANSWER_BATCH = 2000


def _facts(session: Session, choices: dict[int, _Choice]) -> dict[int, AssessmentFacts]:
    """Answers of the chosen assessments, with each questionnaire document read and parsed once
    (not once per assessment: at 47 KB each, that decoding cost more than the scoring)."""
    records = {
        qid: session.get(QuestionnaireRecord, qid)
        for qid in {c.questionnaire_id for c in choices.values()}
    }
    by_assessment = {c.assessment_id: node for node, c in choices.items()}
    ids = sorted(by_assessment)
    facts: dict[int, AssessmentFacts] = {}
    for start in range(0, len(ids), _ANSWER_BATCH):
        batch = ids[start : start + _ANSWER_BATCH]
        query = sa_select(col(Assessment.id), col(Assessment.answers)).where(
            col(Assessment.id).in_(batch)
        )
        for assessment_id, answers in session.execute(query).all():
            node = by_assessment[assessment_id or 0]
            choice = choices[node]
            record = records[choice.questionnaire_id]
            assert record is not None  # a foreign key: the record exists
            facts[node] = AssessmentFacts(
                assessment_id=choice.assessment_id,
                node_id=node,
                questionnaire=questionnaires.parsed(record),
                questionnaire_label=f"{record.key} v{record.version}",
                answers=answers,
                status=choice.status,
                completed_at=choice.completed_at,
                fingerprint=choice.fingerprint,
            )
    return facts


def assessment_facts(session: Session, network: Network) -> dict[int, AssessmentFacts]:
    """Per node: the latest accepted assessment, else the latest submitted one (provisional)."""
    return _facts(session, _choices(session, network))


def scoring_inputs(
    session: Session, network: Network, *, now: datetime | None = None
) -> ScoringInputs:
    reference, reference_key = organisation_reference(session, network.organisation_id)
    profile = organisation_profile(session, network.organisation_id)
    moment = now or datetime.now(UTC)
    return ScoringInputs(
        network_key=(network.id, network.created_at.isoformat()),
        version=network.version,
        settings_key=(reference_key, profile.model_dump_json(), moment.date().isoformat()),
        assessments_stamp=_assessments_stamp(session, network),
        reference=reference,
        profile=profile,
        moment=moment,
    )


def scoring_context(
    session: Session, network: Network, *, now: datetime | None = None
) -> ScoringContext:
    """Scores of the network as it stands: from the cache when its inputs are unchanged (a
    cheap check), re-scored from the changed nodes on when only assessments changed. One
    computation per network at a time: a read arriving while the refresh after a write is
    scoring waits for that result instead of computing the same one beside it."""
    inputs = scoring_inputs(session, network, now=now)
    with _network_lock(inputs.network_key):
        return _scored(session, network, inputs)


def _network_lock(key: tuple[Any, ...]) -> threading.Lock:
    with _lock:
        return _computing.setdefault(key, threading.Lock())


_computing: dict[tuple[Any, ...], threading.Lock] = {}


def _scored(session: Session, network: Network, inputs: ScoringInputs) -> ScoringContext:
    graph = network_graph(session, network)
    key = inputs.network_key
    with _lock:
        entry = _cache.get(key)
    same_basis = (
        entry is not None
        and entry.version == inputs.version
        and entry.settings_key == inputs.settings_key
    )
    if entry is not None and same_basis and entry.stamp == inputs.assessments_stamp:
        return ScoringContext(graph, entry.scores, inputs.reference, entry.assessments)
    choices = _choices(session, network)
    fingerprints = {node: choice.fingerprint for node, choice in choices.items()}
    if entry is not None and same_basis:
        changed = {
            node
            for node in set(entry.fingerprints) | set(fingerprints)
            if entry.fingerprints.get(node) != fingerprints.get(node)
        }
        fresh = _facts(session, {n: choices[n] for n in changed if n in choices})
        assessments = {node: fresh.get(node) or entry.assessments[node] for node in choices}
        scores = (
            rescore(entry.scores, graph, changed, assessments, inputs.reference, inputs.moment)
            if changed
            else entry.scores
        )
    else:
        assessments = _facts(session, choices)
        scores = score_network(graph, assessments, inputs.reference, inputs.profile, inputs.moment)
    with _lock:
        _cache[key] = _Entry(
            inputs.version,
            inputs.settings_key,
            inputs.assessments_stamp,
            fingerprints,
            scores,
            assessments,
        )
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return ScoringContext(graph, scores, inputs.reference, assessments)
