"""Compliance score of one assessment: how well the answers meet the standards.

Pure: takes a parsed questionnaire and its answers. The score is the weighted share of the best
possible answers among the scored questions actually asked (hidden questions neither help nor
hurt), so a recruiter with no sub-agents is not marked down for skipping sub-agent questions.
Red flags are collected separately because one of them outweighs any total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from questionnaires.answers import visible_question_ids
from questionnaires.schema import Questionnaire
from questionnaires.standards import principles


@dataclass(frozen=True)
class RedFlagHit:
    code: str
    severity: str
    title: str
    question_id: str
    question_text: str
    answer: Any
    evidences: tuple[str, ...]


@dataclass(frozen=True)
class AnswerContribution:
    """One scored answer and what it earned: the atoms of every explanation."""

    question_id: str
    question_text: str
    section_id: str
    answer: Any
    fraction: float  # 0..1 of the best answer
    weight: float
    evidences: tuple[str, ...]


@dataclass(frozen=True)
class ComplianceResult:
    score: float | None  # 0..100, None when no scored question was answered
    provisional: bool  # from a submitted assessment nobody has reviewed yet
    sections: dict[str, float]
    principles: dict[str, float]
    red_flags: tuple[RedFlagHit, ...]
    contributions: tuple[AnswerContribution, ...]
    unanswered_scored: tuple[str, ...] = field(default=())

    def weakest(self, count: int = 5) -> list[AnswerContribution]:
        ranked = sorted(self.contributions, key=lambda c: (c.fraction, -c.weight, c.question_id))
        return [c for c in ranked if c.fraction < 1][:count]


def _weighted(items: list[AnswerContribution]) -> float | None:
    total = sum(c.weight for c in items)
    if total <= 0:
        return None
    return round(100 * sum(c.weight * c.fraction for c in items) / total, 2)


def compliance_score(
    questionnaire: Questionnaire, answers: dict[str, Any], *, provisional: bool = False
) -> ComplianceResult:
    contributions: list[AnswerContribution] = []
    flags: list[RedFlagHit] = []
    unanswered: list[str] = []
    for question_id in visible_question_ids(questionnaire, answers):
        question = questionnaire.question(question_id)
        value = answers.get(question_id)
        for code in question.red_flags_for(value):
            declared = questionnaire.red_flag(code)
            flags.append(
                RedFlagHit(
                    code=code,
                    severity=declared.severity if declared else "critical",
                    title=declared.title if declared else code,
                    question_id=question_id,
                    question_text=question.text,
                    answer=value,
                    evidences=tuple(question.evidences),
                )
            )
        if not question.is_scored:
            continue
        fraction = question.fraction_for(value)
        if fraction is None:
            unanswered.append(question_id)
            continue
        contributions.append(
            AnswerContribution(
                question_id=question_id,
                question_text=question.text,
                section_id=questionnaire.section_of(question_id).id,
                answer=value,
                fraction=fraction,
                weight=question.weight,
                evidences=tuple(question.evidences),
            )
        )
    by_section: dict[str, list[AnswerContribution]] = defaultdict(list)
    by_principle: dict[str, list[AnswerContribution]] = defaultdict(list)
    for contribution in contributions:
        by_section[contribution.section_id].append(contribution)
        for tag in contribution.evidences:
            by_principle[tag].append(contribution)
    order = list(principles())
    return ComplianceResult(
        score=_weighted(contributions),
        provisional=provisional,
        sections={
            s.id: score
            for s in questionnaire.sections
            if (score := _weighted(by_section.get(s.id, []))) is not None
        },
        principles={
            tag: score
            for tag in sorted(by_principle, key=lambda t: order.index(t) if t in order else 999)
            if (score := _weighted(by_principle[tag])) is not None
        },
        red_flags=tuple(flags),
        contributions=tuple(contributions),
        unanswered_scored=tuple(unanswered),
    )
