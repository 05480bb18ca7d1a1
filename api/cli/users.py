"""``fairpath users``: bootstrap the first admin and manage tokens from the shell."""

from __future__ import annotations

import argparse
import getpass
import sys

from api.accounts import service
from api.accounts.models import Role
from api.accounts.schemas import UserCreate, normalise_email
from api.cli.common import CommandFailed, echo, engine_for, transaction
from api.cli.parsers.users import DEFAULT_PROGRAMME
from core.organisations import service as organisations
from core.organisations.models import OrganisationKind


def create_command(args: argparse.Namespace) -> int:
    role = Role(args.role)
    if role != Role.admin and not args.organisation:
        raise CommandFailed("--organisation is required for analysts and viewers")
    try:
        email = normalise_email(args.email)
    except ValueError as exc:
        raise CommandFailed(f"--email: {exc}") from exc
    kind = OrganisationKind.programme if role == Role.admin else OrganisationKind.company
    with transaction(engine_for(args)) as session:
        organisation = organisations.get_or_create_organisation(
            session, args.organisation or DEFAULT_PROGRAMME, kind
        )
        user = service.create_user(
            session,
            UserCreate(
                email=email, name=args.name, organisation_id=organisation.id or 0, role=role
            ),
        )
        _token, secret = service.issue_token(session, user=user, name="created by CLI")
        echo(f"Created {role.value} {user.email} (user {user.id}) in {organisation.name!r}.")
        echo("API token (shown only once, store it safely):")
        echo(secret)
    return 0


def list_command(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from api.accounts.models import User
    from core.organisations.models import Organisation

    with transaction(engine_for(args)) as session:
        query = select(User, Organisation).join(Organisation).order_by(col(User.id))
        if args.organisation:
            query = query.where(Organisation.name == args.organisation)
        rows = session.exec(query).all()
        echo(f"{'id':>4}  {'email':<36} {'role':<8} {'active':<6} organisation")
        for user, organisation in rows:
            active = "yes" if user.is_active else "no"
            echo(
                f"{user.id:>4}  {user.email:<36} {user.role.value:<8} {active:<6} "
                f"{organisation.name}"
            )
    return 0


def revoke_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        user = service.find_user_by_email(session, args.email)
        if user is None:
            raise CommandFailed(f"no user with e-mail {args.email}")
        if args.token_id is None:
            count = service.revoke_all_tokens(session, user=user)
            echo(f"Revoked {count} token(s) of {user.email}.")
            return 0
        tokens = {t.id: t for t in service.list_tokens(session, user=user)}
        if args.token_id not in tokens:
            raise CommandFailed(f"{user.email} has no token {args.token_id}")
        service.revoke_token(session, token=tokens[args.token_id], by=user)
        echo(f"Revoked token {args.token_id} of {user.email}.")
    return 0


def token_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        user = service.find_user_by_email(session, args.email)
        if user is None:
            raise CommandFailed(f"no user with e-mail {args.email}")
        token, secret = service.issue_token(session, user=user, name=args.name)
        echo(f"New token {token.id} for {user.email} (shown only once):")
        echo(secret)
    return 0


MIN_PASSWORD_LENGTH = 12


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != first:
            raise CommandFailed("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def password_command(args: argparse.Namespace) -> int:
    secret = _read_password()
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise CommandFailed(f"use at least {MIN_PASSWORD_LENGTH} characters")
    with transaction(engine_for(args)) as session:
        user = service.find_user_by_email(session, args.email)
        if user is None:
            raise CommandFailed(f"no user with e-mail {args.email}")
        service.set_password(session, user=user, password=secret)
        echo(f"Password set for {user.email}; they can sign in at /login.")
    return 0
