"""Each answer-validation rule, visibility (show_if) and required answers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from questionnaires.answers import (
    is_visible,
    missing_required,
    prune_hidden,
    validate_answers,
    visible_question_ids,
)
from questionnaires.definition import Questionnaire
from tests.questionnaires.builders import COMPLETE_CLEAN, mini, mini_document, question_dict

TODAY = date(2026, 11, 25)


def check(incoming: dict[str, Any], existing: dict[str, Any] | None = None) -> tuple[dict, list]:
    cleaned, errors = validate_answers(mini(), incoming, existing or {}, today=TODAY)
    return cleaned, [(e.question_id, e.code) for e in errors]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"F1": True}, {"F1": "yes"}),
        ({"F1": "no"}, {"F1": "no"}),
        ({"F1": "yes", "F2": "service"}, {"F1": "yes", "F2": ["service"]}),
        (
            {"F1": "yes", "F2": ["medical", "service", "medical"]},
            {"F1": "yes", "F2": ["medical", "service"]},
        ),
        ({"F1": "yes", "F3": "1,250.50"}, {"F1": "yes", "F3": 1250.5}),
        ({"F1": "yes", "F3": 300.0}, {"F1": "yes", "F3": 300}),
        ({"D3": "12"}, {"D3": 12}),
        ({"D3": 12.0}, {"D3": 12}),
        ({"D1": " 2027-01-31 "}, {"D1": "2027-01-31"}),
        ({"D2": 7}, {"D2": [7]}),
        (
            {"F1": "yes", "F3": 10, "F4": "  visa and medical  "},
            {"F1": "yes", "F3": 10, "F4": "visa and medical"},
        ),
        ({"D4": None}, {"D4": None}),
    ],
)
def test_valid_answers_are_normalised(answers: dict[str, Any], expected: dict[str, Any]) -> None:
    cleaned, errors = check(answers)
    assert errors == []
    assert cleaned == expected


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"X9": "yes"}, ("X9", "unknown_question")),
        ({"F1": "maybe"}, ("F1", "not_offered")),
        ({"F1": 1}, ("F1", "wrong_type")),
        ({"D4": ["worker"]}, ("D4", "wrong_type")),
        ({"F1": "yes", "F2": []}, ("F2", "empty")),
        ({"F1": "yes", "F2": ["visa"]}, ("F2", "not_offered")),
        ({"F1": "yes", "F2": ["none", "service"]}, ("F2", "exclusive")),
        ({"F1": "yes", "F3": "a lot"}, ("F3", "wrong_type")),
        ({"F1": "yes", "F3": True}, ("F3", "wrong_type")),
        ({"F1": "yes", "F3": float("nan")}, ("F3", "wrong_type")),
        ({"F1": "yes", "F3": -1}, ("F3", "out_of_range")),
        ({"F1": "yes", "F3": 100001}, ("F3", "out_of_range")),
        ({"D3": 2.5}, ("D3", "not_integer")),
        ({"F1": "yes", "F3": 5, "F4": "x" * 51}, ("F4", "too_long")),
        ({"F1": "yes", "F3": 5, "F4": "   "}, ("F4", "empty")),
        ({"D1": "31/01/2027"}, ("D1", "bad_date")),
        ({"D1": "2027-02-30"}, ("D1", "bad_date")),
        ({"D1": 20270131}, ("D1", "wrong_type")),
        ({"D2": ["a.pdf"]}, ("D2", "wrong_type")),
        ({"D2": []}, ("D2", "empty")),
        ({"D2": list(range(1, 30))}, ("D2", "too_long")),
        ({"F3": 10}, ("F3", "hidden")),
        ({"F1": "no", "F2": ["service"]}, ("F2", "hidden")),
    ],
)
def test_each_invalid_answer_names_its_question_and_rule(
    answers: dict[str, Any], error: tuple[str, str]
) -> None:
    _cleaned, errors = check(answers)
    assert errors == [error]


def test_every_problem_of_a_save_is_reported_at_once() -> None:
    _cleaned, errors = check({"F1": "maybe", "D3": -4, "D1": "soon", "Q0": 1})
    assert sorted(errors) == [
        ("D1", "bad_date"),
        ("D3", "out_of_range"),
        ("F1", "not_offered"),
        ("Q0", "unknown_question"),
    ]


def test_past_only_dates_refuse_the_future() -> None:
    document = mini_document()
    question_dict(document, "D1")["past_only"] = True
    questionnaire = Questionnaire.model_validate(document)
    _cleaned, errors = validate_answers(questionnaire, {"D1": "2026-11-26"}, {}, today=TODAY)
    assert [(e.question_id, e.code) for e in errors] == [("D1", "out_of_range")]
    assert validate_answers(questionnaire, {"D1": "2026-11-25"}, {}, today=TODAY)[1] == []


def test_a_follow_up_is_visible_once_its_gate_is_answered_earlier_or_in_the_same_save() -> None:
    assert check({"F3": 20}, existing={"F1": "yes"})[1] == []
    assert check({"F1": "yes", "F3": 20})[1] == []


def test_hiding_cascades_through_chained_conditions() -> None:
    questionnaire = mini()
    answers = {"F1": "yes", "F3": 20, "F4": "visa"}
    assert is_visible(questionnaire, "F4", answers)
    # F4 depends on F3 which depends on F1: once F1 is "no", F3's stale answer does not count.
    answers["F1"] = "no"
    assert visible_question_ids(questionnaire, answers) == ["F1", "D1", "D2", "D3", "D4"]
    assert prune_hidden(questionnaire, answers) == {"F1": "no"}


@pytest.mark.parametrize(
    ("condition", "answers", "shown"),
    [
        ({"question": "D3", "gte": 10}, {"D3": 10}, True),
        ({"question": "D3", "lt": 10}, {"D3": 10}, False),
        ({"question": "D3", "lte": 10}, {"D3": 10}, True),
        ({"question": "D3", "answered": False}, {}, True),
        ({"question": "D3", "answered": True}, {}, False),
        ({"question": "F2", "in": ["medical"]}, {"F1": "yes", "F2": ["service", "medical"]}, True),
        ({"question": "F2", "not_in": ["medical"]}, {"F1": "yes", "F2": ["service"]}, True),
        ({"question": "F2", "not_in": ["medical"]}, {}, False),
        (
            {"all": [{"question": "F1", "equals": "yes"}, {"question": "D3", "gt": 5}]},
            {"F1": "yes", "D3": 3},
            False,
        ),
        (
            {"any": [{"question": "F1", "equals": "yes"}, {"question": "D3", "gt": 5}]},
            {"F1": "no", "D3": 6},
            True,
        ),
    ],
)
def test_condition_operators(condition: dict, answers: dict, shown: bool) -> None:
    document = mini_document()
    question_dict(document, "D4")["show_if"] = condition
    questionnaire = Questionnaire.model_validate(document)
    assert is_visible(questionnaire, "D4", answers) is shown


def test_missing_required_lists_only_visible_required_questions() -> None:
    questionnaire = mini()
    assert [e.question_id for e in missing_required(questionnaire, {})] == ["F1", "D1", "D3", "D4"]
    assert missing_required(questionnaire, COMPLETE_CLEAN) == []
    with_fees = {**COMPLETE_CLEAN, "F1": "yes"}
    assert [e.question_id for e in missing_required(questionnaire, with_fees)] == ["F2", "F3"]
    assert {e.code for e in missing_required(questionnaire, with_fees)} == {"required"}
