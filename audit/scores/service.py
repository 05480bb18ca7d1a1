"""Scores of a network: gathers the inputs from the database, calls the pure scorer, caches.

Results are cached per network version, organisation settings and assessment state. When only
assessments changed since the cached result, just the changed nodes and what lies downstream of
them are recomputed (``scoring.network.rescore``), which keeps re-scoring a 100,000-node network
after one review well under a second. The cache lives in process memory and is keyed so that a
second API process can never serve a stale answer: a change anywhere changes the key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import networkx as nx
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
    fingerprints: dict[int, str]
    scores: NetworkScores


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


def assessment_facts(session: Session, network: Network) -> dict[int, AssessmentFacts]:
    """Per node: the latest accepted assessment, else the latest submitted one (provisional)."""
    rows = session.exec(
        select(Assessment, QuestionnaireRecord)
        .join(QuestionnaireRecord, col(QuestionnaireRecord.id) == Assessment.questionnaire_id)
        .where(
            Assessment.network_id == network.id,
            col(Assessment.status).in_((AssessmentStatus.accepted, AssessmentStatus.submitted)),
        )
        .order_by(col(Assessment.id))
    ).all()
    chosen: dict[int, tuple[tuple[int, datetime, int], AssessmentFacts]] = {}
    for assessment, record in rows:
        accepted = assessment.status == AssessmentStatus.accepted
        completed = (assessment.reviewed_at if accepted else assessment.submitted_at) or (
            assessment.updated_at
        )
        rank = (1 if accepted else 0, completed, assessment.id or 0)
        current = chosen.get(assessment.node_id)
        if current is not None and current[0] >= rank:
            continue
        questionnaire = questionnaires.parsed(record)
        chosen[assessment.node_id] = (
            rank,
            AssessmentFacts(
                assessment_id=assessment.id or 0,
                node_id=assessment.node_id,
                questionnaire=questionnaire,
                questionnaire_label=f"{record.key} v{record.version}",
                answers=assessment.answers,
                status=assessment.status.value,
                completed_at=completed,
                fingerprint=f"{assessment.id}:{assessment.status}:{assessment.updated_at}",
            ),
        )
    return {node_id: facts for node_id, (_rank, facts) in chosen.items()}


def scoring_context(
    session: Session, network: Network, *, now: datetime | None = None
) -> ScoringContext:
    graph = network_graph(session, network)
    reference, reference_key = organisation_reference(session, network.organisation_id)
    profile = organisation_profile(session, network.organisation_id)
    assessments = assessment_facts(session, network)
    fingerprints = {node: facts.fingerprint for node, facts in assessments.items()}
    moment = now or datetime.now(UTC)
    settings_key = (reference_key, profile.model_dump_json(), moment.date().isoformat())
    key = (network.id, network.created_at.isoformat())
    with _lock:
        entry = _cache.get(key)
    if (
        entry is not None
        and entry.version == network.version
        and entry.settings_key == settings_key
    ):
        if entry.fingerprints == fingerprints:
            return ScoringContext(graph, entry.scores, reference, assessments)
        changed = {
            node
            for node in set(entry.fingerprints) | set(fingerprints)
            if entry.fingerprints.get(node) != fingerprints.get(node)
        }
        scores = rescore(entry.scores, graph, changed, assessments, reference, moment)
    else:
        scores = score_network(graph, assessments, reference, profile, moment)
    with _lock:
        _cache[key] = _Entry(network.version, settings_key, fingerprints, scores)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return ScoringContext(graph, scores, reference, assessments)
