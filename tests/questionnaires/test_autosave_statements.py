"""What one autosave costs the database: the phone form sends one per answer, so a statement
more per save is a statement more for every respondent on every keystroke."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.builders import Actor, World
from tests.questionnaires.builders import assign, mini_document, recruiter_network

# One SELECT of invitation, assessment and questionnaire version (on PostgreSQL with the
# assessment's row lock), the answers' UPDATE and the audit event's INSERT. SQLite takes the
# lock with a no-op UPDATE and reads the row again once it holds it (``core.locking``).
STATEMENTS = {"postgresql": 3, "sqlite": 5}


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def test_an_autosave_takes_few_statements(
    world: World, engine: Engine, statements: list[str]
) -> None:
    analyst = world.analyst_a
    published = analyst.post("/api/v1/questionnaires", json=mini_document())
    assert published.status_code == 201, published.text
    network_id, ids = recruiter_network(analyst)
    created = assign(analyst, network_id, ids["DA"], questionnaire_id=published.json()["id"])
    agent = Actor(analyst.client, created["invitation"]["token"])
    minimal = {"Prefer": "return=minimal"}
    first = agent.put("/api/v1/respond/answers", json={"answers": {"F1": "no"}}, headers=minimal)
    assert first.status_code == 200, first.text  # the first also stamps the invitation

    statements.clear()
    saved = agent.put("/api/v1/respond/answers", json={"answers": {"F1": "yes"}}, headers=minimal)

    assert saved.status_code == 200, saved.text
    assert saved.headers["Preference-Applied"] == "return=minimal"
    assert saved.json()["answers"] == {"F1": "yes"}
    assert len(statements) == STATEMENTS[engine.dialect.name], statements
