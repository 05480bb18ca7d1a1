"""Fixtures shared by the web page tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.cli.demo_seed import load_example
from questionnaires.service import Actor
from tests.builders import World


@pytest.fixture
def seafood(engine: Engine, world: World) -> int:
    """The seafood example owned by world.analyst_a's organisation, with its plan."""
    with Session(engine, expire_on_commit=False) as session:
        loaded = load_example(
            session, "seafood-thailand", now=datetime.now(UTC), actor=Actor.user(None, "admin")
        )
        loaded.network.organisation_id = world.org_a
        session.add(loaded.network)
        session.commit()
        return loaded.network.id or 0
