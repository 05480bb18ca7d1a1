"""The remediation library validates, covers every finding code and is refused when wrong."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from audit.remediation.library import LIBRARY_FILE, RemediationLibrary, remediation_library
from questionnaires.library import library_documents
from questionnaires.standards import tags_of

GAP_CODES = {
    "GAP_UNASSESSED_RECRUITER",
    "GAP_UNMAPPED_RECRUITMENT",
    "GAP_UNLICENSED_RECRUITER",
    "GAP_STALE_ASSESSMENT",
}


def test_every_red_flag_and_gap_has_a_remedy() -> None:
    library = remediation_library()
    flags = {f.code for q in library_documents() for f in q.red_flags}
    for code in flags | GAP_CODES:
        assert library.for_finding(code, None), code


def test_every_iris_principle_and_the_employer_pays_principle_have_a_remedy() -> None:
    library = remediation_library()
    for tag in [*tags_of("iris"), "epp:EPP"]:
        assert library.for_finding("WEAK_PRINCIPLE", tag), tag


def test_codes_win_over_principles_and_severity_sets_the_deadline() -> None:
    library = remediation_library()
    fees = library.for_finding("RF_WORKER_PAID_FEES", "iris:1")
    assert [t.id for t in fees] == ["reimburse-recruitment-fees", "employer-pays-contract-clauses"]
    assert fees[0].deadline_days.days("critical") < fees[0].deadline_days.days("low")
    assert library.for_finding("WEAK_PRINCIPLE", None) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"deadline_days": {"critical": 90, "high": 30, "medium": 60, "low": 120}},
            "must not be longer for more severe",
        ),
        ({"principles": ["iris:9"]}, "unknown principle tags"),
        ({"finding_codes": [], "principles": []}, "names the finding codes or principles"),
        ({"owner": "bank"}, "Input should be"),
    ],
)
def test_invalid_templates_are_refused(change: dict, message: str) -> None:
    document = yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))
    document["templates"][0].update(change)
    with pytest.raises(ValidationError, match=message):
        RemediationLibrary.model_validate(document)
