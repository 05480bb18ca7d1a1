"""Server-side records of dashboard sessions: started at sign-in, checked on every page, ended
by signing out, a password change or deactivation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.accounts.models import User, WebSession
from core.tokens import hash_token, new_token

SESSION_PREFIX = "fps_"


def start(session: Session, *, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session's secret, for the cookie; only its hash is kept."""
    secret = new_token(SESSION_PREFIX)
    session.add(
        WebSession(
            user_id=user.id or 0,
            secret_hash=hash_token(secret),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return secret


def resolve(session: Session, secret: str, *, now: datetime) -> User | None:
    """The active user of a live session, or None (unknown, ended or expired)."""
    record = session.exec(
        select(WebSession).where(WebSession.secret_hash == hash_token(secret))
    ).first()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    user = session.get(User, record.user_id)
    return user if user is not None and user.is_active else None


def end(session: Session, secret: str, *, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(col(WebSession.secret_hash) == hash_token(secret))
        .where(col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def end_all(session: Session, *, user_id: int, now: datetime) -> int:
    """End every session of a user (a new password, deactivation); how many were live."""
    result = session.execute(
        update(WebSession)
        .where(col(WebSession.user_id) == user_id)
        .where(col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
