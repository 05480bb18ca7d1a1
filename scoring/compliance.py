"""Compliance score of one assessment: how well the answers meet the standards.

Pure: takes a parsed questionnaire and its answers. The score is the weighted share of the best
possible answers among the scored questions actually asked (hidden questions neither help nor
hurt), so a recruiter with no sub-agents is not marked down for skipping sub-agent questions.
Red flags are collected separately because one of them outweighs any total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from questionnaires.answers import visible_question_ids
from questionnaires.definition import Question, Questionnaire
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
    answer_words: str = ""


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
    # (total weight, weighted fraction) per section and per principle tag; the scores are
    # derived on first use, since scoring a large network needs only the totals.
    section_sums: dict[str, list[float]]
    principle_sums: dict[str, list[float]]
    red_flags: tuple[RedFlagHit, ...]
    # (question id, answer, fraction) of each scored answer; expanded on demand because a
    # network of 100,000 nodes needs the totals for every node but the details for few.
    scored_answers: tuple[tuple[str, Any, float], ...]
    questionnaire: Questionnaire
    unanswered_scored: tuple[str, ...] = field(default=())

    @cached_property
    def sections(self) -> dict[str, float]:
        return {
            s.id: score
            for s in self.questionnaire.sections
            if s.id in self.section_sums and (score := _score(*self.section_sums[s.id])) is not None
        }

    @cached_property
    def principles(self) -> dict[str, float]:
        order = {tag: index for index, tag in enumerate(principles())}
        return {
            tag: score
            for tag in sorted(self.principle_sums, key=lambda t: order.get(t, 999))
            if (score := _score(*self.principle_sums[tag])) is not None
        }

    @property
    def contributions(self) -> tuple[AnswerContribution, ...]:
        table = _table(self.questionnaire)
        return tuple(
            AnswerContribution(
                question_id=question_id,
                question_text=table[question_id].question.text,
                section_id=table[question_id].section_id,
                answer=answer,
                fraction=fraction,
                weight=table[question_id].question.weight,
                evidences=table[question_id].evidences,
            )
            for question_id, answer, fraction in self.scored_answers
        )

    def weakest(self, count: int = 5) -> list[AnswerContribution]:
        ranked = sorted(self.contributions, key=lambda c: (c.fraction, -c.weight, c.question_id))
        return [c for c in ranked if c.fraction < 1][:count]


@dataclass(frozen=True)
class _QuestionTable:
    """What scoring needs of one question, looked up once per questionnaire version."""

    question: Question
    section_id: str
    scored: bool
    flags_by_value: dict[str, tuple[str, ...]]
    fraction_by_value: dict[str, float]  # single answers (yes/no, single choice)
    evidences: tuple[str, ...]
    weight: float
    may_flag: bool  # some answer to it is a red flag


_TABLES: dict[int, tuple[Questionnaire, dict[str, _QuestionTable]]] = {}


def _table(questionnaire: Questionnaire) -> dict[str, _QuestionTable]:
    """Keyed by identity: questionnaires are immutable once parsed, and callers reuse the parsed
    object (``questionnaires.service.parsed`` caches it), so each version is tabled once."""
    cached = _TABLES.get(id(questionnaire))
    if cached is not None and cached[0] is questionnaire:
        return cached[1]
    table = {
        q.id: _QuestionTable(
            question=q,
            section_id=questionnaire.section_of(q.id).id,
            scored=q.is_scored,
            flags_by_value={o.value: (o.red_flag,) for o in q.options or [] if o.red_flag},
            fraction_by_value={
                o.value: fraction
                for o in q.options or []
                if q.type in ("yes_no", "single_choice")
                and (fraction := q.fraction_for(o.value)) is not None
            },
            evidences=tuple(q.evidences),
            weight=q.weight,
            may_flag=any(o.red_flag for o in q.options or [])
            or any(b.red_flag for b in q.bands or []),
        )
        for q in questionnaire.questions()
    }
    if len(_TABLES) > 256:
        _TABLES.clear()
    _TABLES[id(questionnaire)] = (questionnaire, table)
    return table


def _score(total_weight: float, weighted: float) -> float | None:
    return round(100 * weighted / total_weight, 2) if total_weight > 0 else None


def _flags(
    questionnaire: Questionnaire, entry: _QuestionTable, question_id: str, value: Any
) -> list[RedFlagHit]:
    question = entry.question
    if question.bands:
        codes = question.red_flags_for(value)
    elif isinstance(value, list):
        codes = [c for v in value for c in entry.flags_by_value.get(v, ())]
    else:
        codes = list(entry.flags_by_value.get(value, ()))
    hits = []
    for code in codes:
        declared = questionnaire.red_flag(code)
        hits.append(
            RedFlagHit(
                code=code,
                severity=declared.severity if declared else "critical",
                title=declared.title if declared else code,
                question_id=question_id,
                question_text=question.text,
                answer=value,
                evidences=entry.evidences,
                answer_words=", ".join(question.answer_words(value)),
            )
        )
    return hits


def compliance_score(
    questionnaire: Questionnaire, answers: dict[str, Any], *, provisional: bool = False
) -> ComplianceResult:
    table = _table(questionnaire)
    scored: list[tuple[str, Any, float]] = []
    flags: list[RedFlagHit] = []
    unanswered: list[str] = []
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    principle_sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    total_weight = total_weighted = 0.0
    for question_id in visible_question_ids(questionnaire, answers):
        entry = table[question_id]
        value = answers.get(question_id)
        if value is not None and entry.may_flag:
            flags.extend(_flags(questionnaire, entry, question_id, value))
        if not entry.scored:
            continue
        by_value = entry.fraction_by_value
        if by_value and value.__class__ is str:
            fraction = by_value.get(value)
        else:
            fraction = entry.question.fraction_for(value)
        if fraction is None:
            unanswered.append(question_id)
            continue
        weight = entry.weight
        points = weight * fraction
        scored.append((question_id, value, fraction))
        total_weight += weight
        total_weighted += points
        bucket = sums[entry.section_id]
        bucket[0] += weight
        bucket[1] += points
        for tag in entry.evidences:
            bucket = principle_sums[tag]
            bucket[0] += weight
            bucket[1] += points
    return ComplianceResult(
        score=_score(total_weight, total_weighted),
        provisional=provisional,
        section_sums=dict(sums),
        principle_sums=dict(principle_sums),
        red_flags=tuple(flags),
        scored_answers=tuple(scored),
        questionnaire=questionnaire,
        unanswered_scored=tuple(unanswered),
    )
