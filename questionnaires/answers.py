"""Checking and normalising answers against a pinned questionnaire version.

Pure: the API, the web form and the tests all get the same verdicts, and every problem of a save
is reported at once so a respondent on a slow connection fixes them in one go.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from questionnaires.definition import Condition, Question, Questionnaire

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
MAX_FILES_PER_QUESTION = 20


@dataclass(frozen=True)
class AnswerError:
    """One problem with one answer; ``code`` is stable for clients, ``message`` is for people."""

    question_id: str | None
    code: str
    message: str


def _is_answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list):
        return len(value) > 0
    return True


# Visibility --------------------------------------------------------------------------------------


def _holds(condition: Condition, answers: dict[str, Any]) -> bool:
    if condition.all is not None:
        return all(_holds(c, answers) for c in condition.all)
    if condition.any is not None:
        return any(_holds(c, answers) for c in condition.any)
    value = answers.get(condition.question or "")
    if condition.answered is not None:
        return _is_answered(value) == condition.answered
    if not _is_answered(value):
        return False
    chosen = value if isinstance(value, list) else [value]
    if condition.equals is not None:
        return condition.equals in chosen
    if condition.in_ is not None:
        return any(v in condition.in_ for v in chosen)
    if condition.not_in is not None:
        return not any(v in condition.not_in for v in chosen)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if condition.gt is not None:
        return value > condition.gt
    if condition.gte is not None:
        return value >= condition.gte
    if condition.lt is not None:
        return value < condition.lt
    return condition.lte is not None and value <= condition.lte


def visible_question_ids(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[str]:
    """Questions asked given these answers, in order.

    An answer to a hidden question does not count towards showing later ones: hiding cascades,
    which is what a respondent sees when they change an early answer.
    """
    visible: list[str] = []
    effective: dict[str, Any] = {}
    for question in questionnaire.ordered_questions:
        if question.show_if is None or _holds(question.show_if, effective):
            visible.append(question.id)
            if question.id in answers:
                effective[question.id] = answers[question.id]
    return visible


def is_visible(questionnaire: Questionnaire, question_id: str, answers: dict[str, Any]) -> bool:
    return question_id in visible_question_ids(questionnaire, answers)


def prune_hidden(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers to questions no longer asked, so stored answers never contradict the form."""
    visible = set(visible_question_ids(questionnaire, answers))
    return {k: v for k, v in answers.items() if k in visible}


