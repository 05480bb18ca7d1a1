"""A small questionnaire using every question type, and helpers to walk an assessment over HTTP."""

from __future__ import annotations

import copy
from typing import Any

from questionnaires.answers import missing_required
from questionnaires.definition import Questionnaire
from tests.builders import Actor, network_with, node, node_ids

MINI: dict[str, Any] = {
    "id": "mini-saq",
    "version": 1,
    "title": "Mini recruiter check",
    "applies_to": {"kinds": ["recruiter"]},
    "red_flags": [
        {"code": "RF_WORKER_PAID_FEES", "title": "Workers paid recruitment fees"},
        {"code": "RF_DEBT_BONDAGE", "title": "Debt bondage risk"},
        {"code": "RF_DOCUMENT_RETENTION", "title": "Passports held"},
    ],
    "sections": [
        {
            "id": "fees",
            "title": "Fees",
            "questions": [
                {
                    "id": "F1",
                    "text": "Did workers pay any fee?",
                    "type": "yes_no",
                    "weight": 3,
                    "evidences": ["iris:1", "epp:EPP"],
                    "data_key": "fees_charged_to_workers",
                    "options": [
                        {
                            "value": "yes",
                            "label": "Yes",
                            "points": 0,
                            "red_flag": "RF_WORKER_PAID_FEES",
                        },
                        {"value": "no", "label": "No", "points": 10},
                    ],
                },
                {
                    "id": "F2",
                    "text": "Which costs did they pay?",
                    "type": "multi_choice",
                    "weight": 0,
                    "show_if": {"question": "F1", "equals": "yes"},
                    "evidences": ["ilo-fees:FEE"],
                    "options": [
                        {"value": "service", "label": "Service fee"},
                        {"value": "medical", "label": "Medical check"},
                        {"value": "none", "label": "None of these", "exclusive": True},
                    ],
                },
                {
                    "id": "F3",
                    "text": "Amount paid per worker",
                    "type": "number",
                    "min": 0,
                    "max": 100000,
                    "unit": "USD",
                    "weight": 2,
                    "show_if": {"question": "F1", "equals": "yes"},
                    "evidences": ["ilo-fl:FL9"],
                    "bands": [
                        {"max": 1, "points": 10},
                        {"min": 1, "max": 500, "points": 4},
                        {"min": 500, "points": 0, "red_flag": "RF_DEBT_BONDAGE"},
                    ],
                },
                {
                    "id": "F4",
                    "text": "Explain what the fee paid for",
                    "type": "text",
                    "weight": 0,
                    "required": False,
                    "max_length": 50,
                    "show_if": {"question": "F3", "gt": 0},
                    "evidences": ["iris:3"],
                },
            ],
        },
        {
            "id": "docs",
            "title": "Documents",
            "questions": [
                {
                    "id": "D1",
                    "text": "When does your licence expire?",
                    "type": "date",
                    "weight": 0,
                    "evidences": ["iris:A"],
                },
                {
                    "id": "D2",
                    "text": "Upload your licence",
                    "type": "file",
                    "weight": 0,
                    "required": False,
                    "evidences": ["ilo-gp:GP5"],
                },
                {
                    "id": "D3",
                    "text": "Workers placed last year",
                    "type": "number",
                    "integer": True,
                    "min": 0,
                    "weight": 0,
                    "unit": "workers",
                    "evidences": ["iris:B"],
                },
                {
                    "id": "D4",
                    "text": "Who keeps the workers' passports?",
                    "type": "single_choice",
                    "weight": 3,
                    "evidences": ["ilo-fl:FL7", "iris:2"],
                    "options": [
                        {"value": "worker", "label": "The worker", "points": 10},
                        {"value": "locker", "label": "A locker the worker opens", "points": 8},
                        {
                            "value": "agency",
                            "label": "The agency",
                            "points": 0,
                            "red_flag": "RF_DOCUMENT_RETENTION",
                        },
                    ],
                },
            ],
        },
    ],
}

# Answers that satisfy every required question, the clean way (no fees).
COMPLETE_CLEAN = {"F1": "no", "D1": "2027-06-30", "D3": 40, "D4": "worker"}


def mini_document(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(MINI)
    document.update(changes)
    return document


def mini() -> Questionnaire:
    return Questionnaire.model_validate(mini_document())


def question_dict(document: dict[str, Any], question_id: str) -> dict[str, Any]:
    for section in document["sections"]:
        for question in section["questions"]:
            if question["id"] == question_id:
                return question
    raise KeyError(question_id)


RECRUITER_NETWORK = (
    [
        node("CO", "company", "Brand", "GB"),
        node("S1", "supplier", "Factory", "TH", tier=1, migrant_workers=50),
        node("DA", "recruiter", "Agency", "TH", role="destination_agency", licence="TH-1"),
        node("SA", "recruiter", "Sub-agent", "MM", role="sub_agent"),
    ],
    [
        {"source": "S1", "target": "CO", "kind": "supplies"},
        {
            "source": "DA",
            "target": "S1",
            "kind": "recruits_for",
            "origin": "MM",
            "destination": "TH",
            "workers": 50,
        },
        {"source": "SA", "target": "DA", "kind": "refers_to", "workers": 20},
    ],
)


def publish_mini(actor: Actor) -> int:
    response = actor.post("/api/v1/questionnaires", json=mini_document())
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def recruiter_network(actor: Actor) -> tuple[int, dict[str, int]]:
    network = network_with(actor, *RECRUITER_NETWORK)
    return network["id"], node_ids(actor, network["id"])


def sub_agent_network(
    actor: Actor, agent_name: str, *, name: str, migrant_workers: int
) -> tuple[int, dict[str, int]]:
    """The smallest chain with a respondent: a sub-agent in Myanmar recruiting 20 workers
    straight for a Thai factory that supplies the brand."""
    network = network_with(
        actor,
        [
            node("CO", "company", "Brand", "GB"),
            node("S1", "supplier", "Factory", "TH", migrant_workers=migrant_workers),
            node("SA", "recruiter", agent_name, "MM", role="sub_agent"),
        ],
        [
            {"source": "S1", "target": "CO", "kind": "supplies"},
            {
                "source": "SA",
                "target": "S1",
                "kind": "recruits_for",
                "origin": "MM",
                "destination": "TH",
                "workers": 20,
            },
        ],
        name=name,
    )
    return network["id"], node_ids(actor, network["id"])


def assign(actor: Actor, network_id: int, node_id: int, **fields: Any) -> dict[str, Any]:
    response = actor.post(
        f"/api/v1/networks/{network_id}/assessments", json={"node_id": node_id, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()


def complete_answers(
    questionnaire: Questionnaire, given: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Answers to every required question shown, starting from ``given`` (kept as they are:
    they decide which questions show): the last option, the first choice, the smallest
    number, repeated as answers reveal further questions."""
    answers: dict[str, Any] = dict(given or {})
    for _ in range(20):
        missing = missing_required(questionnaire, answers)
        if not missing:
            return answers
        for problem in missing:
            question = questionnaire.question(problem.question_id)
            options = [o for o in question.options or [] if not getattr(o, "exclusive", False)]
            if question.type in ("yes_no", "single_choice"):
                answers[question.id] = (question.options or [])[-1].value
            elif question.type == "multi_choice":
                answers[question.id] = [options[0].value]
            elif question.type == "number":
                answers[question.id] = int(question.min or 0)
            elif question.type == "date":
                answers[question.id] = "2026-01-15"
            else:
                answers[question.id] = "Written answer"
    raise AssertionError("the questionnaire never became complete")
