"""An assessment laid out question by question for the person who reviews it.

A reviewer deciding to accept or return needs each answer in words (option labels, not stored
values), which answers raise red flags, how well each scored, which files back it, and which
required questions are still empty. The stored answers are language-independent; the sheet is
built from the questionnaire in the reviewer's language, so it reads the same whichever
language the respondent used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from questionnaires.answers import visible_question_ids
from questionnaires.definition import Question, Questionnaire


@dataclass(frozen=True)
class AttachedFile:
    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class RaisedFlag:
    code: str
    title: str
    severity: str


@dataclass(frozen=True)
class SheetRow:
    question_id: str
    text: str
    type: str
    required: bool
    answered: bool
    answer: list[str]
    score_percent: float | None
    red_flags: list[RaisedFlag]
    files: list[AttachedFile]
    comment: str


@dataclass(frozen=True)
class SheetSection:
    id: str
    title: str
    rows: list[SheetRow] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerSheet:
    sections: list[SheetSection]
    red_flags: list[RaisedFlag]
    missing_required: list[str]
    hidden_answered: list[str]


def _words(question: Question, value: Any, files: dict[int, AttachedFile]) -> list[str]:
    """The answer as a reviewer reads it; files by their names."""
    if question.type == "file" and value not in (None, [], ""):
        ids = value if isinstance(value, list) else [value]
        return [files[i].filename if i in files else f"file {i} (not found)" for i in ids]
    return question.answer_words(value)


def build_sheet(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    evidence: Sequence[AttachedFile],
    comments: dict[str, str],
) -> AnswerSheet:
    """Lay out every question the respondent was asked, in order, with what they answered."""
    flags = {f.code: f for f in questionnaire.red_flags}
    by_id = {f.id: f for f in evidence}
    visible = set(visible_question_ids(questionnaire, answers))
    sections: list[SheetSection] = []
    raised: list[RaisedFlag] = []
    missing: list[str] = []
    for section in questionnaire.sections:
        rows: list[SheetRow] = []
        for question in section.questions:
            if question.id not in visible:
                continue
            value = answers.get(question.id)
            words = _words(question, value, by_id)
            fraction = question.fraction_for(value) if words else None
            row_flags = [
                RaisedFlag(
                    code, flags[code].title if code in flags else code, _severity(flags, code)
                )
                for code in question.red_flags_for(value)
            ]
            raised.extend(row_flags)
            if question.required and not words:
                missing.append(question.id)
            ids = value if question.type == "file" and isinstance(value, list) else []
            rows.append(
                SheetRow(
                    question_id=question.id,
                    text=question.text,
                    type=question.type,
                    required=question.required,
                    answered=bool(words),
                    answer=words,
                    score_percent=None if fraction is None else round(fraction * 100, 1),
                    red_flags=row_flags,
                    files=[by_id[i] for i in ids if i in by_id],
                    comment=comments.get(question.id, ""),
                )
            )
        sections.append(SheetSection(section.id, section.title, rows))
    hidden = sorted(k for k in answers if k not in visible)
    return AnswerSheet(sections, raised, missing, hidden)


def _severity(flags: dict[str, Any], code: str) -> str:
    return str(flags[code].severity) if code in flags else "critical"
