"""Autosaves arriving together: every acknowledged answer is kept, on both databases.

The phone form saves each question as it is answered, so saves to one assessment overlap. Each
save merges into the stored answers; without a row lock two saves read the same document and
the later write drops the earlier answer, while both were acknowledged.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.builders import Actor, World
from tests.questionnaires.builders import assign, mini_document, recruiter_network

SAVERS = 8
TRIALS = 6


def _many_numbers_document() -> dict:
    """The mini questionnaire plus a section of eight independent number questions."""
    numbers = [
        {
            "id": f"N{i}",
            "text": f"Workers placed in month {i}",
            "type": "number",
            "integer": True,
            "min": 0,
            "weight": 0,
            "required": False,
            "evidences": ["iris:B"],
        }
        for i in range(1, SAVERS + 1)
    ]
    document = mini_document(id="many-numbers")
    document["sections"].append({"id": "months", "title": "Months", "questions": numbers})
    return document


def test_concurrent_single_question_saves_lose_nothing(world: World) -> None:
    analyst = world.analyst_a
    published = analyst.post("/api/v1/questionnaires", json=_many_numbers_document())
    assert published.status_code == 201, published.text
    network_id, ids = recruiter_network(analyst)
    created = assign(analyst, network_id, ids["DA"], questionnaire_id=published.json()["id"])
    agent = Actor(analyst.client, created["invitation"]["token"])

    acknowledged: list[str] = []
    for trial in range(TRIALS):
        barrier = threading.Barrier(SAVERS)

        def save(index: int, trial: int = trial, barrier: threading.Barrier = barrier) -> int:
            barrier.wait()
            response: httpx.Response = agent.put(
                "/api/v1/respond/answers",
                json={"answers": {f"N{index}": trial * 100 + index}},
            )
            return response.status_code

        with ThreadPoolExecutor(SAVERS) as pool:
            statuses = list(pool.map(save, range(1, SAVERS + 1)))
        assert statuses == [200] * SAVERS

        answers = agent.get("/api/v1/respond/assessment").json()["answers"]
        held = {f"N{i}": answers.get(f"N{i}") for i in range(1, SAVERS + 1)}
        expected = {f"N{i}": trial * 100 + i for i in range(1, SAVERS + 1)}
        assert held == expected, f"trial {trial}: lost {set(expected.items()) - set(held.items())}"
        acknowledged.extend(expected)
    assert len(acknowledged) == SAVERS * TRIALS
