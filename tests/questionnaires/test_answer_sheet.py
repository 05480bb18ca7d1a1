"""The reviewer's answer sheet: answers in words, scores, red flags, files, gaps."""

from __future__ import annotations

from questionnaires.answer_sheet import AttachedFile, build_sheet
from tests.questionnaires.builders import mini


def rows(sheet: object) -> dict[str, object]:
    return {r.question_id: r for s in sheet.sections for r in s.rows}  # type: ignore[attr-defined]


def test_answers_read_as_labels_with_units_scores_and_flags() -> None:
    answers = {"F1": "yes", "F2": ["service", "medical"], "F3": 800, "D2": [7], "D4": "locker"}
    files = [AttachedFile(7, "licence.pdf", 2048), AttachedFile(8, "other.pdf", 10)]
    sheet = build_sheet(mini(), answers, evidence=files, comments={"F3": "Receipts?"})
    by_id = rows(sheet)
    assert by_id["F1"].answer == ["Yes"] and by_id["F1"].score_percent == 0.0
    assert by_id["F2"].answer == ["Service fee", "Medical check"]
    assert by_id["F3"].answer == ["800 USD"] and by_id["F3"].comment == "Receipts?"
    assert by_id["D2"].answer == ["licence.pdf"] and [f.id for f in by_id["D2"].files] == [7]
    assert by_id["D4"].score_percent == 80.0
    assert [(f.code, f.title) for f in sheet.red_flags] == [
        ("RF_WORKER_PAID_FEES", "Workers paid recruitment fees"),
        ("RF_DEBT_BONDAGE", "Debt bondage risk"),
    ]
    # F4 is asked (F3 > 0) but optional; D1 and D3 are required and empty.
    assert "F4" in by_id and not by_id["F4"].answered
    assert sheet.missing_required == ["D1", "D3"]


def test_hidden_questions_are_left_out_and_stray_answers_reported() -> None:
    sheet = build_sheet(mini(), {"F1": "no", "F3": 5}, evidence=[], comments={})
    assert "F2" not in rows(sheet) and "F3" not in rows(sheet)
    assert sheet.hidden_answered == ["F3"]
    assert sheet.red_flags == []
