"""Organisations, users and tokens: the rules, independent of HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.accounts import passwords, web_sessions
from api.accounts.models import ApiToken, Role, User
from api.accounts.schemas import UserCreate, UserUpdate
from core.clock import utcnow
from core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from core.last_used import record_use
from core.organisations.models import Organisation
from core.tenancy import Scope
from core.tokens import display_prefix, hash_token, new_token

# Writing last_used_at on every request would turn every read into a write; a minute's
# precision is all an operator needs to spot an unused token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def scope_for(user: User) -> Scope:
    return Scope(organisation_id=user.organisation_id, all_organisations=user.role == Role.admin)


# Users -----------------------------------------------------------------------------------------


def create_user(session: Session, data: UserCreate) -> User:
    if session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput(
            f"Organisation {data.organisation_id} does not exist",
            errors=[{"field": "organisation_id", "message": "no such organisation"}],
        )
    if session.exec(select(User).where(User.email == data.email)).first():
        raise Conflict(f"A user with e-mail {data.email} already exists")
    user = User(
        email=data.email,
        name=data.name,
        organisation_id=data.organisation_id,
        role=data.role,
        password_hash=passwords.hash_password(data.password) if data.password else None,
    )
    session.add(user)
    session.flush()
    return user


def list_users(
    session: Session,
    *,
    scope: Scope,
    organisation_id: int | None = None,
    role: Role | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[User], int]:
    query = scope.filter(select(User), User.organisation_id)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if role is not None:
        query = query.where(User.role == role)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(User.id)).limit(limit).offset(offset)).all()
    return rows, total


def get_user(session: Session, *, scope: Scope, user_id: int) -> User:
    user = session.get(User, user_id)
    return scope.require(user, user.organisation_id if user else None, "User", user_id)


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def update_user(session: Session, *, user: User, data: UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if password:
        user.password_hash = passwords.hash_password(password)
    if password or changes.get("is_active") is False:
        # Whoever held the old password, or the deactivated user, is signed out everywhere.
        web_sessions.end_all(session, user_id=user.id or 0, now=utcnow())
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, user: User, password: str) -> None:
    """A new dashboard password ends the user's signed-in sessions."""
    user.password_hash = passwords.hash_password(password)
    web_sessions.end_all(session, user_id=user.id or 0, now=utcnow())
    session.add(user)


# Tokens ----------------------------------------------------------------------------------------


def issue_token(
    session: Session, *, user: User, name: str = "", expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored nor shown again."""
    secret = new_token()
    token = ApiToken(
        user_id=user.id,  # type: ignore[arg-type]
        name=name,
        token_hash=hash_token(secret),
        prefix=display_prefix(secret),
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, *, user: User) -> Sequence[ApiToken]:
    return session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
    ).all()


def get_token(session: Session, *, scope: Scope, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    owner = session.get(User, token.user_id) if token else None
    organisation_id = owner.organisation_id if owner else None
    return scope.require(token if owner else None, organisation_id, "Token", token_id)


def revoke_token(session: Session, *, token: ApiToken, by: User) -> ApiToken:
    """Tokens are revoked by their owner or by an admin; revoking twice is harmless."""
    if by.role != Role.admin and token.user_id != by.id:
        raise Forbidden("Only the token's owner or an admin can revoke it")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
    return token


def revoke_all_tokens(session: Session, *, user: User) -> int:
    now = utcnow()
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ).all()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    session.flush()
    return len(tokens)


def authenticate_token(session: Session, secret: str, *, now: datetime | None = None) -> User:
    """Resolve a bearer secret to its active user, or refuse with one uninformative message."""
    now = now or utcnow()
    refusal = NotAuthenticated("The bearer token is missing, unknown, expired or revoked")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or token.revoked_at is not None:
        raise refusal
    if token.expires_at is not None and token.expires_at <= now:
        raise refusal
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise refusal
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        record_use(session, ApiToken, token.id or 0, now)
    return user
