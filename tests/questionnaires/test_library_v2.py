"""Version 2 of the shipped questionnaires: the US dollar fee is optional, the year paid is asked.

v1 stays as it was published (assessments answered on it keep their meaning); new assignments
get v2.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from questionnaires.answers import (
    complete_answers,
    missing_required,
    validate_answers,
    visible_question_ids,
)
from questionnaires.definition import Condition, Question, Questionnaire, translation_problems
from questionnaires.library import (
    LIBRARY_DIR,
    library_document,
    library_documents,
    library_translations,
)
from tests.builders import World
from tests.questionnaires.builders import assign, recruiter_network

KEYS = ("recruiter-saq", "supplier-saq")
LANGUAGES = {"bn", "id", "my", "ne", "th"}
FEES_PAID = Condition(question="FEE_02", equals="yes")
# sha256 of the v1 documents as published: a published version never changes, byte for byte
# (its translations may still be reviewed and improved, so they are not pinned here).
V1_FILES = {
    "recruiter-saq/v1/questionnaire.yaml": (
        "f52a6349cff6c8373dcc619c32d736eaa75a3986cad88f9b396a2301e8cc5690"
    ),
    "supplier-saq/v1/questionnaire.yaml": (
        "bd6706ddf21bd87d8d6cd738f7efbdba214174b70c17809b6ffae5a06a715dca"
    ),
}


def document(key: str, version: int) -> Questionnaire:
    found = library_document(key, version)
    assert found is not None, (key, version)
    return found


def keyed(questionnaire: Questionnaire, data_key: str) -> Question:
    question = questionnaire.by_data_key(data_key)
    assert question is not None, (questionnaire.id, data_key)
    return question


def fees_paid_answers(questionnaire: Questionnaire) -> dict[str, Any]:
    """A complete answer set in which workers paid fees, without the US dollar figure."""
    answers = complete_answers(
        questionnaire, {"FEE_02": "yes", "FEE_04": 65_000, "FEE_05": "npr", "FEE_07": 12}
    )
    answers.pop("FEE_06", None)
    answers.pop("FEE_05A", None)
    return answers


def test_the_library_ships_v1_and_v2_of_both_questionnaires() -> None:
    assert [(q.id, q.version) for q in library_documents()] == [
        ("recruiter-saq", 1),
        ("recruiter-saq", 2),
        ("supplier-saq", 1),
        ("supplier-saq", 2),
    ]


@pytest.mark.parametrize("key", KEYS)
def test_v2_makes_the_usd_amount_optional_and_says_why(key: str) -> None:
    usd = keyed(document(key, 2), "fee_amount_per_worker_usd")
    assert usd.id == "FEE_06"
    assert usd.required is False
    assert (usd.type, usd.min, usd.unit, usd.weight) == ("number", 0, "USD", 0)
    assert usd.show_if == FEES_PAID
    assert "exchange rate for" in usd.help and "year" in usd.help
    assert "check" in usd.help and "confirm" in usd.help
    assert "today's rate" not in usd.help


@pytest.mark.parametrize("key", KEYS)
def test_v2_asks_the_year_most_workers_paid_right_after_the_currency(key: str) -> None:
    questionnaire = document(key, 2)
    year = keyed(questionnaire, "fee_year_paid")
    currency = keyed(questionnaire, "fee_currency")
    assert year.id == "FEE_05A"
    assert year.text == "In which year did most of these workers pay?"
    assert "more than one year" in year.help and "most of them" in year.help
    assert (year.type, year.integer, year.min, year.max) == ("number", True, 2000, 2100)
    assert (year.required, year.weight, year.is_scored, year.unit) == (False, 0, False, "year")
    assert year.show_if == currency.show_if == FEES_PAID
    assert year.evidences == currency.evidences == ["iris:1", "ilo-gp:GP7"]
    ids = [q.id for q in questionnaire.questions()]
    assert ids[ids.index("FEE_05") + 1] == "FEE_05A"
    assert ids.index("FEE_05A") + 1 == ids.index("FEE_06")
    assert questionnaire.section_of("FEE_05A").id == "fees"


@pytest.mark.parametrize("key", KEYS)
def test_the_year_is_asked_only_when_workers_paid_fees(key: str) -> None:
    questionnaire = document(key, 2)
    assert "FEE_05A" not in visible_question_ids(questionnaire, {"FEE_02": "no"})
    assert "FEE_05A" not in visible_question_ids(questionnaire, {})
    assert "FEE_05A" in visible_question_ids(questionnaire, {"FEE_02": "yes"})


@pytest.mark.parametrize("key", KEYS)
def test_the_year_takes_whole_years_from_2000_to_2100(key: str) -> None:
    questionnaire = document(key, 2)

    def verdict(value: object) -> tuple[Any, list[str]]:
        cleaned, errors = validate_answers(questionnaire, {"FEE_02": "yes", "FEE_05A": value}, {})
        return cleaned.get("FEE_05A"), [e.code for e in errors]

    assert verdict(2024) == (2024, [])
    assert verdict("2000") == (2000, [])
    assert verdict(2100) == (2100, [])
    assert verdict(1999)[1] == ["out_of_range"]
    assert verdict(2567)[1] == ["out_of_range"]  # a Thai Buddhist Era year
    assert verdict(2024.5)[1] == ["not_integer"]
    _cleaned, hidden = validate_answers(questionnaire, {"FEE_02": "no", "FEE_05A": 2024}, {})
    assert [(e.question_id, e.code) for e in hidden] == [("FEE_05A", "hidden")]


@pytest.mark.parametrize("key", KEYS)
def test_v1_is_unchanged_and_still_loads(key: str) -> None:
    v1, v2 = document(key, 1), document(key, 2)
    assert v1.version == 1
    assert keyed(v1, "fee_amount_per_worker_usd").required is True
    assert "today's rate" in keyed(v1, "fee_amount_per_worker_usd").help
    assert v1.by_data_key("fee_year_paid") is None
    assert "FEE_05A" not in {q.id for q in v1.questions()}
    assert len(v2.questions()) == len(v1.questions()) + 1
    # Apart from the two fee questions, v2 asks exactly what v1 asks.
    unchanged = [q for q in v1.questions() if q.id != "FEE_06"]
    assert all(v2.question(q.id) == q for q in unchanged)


def test_the_v1_files_are_byte_identical_to_the_published_ones() -> None:
    for relative, digest in V1_FILES.items():
        assert hashlib.sha256((LIBRARY_DIR / relative).read_bytes()).hexdigest() == digest


def test_every_v2_translation_is_complete_and_still_marked_as_a_draft() -> None:
    questionnaire = document("recruiter-saq", 2)
    translations = library_translations("recruiter-saq", 2)
    assert set(translations) == LANGUAGES
    old = library_translations("recruiter-saq", 1)
    for language, translation in translations.items():
        assert translation_problems(questionnaire, translation) == [], language
        assert translation.version == 2
        assert translation.review_status == "draft_not_reviewed_by_native_speaker", language
        assert "v2 adds FEE_05A" in translation.review_note, language
        year = translation.questions["FEE_05A"]
        assert year.text and year.help and year.unit, language
        assert translation.questions["FEE_06"].help != old[language].questions["FEE_06"].help
        assert "Fairpath" in translation.questions["FEE_06"].help, language
    # The calendars whose years could be mistaken for Common Era years are named.
    assert "ईस्वी संवत्" in translations["ne"].questions["FEE_05A"].help
    assert "ค.ศ." in translations["th"].questions["FEE_05A"].help
    # supplier-saq has no translations in v1, and none were invented for v2.
    assert library_translations("supplier-saq", 2) == library_translations("supplier-saq", 1) == {}


@pytest.mark.parametrize("key", KEYS)
def test_a_v2_assessment_without_the_usd_amount_is_complete(key: str) -> None:
    v2 = document(key, 2)
    answers = fees_paid_answers(v2)
    assert {"FEE_05A", "FEE_06"} <= set(visible_question_ids(v2, answers))
    assert "FEE_06" not in answers and "FEE_05A" not in answers
    assert answers["FEE_02"] == "yes"
    assert validate_answers(v2, answers, {})[1] == []
    assert missing_required(v2, answers) == []
    # The same answers on v1 still lack the required US dollar figure.
    v1 = document(key, 1)
    missing = missing_required(v1, fees_paid_answers(v1))
    assert [(e.question_id, e.code) for e in missing] == [("FEE_06", "required")]


def test_new_assignments_get_v2_while_v1_assessments_keep_working(world: World) -> None:
    analyst = world.analyst_a
    network_id, ids = recruiter_network(analyst)
    base = f"/api/v1/networks/{network_id}/assessments"
    versions = {
        q["version"]: q["id"]
        for q in analyst.get("/api/v1/questionnaires", params={"key": "recruiter-saq"}).json()
    }
    assert sorted(versions) == [1, 2]
    latest = analyst.get(
        "/api/v1/questionnaires", params={"key": "recruiter-saq", "latest_only": True}
    ).json()
    assert [q["version"] for q in latest] == [2]

    fresh = assign(analyst, network_id, ids["DA"])
    assert (fresh["questionnaire"]["key"], fresh["questionnaire"]["version"]) == (
        "recruiter-saq",
        2,
    )
    answers = fees_paid_answers(document("recruiter-saq", 2))
    saved = analyst.put(f"{base}/{fresh['id']}/answers", json={"answers": answers})
    assert saved.status_code == 200, saved.text
    assert saved.json()["progress"]["missing_required"] == []
    assert analyst.post(f"{base}/{fresh['id']}/submit").status_code == 200

    pinned = assign(analyst, network_id, ids["SA"], questionnaire_id=versions[1])
    assert pinned["questionnaire"]["version"] == 1
    old_answers = fees_paid_answers(document("recruiter-saq", 1))
    saved = analyst.put(f"{base}/{pinned['id']}/answers", json={"answers": old_answers})
    assert saved.status_code == 200, saved.text
    assert saved.json()["progress"]["missing_required"] == ["FEE_06"]
    early = analyst.post(f"{base}/{pinned['id']}/submit")
    assert early.status_code == 422
    assert [e["question"] for e in early.json()["errors"]] == ["FEE_06"]
    year = analyst.put(f"{base}/{pinned['id']}/answers", json={"answers": {"FEE_05A": 2024}})
    assert year.status_code == 422  # v1 has no such question
    usd = analyst.put(f"{base}/{pinned['id']}/answers", json={"answers": {"FEE_06": 480}})
    assert usd.status_code == 200, usd.text
    submitted = analyst.post(f"{base}/{pinned['id']}/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["questionnaire"]["version"] == 1


def test_the_year_paid_reads_as_a_year() -> None:
    questionnaire = library_document("recruiter-saq", 2)
    assert questionnaire is not None
    assert questionnaire.question("FEE_05A").answer_words(2024) == ["2024"]
    assert questionnaire.question("FEE_07").answer_words(1200) == ["1,200 workers"]
