"""Benchmark accounts: a user and an API token made with the domain functions, as ``fairpath
users create`` would, so a benchmark need not scrape a secret from the CLI's output."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from api.accounts import service as accounts
from api.accounts.models import Role
from api.accounts.schemas import UserCreate
from core.organisations import service as organisations
from core.organisations.models import OrganisationKind


@dataclass(frozen=True)
class BenchUser:
    token: str  # the API token's secret, shown once
    user_id: int
    organisation_id: int


def user_with_token(
    session: Session,
    *,
    organisation: str,
    kind: OrganisationKind,
    email: str,
    name: str,
    role: Role,
) -> BenchUser:
    """A user of ``organisation`` (created if new) holding one API token; not committed."""
    owner = organisations.get_or_create_organisation(session, organisation, kind)
    user = accounts.create_user(
        session,
        UserCreate(email=email, name=name, organisation_id=owner.id or 0, role=role),
    )
    _token, secret = accounts.issue_token(session, user=user, name=name)
    return BenchUser(secret, user.id or 0, owner.id or 0)
