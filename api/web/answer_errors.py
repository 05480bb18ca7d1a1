"""What is wrong with an answer on the respondent form, said in the respondent's language.

``questionnaires.answers`` words its messages for API clients ("expected a number, got 'x'");
the form says what to do instead, from the stable error code and the question's own limits, as
catalogue keys of ``templates.messages``.
"""

from __future__ import annotations

from typing import Any

from questionnaires.definition import CHOICE_TYPES, Question, Questionnaire
from templates import messages

_ANSWER_ERRORS = {
    "not_integer": "error.whole_number",
    "not_offered": "error.not_offered",
    "bad_date": "error.bad_date",
    "hidden": "error.hidden",
    "required": "error.required",
}


def _number_text(value: float) -> str:
    """A limit as the respondent must type it: Latin digits, no needless ".0"."""
    return f"{value:g}"


def answer_error(question: Question | None, code: str, value: Any) -> tuple[str, dict[str, Any]]:
    """The catalogue key and parameters saying what is wrong with one answer on the form.

    ``answers.py`` words its messages for API clients ("expected a number, got 'x'"); the form
    says what to do instead, from the stable error code and the question's own limits.
    """
    kind = question.type if question is not None else None
    if question is None or code in _ANSWER_ERRORS:
        return _ANSWER_ERRORS.get(code, "error.other"), {}
    if code == "wrong_type":
        fallback = "error.not_offered" if kind in CHOICE_TYPES else "error.other"
        return {"number": "error.number", "date": "error.bad_date"}.get(kind or "", fallback), {}
    if code == "out_of_range" and kind == "date":
        return "error.future_date", {}
    if code == "out_of_range":
        return _range_error(question, value)
    if code == "exclusive":
        chosen = value if isinstance(value, list) else [value]
        label = next(
            (o.label for o in question.options or [] if o.exclusive and o.value in chosen), ""
        )
        return "error.exclusive", {"option": label}
    if code == "too_long" and kind == "text":
        return "error.too_long", {"max": question.max_length}
    return "error.other", {}


def _range_error(question: Question, value: Any) -> tuple[str, dict[str, Any]]:
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        number = None
    low, high = question.min, question.max
    if low is not None and (high is None or number is None or number < low):
        return "error.at_least", {"min": _number_text(low)}
    if high is not None:
        return "error.at_most", {"max": _number_text(high)}
    return "error.other", {}


def answer_errors(
    t: messages.Translator,
    document: Questionnaire,
    problems: list[dict[str, Any]],
    incoming: dict[str, Any],
) -> dict[str, str]:
    """Each refused answer's message by question id, as shown beside the question."""
    shown: dict[str, str] = {}
    for problem in problems:
        question_id = problem.get("question")
        if question_id is None:
            continue
        try:
            question: Question | None = document.question(question_id)
        except KeyError:
            question = None
        key, params = answer_error(question, str(problem.get("code")), incoming.get(question_id))
        shown[question_id] = t.text(key, **params)
    return shown
