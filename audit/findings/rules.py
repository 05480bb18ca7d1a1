"""Which findings a scored network yields: the rules, kept pure so each can be tested alone.

- every red-flag answer is a finding of the flag's severity (critical, or high for excessive
  overtime), code = the red flag's code;
- a weak principle score becomes a ``WEAK_PRINCIPLE`` finding: below 40 high, below 60 medium,
  below 75 low (``PRINCIPLE_THRESHOLDS``);
- data gaps: a recruiter without any assessment (``GAP_UNASSESSED_RECRUITER``: high for
  sub-agents and informal brokers, medium for agencies), an assessment older than the profile's
  maximum age (``GAP_STALE_ASSESSMENT``, medium), an employer declaring migrant workers with no
  recruiter mapped (``GAP_UNMAPPED_RECRUITMENT``, high), a recruiter without a licence
  (``GAP_UNLICENSED_RECRUITER``, high) unless its own answers already raised the unlicensed
  red flag.

Each finding has a stable key built from what it is about (rule, node's external id, code or
principle), never from database ids or scores, so re-scoring updates it instead of duplicating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import networkx as nx

from core.severity import SEVERITY_RANK
from questionnaires.standards import principles
from scoring.network import NetworkScores

PRINCIPLE_THRESHOLDS: tuple[tuple[float, str], ...] = ((40, "high"), (60, "medium"), (75, "low"))
RISKY_ROLES = frozenset({"sub_agent", "informal_broker"})


@dataclass
class FindingDraft:
    key: str
    code: str
    severity: str
    node_id: int | None
    principle: str | None
    title: str
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    chain: list[int] = field(default_factory=list)


def downstream_chain(graph: nx.MultiDiGraph, node_id: int, company: int | None) -> list[int]:
    """The path from the node to the buying company: the chain the finding sits in."""
    if company is None or node_id == company:
        return [node_id]
    try:
        return [int(n) for n in nx.shortest_path(graph, node_id, company)]
    except nx.NetworkXNoPath:
        return [node_id]


def principle_severity(score: float) -> str | None:
    for limit, severity in PRINCIPLE_THRESHOLDS:
        if score < limit:
            return severity
    return None


def generate(graph: nx.MultiDiGraph, scores: NetworkScores, now: datetime) -> list[FindingDraft]:
    drafts: list[FindingDraft] = []
    known = principles()
    for node_id, score in scores.nodes.items():
        node = score.node
        chain = downstream_chain(graph, node_id, scores.company)
        assessment = score.assessment
        compliance = score.compliance
        if compliance is not None and assessment is not None:
            for flag in compliance.red_flags:
                drafts.append(
                    FindingDraft(
                        key=f"redflag:{node.external_id}:{flag.code}",
                        code=flag.code,
                        severity=flag.severity,
                        node_id=node_id,
                        principle=flag.evidences[0] if flag.evidences else None,
                        title=f"{flag.title}: {node.name}",
                        detail=f"Answer to {flag.question_id} ({flag.question_text}): "
                        f"{flag.answer_words or _show(flag.answer)}",
                        evidence={
                            "assessment_id": assessment.assessment_id,
                            "questionnaire": assessment.questionnaire_label,
                            "status": assessment.status,
                            "question_id": flag.question_id,
                            "question": flag.question_text,
                            "answer": flag.answer,
                            "evidences": list(flag.evidences),
                        },
                        chain=chain,
                    )
                )
            for tag, value in compliance.principles.items():
                severity = principle_severity(value)
                if severity is None:
                    continue
                weakest = [c for c in compliance.weakest(20) if tag in c.evidences][:3]
                label = known[tag].label if tag in known else tag
                drafts.append(
                    FindingDraft(
                        key=f"principle:{node.external_id}:{tag}",
                        code="WEAK_PRINCIPLE",
                        severity=severity,
                        node_id=node_id,
                        principle=tag,
                        title=f"Weak on {label}: {node.name}",
                        detail=f"Score {value:g}/100 on {label}.",
                        evidence={
                            "assessment_id": assessment.assessment_id,
                            "questionnaire": assessment.questionnaire_label,
                            "score": value,
                            "answers": [
                                {
                                    "question_id": c.question_id,
                                    "question": c.question_text,
                                    "answer": c.answer,
                                    "fraction": round(c.fraction, 2),
                                }
                                for c in weakest
                            ],
                        },
                        chain=chain,
                    )
                )
        drafts.extend(_gap_findings(graph, scores, node_id, chain, now))
    return sorted(drafts, key=lambda d: (SEVERITY_RANK[d.severity], d.key))


def _gap_findings(
    graph: nx.MultiDiGraph,
    scores: NetworkScores,
    node_id: int,
    chain: list[int],
    now: datetime,
) -> list[FindingDraft]:
    score = scores.nodes[node_id]
    node = score.node
    drafts: list[FindingDraft] = []
    if node.kind == "recruiter" and score.assessment is None:
        drafts.append(
            FindingDraft(
                key=f"gap:unassessed:{node.external_id}",
                code="GAP_UNASSESSED_RECRUITER",
                severity="high" if node.role in RISKY_ROLES else "medium",
                node_id=node_id,
                principle=None,
                title=f"Recruiter not assessed: {node.name}",
                detail=f"{(node.role or 'recruiter').replace('_', ' ')} in {node.country} has no "
                "submitted self-assessment.",
                chain=chain,
            )
        )
    if score.assessment is not None:
        age = (now - score.assessment.completed_at).days
        if age > scores.profile.assessment_max_age_days:
            drafts.append(
                FindingDraft(
                    key=f"gap:stale:{node.external_id}",
                    code="GAP_STALE_ASSESSMENT",
                    severity="medium",
                    node_id=node_id,
                    principle=None,
                    title=f"Assessment out of date: {node.name}",
                    detail=f"The assessment is {age} days old (limit "
                    f"{scores.profile.assessment_max_age_days}).",
                    evidence={"assessment_id": score.assessment.assessment_id},
                    chain=chain,
                )
            )
    if (
        node.kind == "recruiter"
        and score.licensed is False
        and not any(f.code == "RF_UNLICENSED_OPERATION" for f in score.red_flags)
    ):
        drafts.append(
            FindingDraft(
                key=f"gap:unlicensed:{node.external_id}",
                code="GAP_UNLICENSED_RECRUITER",
                severity="high",
                node_id=node_id,
                principle="iris:A",
                title=f"Recruiter without a known licence: {node.name}",
                detail="No licence number in the network and no assessment answer confirming one.",
                chain=chain,
            )
        )
    if node.kind in ("supplier", "company") and (node.migrant_workers or 0) > 0:
        delivered = any(
            d["kind"] in ("recruits_for", "employed_by")
            for _s, _t, d in graph.in_edges(node_id, data=True)
        )
        if not delivered:
            drafts.append(
                FindingDraft(
                    key=f"gap:unmapped:{node.external_id}",
                    code="GAP_UNMAPPED_RECRUITMENT",
                    severity="high",
                    node_id=node_id,
                    principle="crest:PILLAR-3",
                    title=f"Recruitment not mapped: {node.name}",
                    detail=f"Declares {node.migrant_workers} migrant workers but no recruiter or "
                    "worker group is mapped to it.",
                    chain=chain,
                )
            )
    return drafts


def _show(answer: Any) -> str:
    if isinstance(answer, list):
        return ", ".join(str(a) for a in answer)
    return str(answer)
