"""Every status change, allowed and refused, for every role."""

from __future__ import annotations

import itertools

import pytest

from core.errors import Conflict, Forbidden
from questionnaires.lifecycle import check_editable, check_transition
from questionnaires.models import AssessmentStatus as S

ROLES = ("respondent", "analyst", "admin", "viewer")
# Written out by hand from the issue, independently of lifecycle.TRANSITIONS.
ALLOWED = {
    (S.assigned, S.in_progress): {"respondent", "analyst", "admin"},
    (S.returned, S.in_progress): {"respondent", "analyst", "admin"},
    (S.assigned, S.submitted): {"respondent", "analyst", "admin"},
    (S.in_progress, S.submitted): {"respondent", "analyst", "admin"},
    (S.returned, S.submitted): {"respondent", "analyst", "admin"},
    (S.submitted, S.accepted): {"analyst", "admin"},
    (S.submitted, S.returned): {"analyst", "admin"},
}
CASES = [
    (current, target, role) for current, target in itertools.permutations(S, 2) for role in ROLES
]


@pytest.mark.parametrize(("current", "target", "role"), CASES)
def test_transition(current: S, target: S, role: str) -> None:
    permitted = ALLOWED.get((current, target))
    if permitted is None:
        with pytest.raises(Conflict):
            check_transition(current, target, role)
    elif role in permitted:
        check_transition(current, target, role)
    else:
        with pytest.raises(Forbidden):
            check_transition(current, target, role)


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_answers_when(status: S, role: str) -> None:
    if role == "viewer":
        with pytest.raises(Forbidden):
            check_editable(status, role)
    elif status in (S.assigned, S.in_progress, S.returned):
        check_editable(status, role)
    else:
        with pytest.raises(Conflict):
            check_editable(status, role)


def test_refusals_explain_what_to_do() -> None:
    with pytest.raises(Conflict, match="accepted and is final; assign a new one"):
        check_transition(S.accepted, S.returned, "analyst")
    with pytest.raises(Conflict, match="only if the reviewer returns it"):
        check_editable(S.submitted, "respondent")
    with pytest.raises(Forbidden, match="A respondent may not move an assessment"):
        check_transition(S.submitted, S.accepted, "respondent")
