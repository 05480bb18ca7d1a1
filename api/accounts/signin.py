"""Email-and-password sign-in for the web pages, throttled against password guessing.

Failures are counted under three keys: the account from one address, the address, and the
account from anywhere. An attempt is counted before its password is checked, under the keys'
row locks in a short transaction of its own, so forty attempts sent at once are checked five at
a time, never forty. Past a key's limit it backs off (1, 2, 4 ... 15 minutes) instead of
locking for good, and a stranger failing from their own address only locks that address out of
the account: the owner signing in from elsewhere is not held back. Unknown emails cost a hash
verification too, so response times do not reveal which addresses have accounts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from api.accounts import passwords
from api.accounts.models import LoginAttempt, LoginThrottle, User
from core.clock import utcnow
from core.errors import NotAuthenticated, TooManyRequests
from core.numbers import counted

# Failures older than this (counted from the end of any lock-out) are forgotten.
WINDOW = timedelta(minutes=15)
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(minutes=15)
_DUMMY_HASH = passwords.hash_password("not a real password, only spends the same time")


@dataclass(frozen=True)
class Key:
    name: str
    limit: int  # failures before the key backs off
    cleared_by_success: bool  # True: forget all failures; False: only take back this attempt


def _keys(email: str, ip: str) -> list[Key]:
    return [
        Key(f"account+address:{email}|{ip}", 5, True),
        Key(f"address:{ip}", 30, False),
        Key(f"account:{email}", 50, False),
    ]


def sign_in(
    session: Session, *, email: str, password: str, ip: str, now: datetime | None = None
) -> User:
    moment = now or utcnow()
    email = email.strip().lower()
    keys = _keys(email, ip[:64])
    wait = _reserve_attempt(session, keys, moment)
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise TooManyRequests(
            f"Too many failed sign-ins. Wait {counted(minutes, 'minute', 'minutes')} and "
            "try again, or ask an administrator to reset your password."
        )
    user = session.exec(select(User).where(func.lower(User.email) == email)).first()
    valid = passwords.verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = bool(user and user.is_active and valid)
    session.add(LoginAttempt(email=email, ip=ip[:64], at=moment, succeeded=ok))
    if ok:
        _settle_success(session, keys)
    session.flush()
    if not ok or user is None:
        raise NotAuthenticated("The email address or password is not right")
    return user


def _reserve_attempt(session: Session, keys: list[Key], now: datetime) -> timedelta | None:
    """Count this attempt as a failure until it proves otherwise; the time left to wait when
    any key is backing off (and then nothing is counted)."""
    bind = session.get_bind()
    with bind.connect() as connection:  # type: ignore[union-attr]
        names = [key.name for key in keys]
        _insert_missing(connection, names)
        # Lock the rows (PostgreSQL's row locks, SQLite's write lock) before reading them.
        connection.execute(
            update(LoginThrottle)
            .where(col(LoginThrottle.key).in_(names))
            .values(failures=LoginThrottle.failures)
        )
        rows = {
            row.key: row
            for row in connection.execute(
                select(LoginThrottle).where(col(LoginThrottle.key).in_(names))
            )
        }
        waits = [
            locked - now
            for row in rows.values()
            if (locked := row.locked_until) is not None and locked > now
        ]
        if waits:
            connection.rollback()
            return max(waits)
        for key in keys:
            connection.execute(
                update(LoginThrottle)
                .where(col(LoginThrottle.key) == key.name)
                .values(**_counted(rows[key.name], key, now))
            )
        connection.commit()
    return None


def _counted(row: Any, key: Key, now: datetime) -> dict[str, Any]:
    quiet_since = max(filter(None, [row.last_failure_at, row.locked_until]), default=None)
    failures = 0 if quiet_since is None or now - quiet_since > WINDOW else row.failures
    failures += 1
    locked_until = None
    if failures >= key.limit:
        locked_until = now + min(FIRST_LOCK * 2 ** min(failures - key.limit, 10), LONGEST_LOCK)
    return {"failures": failures, "last_failure_at": now, "locked_until": locked_until}


def _insert_missing(connection: Connection, names: list[str]) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(LoginThrottle).on_conflict_do_nothing(index_elements=["key"])
    connection.execute(statement, [{"key": name, "failures": 0} for name in names])


def _settle_success(session: Session, keys: list[Key]) -> None:
    """A right password forgets the account's failures from this address, and takes this
    attempt back from the shared keys: an office signing in all morning is not an attack."""
    for key in keys:
        if key.cleared_by_success:
            values: dict[str, Any] = {"failures": 0, "locked_until": None}
        else:
            decremented = col(LoginThrottle.failures) - 1
            values = {"failures": case((decremented < 0, 0), else_=decremented)}
        session.execute(
            update(LoginThrottle).where(col(LoginThrottle.key) == key.name).values(**values)
        )
        if not key.cleared_by_success:
            session.execute(
                update(LoginThrottle)
                .where(col(LoginThrottle.key) == key.name)
                .where(col(LoginThrottle.failures) < key.limit)
                .values(locked_until=None)
            )
