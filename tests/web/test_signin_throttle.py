"""The sign-in throttle: counted atomically, per account and address, backing off, not forever."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.accounts.models import LoginAttempt, LoginThrottle
from api.accounts.signin import sign_in
from core.clock import utcnow
from core.errors import NotAuthenticated, TooManyRequests
from tests.builders import World
from tests.web.sessions import PASSWORD, with_password


def _attempt(engine: Engine, email: str, password: str, ip: str, now=None) -> str:
    with Session(engine) as session:
        try:
            sign_in(session, email=email, password=password, ip=ip, now=now)
        except TooManyRequests:
            session.commit()
            return "throttled"
        except NotAuthenticated:
            session.commit()
            return "refused"
        session.commit()
        return "signed in"


def test_forty_attempts_at_once_check_only_five_passwords(world: World, engine: Engine) -> None:
    email = with_password(engine, world.viewer_a.user_id)
    barrier = threading.Barrier(40)

    def guess(index: int) -> str:
        barrier.wait()
        return _attempt(engine, email, f"guess {index}", "203.0.113.9")

    with ThreadPoolExecutor(40) as pool:
        outcomes = list(pool.map(guess, range(40)))
    assert outcomes.count("refused") == 5
    assert outcomes.count("throttled") == 35
    with Session(engine) as session:
        checked = session.exec(select(LoginAttempt).where(LoginAttempt.email == email)).all()
    assert len(checked) == 5


def test_a_stranger_s_failures_do_not_lock_the_owner_out(world: World, engine: Engine) -> None:
    email = with_password(engine, world.viewer_a.user_id)
    for _ in range(5):
        assert _attempt(engine, email, "wrong", "198.51.100.7") == "refused"
    assert _attempt(engine, email, PASSWORD, "198.51.100.7") == "throttled"
    assert _attempt(engine, email, PASSWORD, "192.0.2.44") == "signed in"


def test_lock_outs_back_off_and_end(world: World, engine: Engine) -> None:
    email = with_password(engine, world.viewer_a.user_id)
    start = utcnow()
    for _ in range(5):
        assert _attempt(engine, email, "wrong", "198.51.100.7", start) == "refused"
    # The fifth failure locks for one minute; after it one more try, whose failure locks two.
    assert _attempt(engine, email, PASSWORD, "198.51.100.7", start + timedelta(seconds=59)) == (
        "throttled"
    )
    later = start + timedelta(seconds=61)
    assert _attempt(engine, email, "wrong", "198.51.100.7", later) == "refused"
    with Session(engine) as session:
        row = session.get(LoginThrottle, f"account+address:{email}|198.51.100.7")
        assert row is not None and row.failures == 6
        assert row.locked_until is not None
        assert row.locked_until - later == timedelta(minutes=2)
    assert _attempt(engine, email, PASSWORD, "198.51.100.7", later + timedelta(minutes=1)) == (
        "throttled"
    )
    # Once the lock is over the right password works, and forgets the failures.
    done = later + timedelta(minutes=2, seconds=1)
    assert _attempt(engine, email, PASSWORD, "198.51.100.7", done) == "signed in"
    with Session(engine) as session:
        row = session.get(LoginThrottle, f"account+address:{email}|198.51.100.7")
        assert row is not None and (row.failures, row.locked_until) == (0, None)


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # no race here
def test_many_good_sign_ins_from_one_office_are_never_throttled(
    world: World, engine: Engine
) -> None:
    email = with_password(engine, world.viewer_a.user_id)
    outcomes = {_attempt(engine, email, PASSWORD, "192.0.2.1") for _ in range(35)}
    assert outcomes == {"signed in"}
    with Session(engine) as session:
        row = session.get(LoginThrottle, "address:192.0.2.1")
        assert row is not None and row.failures == 0