def missing_required(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[AnswerError]:
    return [
        AnswerError(question_id, "required", "this question must be answered before submitting")
        for question_id in visible_question_ids(questionnaire, answers)
        if questionnaire.question(question_id).required
        and not _is_answered(answers.get(question_id))
    ]


# Validation --------------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _number(question: Question, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise _Invalid("wrong_type", "expected a number")
    if isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace(" ", "")
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise _Invalid("wrong_type", f"expected a number, got {raw!r}")
        raw = float(text)
    if not isinstance(raw, int | float) or math.isnan(raw) or math.isinf(raw):
        raise _Invalid("wrong_type", "expected a number")
    value: int | float = raw
    if question.integer:
        if float(value) != int(value):
            raise _Invalid("not_integer", "expected a whole number")
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = f" {question.unit}" if question.unit else ""
    if question.min is not None and value < question.min:
        raise _Invalid("out_of_range", f"must be at least {_fmt(question.min)}{unit}")
    if question.max is not None and value > question.max:
        raise _Invalid("out_of_range", f"must be at most {_fmt(question.max)}{unit}")
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _choice(question: Question, raw: Any) -> str:
    if question.type == "yes_no" and isinstance(raw, bool):
        raw = "yes" if raw else "no"
    if not isinstance(raw, str):
        raise _Invalid("wrong_type", "expected one option value")
    offered = [o.value for o in question.options or []]
    if raw not in offered:
        raise _Invalid("not_offered", f"{raw!r} is not an option; choose one of {offered}")
    return raw


def _choices(question: Question, raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise _Invalid("wrong_type", "expected a list of option values")
    if not raw:
        raise _Invalid("empty", "choose at least one option (or clear the answer with null)")
    offered = {o.value: o for o in question.options or []}
    unknown = [v for v in raw if v not in offered]
    if unknown:
        raise _Invalid("not_offered", f"{unknown} not among the options {list(offered)}")
    chosen = list(dict.fromkeys(raw))
    exclusive = [v for v in chosen if offered[v].exclusive]
    if exclusive and len(chosen) > 1:
        raise _Invalid("exclusive", f"{exclusive[0]!r} cannot be combined with other options")
    return chosen


def _text(question: Question, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid("wrong_type", "expected text")
    value = raw.strip()
    if not value:
        raise _Invalid("empty", "the answer is empty (clear it with null instead)")
    if len(value) > question.max_length:
        raise _Invalid("too_long", f"at most {question.max_length} characters")
    return value


def _date(question: Question, raw: Any, today: date) -> str:
    if not isinstance(raw, str):
        raise _Invalid("wrong_type", "expected a date as YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(raw.strip())
    except ValueError:
        raise _Invalid("bad_date", f"{raw!r} is not a date as YYYY-MM-DD") from None
    if question.past_only and parsed > today:
        raise _Invalid("out_of_range", "the date cannot be in the future")
    return parsed.isoformat()


def _files(raw: Any) -> list[int]:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in raw
    ):
        raise _Invalid("wrong_type", "expected a list of evidence file ids")
    if not raw:
        raise _Invalid("empty", "upload at least one file (or clear the answer with null)")
    if len(raw) > MAX_FILES_PER_QUESTION:
        raise _Invalid("too_long", f"at most {MAX_FILES_PER_QUESTION} files per question")
    return list(dict.fromkeys(raw))


def normalise(question: Question, raw: Any, *, today: date | None = None) -> Any:
    """The stored form of one answer; raises ``ValueError`` subclasses via ``_Invalid``."""
    kind = question.type
    if kind in ("yes_no", "single_choice"):
        return _choice(question, raw)
    if kind == "multi_choice":
        return _choices(question, raw)
    if kind == "number":
        return _number(question, raw)
    if kind == "text":
        return _text(question, raw)
    if kind == "date":
        return _date(question, raw, today or date.today())
    return _files(raw)


def validate_answers(
    questionnaire: Questionnaire,
    incoming: dict[str, Any],
    existing: dict[str, Any],
    *,
    today: date | None = None,
) -> tuple[dict[str, Any], list[AnswerError]]:
    """Check a (partial) save. ``None`` clears an answer. Returns cleaned values and all errors.

    Visibility is judged on the answers as they will be after the save, so a respondent can
    answer a gate question and its follow-up in the same request.
    """
    cleaned: dict[str, Any] = {}
    errors: list[AnswerError] = []
    for question_id, raw in incoming.items():
        try:
            question = questionnaire.question(question_id)
        except KeyError:
            errors.append(
                AnswerError(
                    question_id, "unknown_question", "the questionnaire has no such question"
                )
            )
            continue
        if raw is None:
            cleaned[question_id] = None
            continue
        try:
            cleaned[question_id] = normalise(question, raw, today=today)
        except _Invalid as problem:
            errors.append(AnswerError(question_id, problem.code, problem.message))
    after = {**existing, **cleaned}
    after = {k: v for k, v in after.items() if v is not None}
    visible = set(visible_question_ids(questionnaire, after))
    for question_id, value in cleaned.items():
        if value is not None and question_id not in visible:
            errors.append(
                AnswerError(
                    question_id,
                    "hidden",
                    "this question is not asked given the earlier answers",
                )
            )
    return cleaned, errors


def _best(question: Question) -> Any:
    if question.type in ("yes_no", "single_choice", "multi_choice"):
        options = question.options or []
        best = max(options, key=lambda o: (o.points or 0, o.red_flag is None, o.exclusive))
        if question.type == "multi_choice":
            if question.multi_scoring == "sum" and not best.exclusive:
                return [o.value for o in options if (o.points or 0) > 0 and not o.exclusive]
            return [best.value]
        return best.value
    if question.type == "number":
        if question.bands:
            band = max(question.bands, key=lambda b: b.points)
            value = band.min if band.min is not None else (question.min or 0)
            return int(value) if float(value).is_integer() else value
        return int(question.min or 0)
    if question.type == "date":
        return "2026-01-15"
    return "As set out in our written policy."


def complete_answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """The given answers, with every other question asked answered by its best option: how the
    demo's example assessments and the tests' builders make a complete, valid answer set.

    File questions stay unanswered (demo data has no documents), and so do optional unscored
    numbers (a year paid, a USD cross-check): they have no "best" value, and inventing one (the
    minimum) would be a false fact. Follow-ups opened by a given answer are completed too;
    answers hidden by the given ones are dropped.
    """
    filled: dict[str, Any] = {}
    for _round in range(5):
        current = {**filled, **answers}
        for question_id in visible_question_ids(questionnaire, current):
            question = questionnaire.question(question_id)
            no_best = question.type == "file" or (
                question.type == "number" and not question.required and not question.is_scored
            )
            if question_id not in current and not no_best:
                filled[question_id] = _best(question)
        if not missing_required(questionnaire, {**filled, **answers}):
            break
    merged = {**filled, **answers}
    visible = set(visible_question_ids(questionnaire, merged))
    return {k: v for k, v in merged.items() if k in visible}
