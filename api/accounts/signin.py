"""Email-and-password sign-in for the web pages, throttled against password guessing.

Failures are counted per email address and per client address over a sliding window, in the
database, so several server processes share one count. Unknown emails cost a hash
verification too, so response times do not reveal which addresses have accounts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.accounts import passwords
from api.accounts.models import LoginAttempt, User
from core.clock import utcnow
from core.errors import NotAuthenticated, TooManyRequests

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30
_DUMMY_HASH = passwords.hash_password("not a real password, only spends the same time")


def _failures(session: Session, column: object, value: str, since: datetime) -> int:
    return session.exec(
        select(func.count()).where(
            column == value,
            col(LoginAttempt.at) >= since,
            col(LoginAttempt.succeeded).is_(False),
        )
    ).one()


def sign_in(
    session: Session, *, email: str, password: str, ip: str, now: datetime | None = None
) -> User:
    moment = now or utcnow()
    email = email.strip().lower()
    since = moment - WINDOW
    if (
        _failures(session, LoginAttempt.email, email, since) >= MAX_FAILURES_PER_EMAIL
        or _failures(session, LoginAttempt.ip, ip, since) >= MAX_FAILURES_PER_IP
    ):
        raise TooManyRequests(
            f"Too many failed sign-ins. Wait {int(WINDOW.total_seconds() // 60)} minutes and "
            "try again, or ask an administrator to reset your password."
        )
    user = session.exec(select(User).where(func.lower(User.email) == email)).first()
    valid = passwords.verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = bool(user and user.is_active and valid)
    session.add(LoginAttempt(email=email, ip=ip, at=moment, succeeded=ok))
    session.flush()
    if not ok or user is None:
        raise NotAuthenticated("The email address or password is not right")
    return user
