"""The shipped questionnaire library: valid, complete, covering every principle, immutable."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.cli import main
from questionnaires import library as library_module
from questionnaires import service
from questionnaires.checkfile import check_questionnaire_file
from questionnaires.definition import Questionnaire, translation_problems
from questionnaires.library import LIBRARY_DIR, library_documents, library_translations
from questionnaires.standards import tags_of
from tests.questionnaires.builders import mini_document, question_dict

CORE_RED_FLAGS = {
    "RF_WORKER_PAID_FEES",
    "RF_DOCUMENT_RETENTION",
    "RF_CONTRACT_SUBSTITUTION",
    "RF_WAGE_WITHHOLDING",
    "RF_DEBT_BONDAGE",
    "RF_RESTRICTED_MOVEMENT",
    "RF_NO_FREEDOM_TO_RESIGN",
    "RF_THREATS_OR_VIOLENCE",
    "RF_CHILD_LABOUR",
    "RF_RETALIATION",
    "RF_EXCESSIVE_OVERTIME",
}
LIBRARY_FILES = sorted(LIBRARY_DIR.glob("*/v*/questionnaire.yaml"))
TRANSLATION_FILES = sorted(LIBRARY_DIR.glob("*/v*/i18n/*.yaml"))


def by_id() -> dict[str, Questionnaire]:
    return {q.id: q for q in library_documents()}


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: str(p.relative_to(LIBRARY_DIR)))
def test_every_library_file_is_valid(path: Path) -> None:
    assert check_questionnaire_file(path) == []


def test_the_library_holds_both_questionnaires_with_enough_questions() -> None:
    documents = by_id()
    assert set(documents) >= {"recruiter-saq", "supplier-saq"}
    recruiter, supplier = documents["recruiter-saq"], documents["supplier-saq"]
    assert len(recruiter.questions()) >= 40
    assert len(supplier.questions()) >= 30
    assert recruiter.applies_to_node("recruiter", "informal_broker")
    assert recruiter.applies_to_node("recruiter", "destination_agency")
    assert supplier.applies_to_node("supplier", None)
    assert not supplier.applies_to_node("recruiter", "sub_agent")


def test_every_question_cites_a_principle_and_every_type_is_used() -> None:
    for questionnaire in library_documents():
        assert all(q.evidences for q in questionnaire.questions())
        types = {q.type for q in questionnaire.questions()}
        assert types == {
            "yes_no",
            "single_choice",
            "multi_choice",
            "number",
            "text",
            "date",
            "file",
        }, questionnaire.id
        assert any(q.show_if for q in questionnaire.questions()), questionnaire.id


@pytest.mark.parametrize("prefix", ["iris", "ilo-gp", "ilo-fl", "epp"])
def test_every_principle_and_indicator_is_covered(prefix: str) -> None:
    covered = set().union(*(q.tags() for q in library_documents()))
    missing = [tag for tag in tags_of(prefix) if tag not in covered]
    assert missing == []
    assert len(tags_of(prefix)) == {"iris": 7, "ilo-gp": 13, "ilo-fl": 11, "epp": 1}[prefix]


def test_the_recruiter_questionnaire_alone_covers_iris_and_forced_labour_indicators() -> None:
    tags = by_id()["recruiter-saq"].tags()
    assert set(tags_of("iris")) <= tags
    assert set(tags_of("ilo-fl")) <= tags


def test_core_red_flags_are_raised_by_answers() -> None:
    documents = by_id()
    assert CORE_RED_FLAGS | {"RF_UNLICENSED_OPERATION", "RF_DECEPTIVE_RECRUITMENT"} <= {
        f.code for f in documents["recruiter-saq"].red_flags
    }
    assert {f.code for f in documents["supplier-saq"].red_flags} >= CORE_RED_FLAGS
    for questionnaire in documents.values():
        severities = {f.code: f.severity for f in questionnaire.red_flags}
        assert severities["RF_EXCESSIVE_OVERTIME"] == "high"
        assert severities["RF_WORKER_PAID_FEES"] == "critical"


def test_fee_data_keys_are_present_for_reimbursement() -> None:
    for questionnaire in library_documents():
        fees = questionnaire.by_data_key("fees_charged_to_workers")
        assert fees is not None, questionnaire.id
        assert fees.red_flags_for("yes") == ["RF_WORKER_PAID_FEES"]
        for key in (
            "fee_amount_per_worker_local",
            "fee_currency",
            "fee_amount_per_worker_usd",
            "workers_charged_count",
            "fees_reimbursed",
        ):
            question = questionnaire.by_data_key(key)
            assert question is not None, (questionnaire.id, key)
            assert question.show_if is not None, (questionnaire.id, key)
    recruiter = by_id()["recruiter-saq"]
    licence = recruiter.by_data_key("licence_held")
    assert licence is not None and licence.red_flags_for("no") == ["RF_UNLICENSED_OPERATION"]


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=lambda p: str(p.relative_to(LIBRARY_DIR)))
def test_every_translation_covers_every_question_and_option(path: Path) -> None:
    assert check_questionnaire_file(path) == []


def test_translations_match_their_version() -> None:
    for questionnaire in library_documents():
        for translation in library_translations(questionnaire.id, questionnaire.version).values():
            assert translation_problems(questionnaire, translation) == []


def test_published_library_versions_are_immutable(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        service.ensure_library(session)
        service.ensure_library(session)  # idempotent
        session.commit()
        stored = {
            r.key for r in service.list_questionnaires(session, scope=service.Scope.everything())
        }
        assert {"recruiter-saq", "supplier-saq"} <= stored
    original = library_documents()
    changed = mini_document(id=original[0].id, version=original[0].version)
    altered = Questionnaire.model_validate(changed)
    monkeypatch.setattr(service, "library_documents", lambda: (altered, *original[1:]))
    with Session(engine) as session, pytest.raises(service.LibraryChangedError, match="immutable"):
        service.ensure_library(session)


def test_the_library_path_must_match_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mini-saq" / "v2"
    folder.mkdir(parents=True)
    (folder / "questionnaire.yaml").write_text(yaml.safe_dump(mini_document()), encoding="utf-8")
    monkeypatch.setattr(library_module, "LIBRARY_DIR", tmp_path)
    library_module.library_documents.cache_clear()
    try:
        with pytest.raises(library_module.LibraryError, match="declares mini-saq v1"):
            library_module.library_documents()
    finally:
        library_module.library_documents.cache_clear()


def test_cli_validate_accepts_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(mini_document()), encoding="utf-8")
    assert main(["questionnaires", "validate", str(path), *map(str, LIBRARY_FILES)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: valid (mini-saq v1: 2 sections, 8 questions, 3 red flags)" in out


def test_cli_validate_explains_each_problem(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    document = mini_document()
    question_dict(document, "F3")["min"] = "zero"
    question_dict(document, "D4")["options"][0]["value"] = "The Worker"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nsections: [\n", encoding="utf-8")
    assert main(["questionnaires", "validate", str(path), str(broken)]) == 1
    captured = capsys.readouterr()
    assert "sections[fees].questions[F3].min: Input should be a valid number" in captured.out
    assert "sections[docs].questions[D4].options[The Worker].value: String should match" in (
        captured.out
    )
    assert f"{broken}: 1 problem" in captured.out
    assert "not valid YAML at line" in captured.out
    assert "2 of 2 file(s) invalid" in captured.err
