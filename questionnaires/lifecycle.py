"""Who may move an assessment from which status to which.

Kept as data so the rules read like the table in the README, and so that the API, the web pages
and the tests all consult one source.
"""

from __future__ import annotations

from core.errors import Conflict, Forbidden
from questionnaires.models import AssessmentStatus as S

RESPONDENT = "respondent"
ANALYST = "analyst"
ADMIN = "admin"
VIEWER = "viewer"

STAFF = frozenset({ANALYST, ADMIN})
ANSWERING = frozenset({RESPONDENT, ANALYST, ADMIN})

# (from, to) -> who may make the move. Saving answers moves assigned/returned to in_progress;
# analysts may answer on a respondent's behalf (e.g. from a paper form or an interview).
TRANSITIONS: dict[tuple[S, S], frozenset[str]] = {
    (S.assigned, S.in_progress): ANSWERING,
    (S.returned, S.in_progress): ANSWERING,
    (S.assigned, S.submitted): ANSWERING,
    (S.in_progress, S.submitted): ANSWERING,
    (S.returned, S.submitted): ANSWERING,
    (S.submitted, S.accepted): STAFF,
    (S.submitted, S.returned): STAFF,
}

EDITABLE = frozenset({S.assigned, S.in_progress, S.returned})


def check_transition(current: S, target: S, actor: str) -> None:
    """Refuse a move: 409 if no one may make it from this status, 403 if this actor may not."""
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise Conflict(_why_not(current, target))
    if actor not in allowed:
        raise Forbidden(f"A {actor} may not move an assessment from {current} to {target}")


def check_editable(current: S, actor: str) -> None:
    if actor not in ANSWERING:
        raise Forbidden(f"A {actor} may not change answers")
    if current not in EDITABLE:
        raise Conflict(_why_not(current, S.in_progress, editing=True))


def _why_not(current: S, target: S, *, editing: bool = False) -> str:
    if current == S.accepted:
        return "The assessment was accepted and is final; assign a new one to reassess"
    if current == S.submitted:
        return (
            "The assessment is submitted and awaits review; it can be changed again only if "
            "the reviewer returns it"
            if editing or target != S.submitted
            else "The assessment is already submitted"
        )
    return f"An assessment cannot move from {current} to {target}"
