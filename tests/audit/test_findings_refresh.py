"""The refresh after one review regenerates only the re-scored nodes' findings, and leaves the
database exactly as a regeneration from scratch would."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from audit.findings import service as findings_service
from core.clock import utcnow
from supplychain.models import Network
from tests.builders import World
from tests.scoring.builders import best_answers
from tests.scoring.test_scores_api import FEES_PAID, RECRUITER_SAQ, answered, seafood

CONTENT = "key, code, severity, node_id, principle, title, detail, evidence, chain, status"


def findings(engine: Engine, network_id: int) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(f"SELECT {CONTENT} FROM finding WHERE network_id = :n ORDER BY key"),
                {"n": network_id},
            )
        ]


def test_one_review_regenerates_only_its_node_and_matches_a_full_regeneration(
    world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ, **FEES_PAID))

    generated_for: list[set[int] | None] = []
    real = findings_service._drafts

    def spy(context: Any, now: Any, nodes: set[int] | None, *rest: Any) -> Any:
        generated_for.append(None if nodes is None else set(nodes))
        return real(context, now, nodes, *rest)

    monkeypatch.setattr(findings_service, "_drafts", spy)
    agency = ids["TH-DA-GOLDENWAVE"]
    answered(analyst, network_id, agency, best_answers(RECRUITER_SAQ, **FEES_PAID))
    # Submitting and accepting are two changes; each refresh regenerated the agency and the
    # nodes downstream of it whose scores moved, never the whole network.
    assert generated_for and all(nodes is not None for nodes in generated_for)
    assert agency in set().union(*[n for n in generated_for if n])
    assert max(len(n or ()) for n in generated_for) < len(ids)
    incremental = findings(engine, network_id)
    assert any(
        row[1] == "RF_WORKER_PAID_FEES" and row[3] == agency and row[9] == "open"
        for row in incremental
    )

    # From scratch: another process (no memory of what was written) regenerates everything.
    monkeypatch.setattr(findings_service, "_last", {})
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM finding_sync WHERE network_id = :n"), {"n": network_id}
        )
    with Session(engine) as session:
        network = session.get(Network, network_id)
        assert network is not None
        assert findings_service.sync_findings(session, network, utcnow()) is True
        session.commit()
    assert generated_for[-1] is None
    assert findings(engine, network_id) == incremental
