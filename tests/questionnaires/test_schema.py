"""Every rule a questionnaire document must follow, and the scoring helpers on questions."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from questionnaires.definition import Questionnaire, Translation, localise, translation_problems
from questionnaires.library import document_hash
from tests.questionnaires.builders import mini, mini_document, question_dict


def rejected(document: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        Questionnaire.model_validate(document)
    return str(caught.value)


def test_the_mini_questionnaire_is_valid_and_indexed() -> None:
    questionnaire = mini()
    assert [q.id for q in questionnaire.questions()] == [
        "F1",
        "F2",
        "F3",
        "F4",
        "D1",
        "D2",
        "D3",
        "D4",
    ]
    assert questionnaire.section_of("D4").id == "docs"
    assert questionnaire.by_data_key("fees_charged_to_workers").id == "F1"  # type: ignore[union-attr]
    assert questionnaire.by_data_key("licence_held") is None
    with pytest.raises(KeyError):
        questionnaire.question("nope")
    assert questionnaire.applies_to_node("recruiter", "sub_agent")
    assert not questionnaire.applies_to_node("supplier", None)


def test_roles_narrow_which_recruiters_a_questionnaire_applies_to() -> None:
    questionnaire = Questionnaire.model_validate(
        mini_document(applies_to={"kinds": ["recruiter"], "roles": ["sub_agent"]})
    )
    assert questionnaire.applies_to_node("recruiter", "sub_agent")
    assert not questionnaire.applies_to_node("recruiter", "origin_agency")
    assert "roles only apply" in rejected(
        mini_document(applies_to={"kinds": ["supplier"], "roles": ["sub_agent"]})
    )


def test_yes_no_without_options_gets_yes_and_no() -> None:
    document = mini_document()
    question = question_dict(document, "D1")
    question.update(type="yes_no")
    questionnaire = Questionnaire.model_validate(document)
    assert [o.value for o in questionnaire.question("D1").options or []] == ["yes", "no"]


@pytest.mark.parametrize(
    ("question_id", "change", "message"),
    [
        ("F2", {"id": "F1"}, "F1: id used twice"),
        ("F1", {"show_if": {"question": "F3", "gt": 1}}, "not an earlier question"),
        ("F2", {"show_if": {"question": "F1", "equals": "maybe"}}, "not one of its options"),
        ("F2", {"show_if": {"question": "F1", "gt": 1}}, "compares F1 as a number"),
        ("F2", {"show_if": {"question": "F1"}}, "exactly one test"),
        ("F2", {"show_if": {"question": "F1", "equals": "yes", "answered": True}}, "exactly one"),
        ("F2", {"show_if": {"all": []}}, "at least one condition"),
        ("F1", {"evidences": ["iris:9"]}, "unknown principle tag"),
        ("F1", {"evidences": []}, "at least 1 item"),
        ("D1", {"weight": 1}, "only scored questions carry a weight"),
        ("D4", {"options": [{"value": "a", "label": "A", "points": 1}]}, "at least two options"),
        (
            "D4",
            {
                "options": [
                    {"value": "a", "label": "A", "points": 1},
                    {"value": "a", "label": "B", "points": 2},
                ]
            },
            "option values must be unique",
        ),
        (
            "D4",
            {"options": [{"value": "a", "label": "A", "points": 1}, {"value": "b", "label": "B"}]},
            "every option has points or none",
        ),
        (
            "F1",
            {
                "options": [{"value": "si", "label": "Si"}, {"value": "no", "label": "No"}],
                "weight": 0,
            },
            "yes_no options are 'yes' and 'no'",
        ),
        ("D1", {"min": 3}, "belong to number questions"),
        ("D3", {"min": 5, "max": 1}, "min is above max"),
        ("D3", {"data_key": "licence_expiry"}, "data_key licence_expiry needs a date"),
        ("D3", {"data_key": "shoe_size"}, "unknown data_key"),
        (
            "D3",
            {
                "data_key": "fees_charged_to_workers",
                "type": "yes_no",
                "unit": None,
                "integer": False,
                "min": None,
            },
            "used twice",
        ),
        (
            "D4",
            {
                "options": [
                    {"value": "a", "label": "A", "points": 1, "exclusive": True},
                    {"value": "b", "label": "B", "points": 0},
                ]
            },
            "only multi_choice",
        ),
        (
            "F1",
            {
                "options": [
                    {"value": "yes", "label": "Yes", "points": 0, "red_flag": "RF_X_Y"},
                    {"value": "no", "label": "No", "points": 10},
                ]
            },
            "not declared",
        ),
        ("F3", {"bands": [{"min": 5, "max": 1, "points": 1}]}, "min must be below its max"),
    ],
)
def test_invalid_questions_are_refused_with_a_reason(
    question_id: str, change: dict[str, Any], message: str
) -> None:
    document = mini_document()
    question = question_dict(document, question_id)
    question.update(change)
    for key in [k for k, v in change.items() if v is None]:
        question.pop(key)
    assert message in rejected(document)


def test_a_declared_red_flag_nobody_raises_is_an_error() -> None:
    document = mini_document()
    document["red_flags"].append({"code": "RF_CHILD_LABOUR", "title": "Child labour"})
    assert "RF_CHILD_LABOUR declared but no answer raises it" in rejected(document)


def test_unknown_fields_and_bad_ids_are_refused() -> None:
    assert "Extra inputs are not permitted" in rejected(mini_document(colour="red"))
    assert "String should match pattern" in rejected(mini_document(id="Mini SAQ"))
    assert "greater than or equal to 1" in rejected(mini_document(version=0))


def test_points_and_red_flags_of_answers() -> None:
    questionnaire = mini()
    fees, amount, passports = (questionnaire.question(q) for q in ("F1", "F3", "D4"))
    assert fees.points_for("no") == 10 and fees.fraction_for("no") == 1.0
    assert fees.points_for("yes") == 0 and fees.red_flags_for("yes") == ["RF_WORKER_PAID_FEES"]
    assert amount.points_for(0) == 10
    assert amount.points_for(499.99) == 4 and amount.fraction_for(499.99) == 0.4
    assert amount.points_for(500) == 0 and amount.red_flags_for(500) == ["RF_DEBT_BONDAGE"]
    assert passports.fraction_for("locker") == 0.8
    assert passports.red_flags_for("agency") == ["RF_DOCUMENT_RETENTION"]
    assert questionnaire.question("F2").points_for(["service"]) is None  # unscored
    assert not questionnaire.question("D1").is_scored


def test_multi_choice_scoring_rules() -> None:
    document = mini_document()
    question = question_dict(document, "F2")
    question.update(weight=1)
    question["options"] = [
        {"value": "a", "label": "A", "points": 2},
        {"value": "b", "label": "B", "points": 6},
        {"value": "c", "label": "C", "points": 4},
    ]
    for rule, expected, best in [("min", 2, 6), ("max", 6, 6), ("sum", 8, 12)]:
        question["multi_scoring"] = rule
        q = Questionnaire.model_validate(document).question("F2")
        assert q.points_for(["a", "b"]) == expected
        assert q.max_points() == best


def test_the_document_hash_changes_with_content_only() -> None:
    first, again = mini(), mini()
    assert document_hash(first) == document_hash(again)
    changed = mini_document()
    question_dict(changed, "F1")["text"] = "Did any worker pay any fee?"
    assert document_hash(Questionnaire.model_validate(changed)) != document_hash(first)


def translation(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "questionnaire": "mini-saq",
        "version": 1,
        "language": "th",
        "language_name": "ไทย",
        "review_status": "draft_not_reviewed_by_native_speaker",
        "title": "แบบตรวจสอบ",
        "sections": {"fees": {"title": "ค่าธรรมเนียม"}, "docs": {"title": "เอกสาร"}},
        "questions": {
            "F1": {"text": "คนงานจ่ายค่าธรรมเนียมหรือไม่", "options": {"yes": "ใช่", "no": "ไม่"}},
            "F2": {
                "text": "ค่าใช้จ่ายใด",
                "options": {"service": "ค่าบริการ", "medical": "ตรวจสุขภาพ", "none": "ไม่มี"},
            },
            "F3": {"text": "จำนวนเงิน", "unit": "ดอลลาร์"},
            "F4": {"text": "อธิบาย"},
            "D1": {"text": "ใบอนุญาตหมดอายุเมื่อใด"},
            "D2": {"text": "อัปโหลดใบอนุญาต"},
            "D3": {"text": "จำนวนคนงาน", "unit": "คน"},
            "D4": {
                "text": "ใครเก็บหนังสือเดินทาง",
                "options": {"worker": "คนงาน", "locker": "ตู้ล็อกเกอร์", "agency": "บริษัทจัดหางาน"},
            },
        },
        "red_flags": {
            "RF_WORKER_PAID_FEES": "จ่ายค่าธรรมเนียม",
            "RF_DEBT_BONDAGE": "หนี้",
            "RF_DOCUMENT_RETENTION": "ยึดเอกสาร",
        },
    }
    document.update(changes)
    return document


def test_a_complete_translation_has_no_problems_and_localises_labels() -> None:
    questionnaire = mini()
    thai = Translation.model_validate(translation())
    assert translation_problems(questionnaire, thai) == []
    localised = localise(questionnaire, thai)
    assert localised.language == "th"
    assert localised.question("D4").option("agency").label == "บริษัทจัดหางาน"  # type: ignore[union-attr]
    assert localised.question("F3").unit == "ดอลลาร์"
    # Values, points and flags stay as they were: answers are language-independent.
    assert localised.question("D4").red_flags_for("agency") == ["RF_DOCUMENT_RETENTION"]
    assert document_hash(localised) != document_hash(questionnaire)


def test_translation_gaps_are_listed() -> None:
    document = translation()
    del document["questions"]["D3"]
    document["questions"]["D4"]["options"].pop("locker")
    document["questions"]["D4"]["options"]["maybe"] = "อาจจะ"
    document["questions"]["ZZ"] = {"text": "?"}
    problems = translation_problems(mini(), Translation.model_validate(document))
    assert problems == [
        "question D3: not translated",
        "question D4: option locker not translated",
        "question D4: translates unknown options maybe",
        "question ZZ: not in the questionnaire",
    ]
