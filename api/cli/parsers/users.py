"""``fairpath users`` (run by ``api.cli.users``)."""

from __future__ import annotations

import argparse

from api.cli.base import handler
from api.cli.options import add_database_option

DEFAULT_PROGRAMME = "Fairpath programme"
# The values of ``api.accounts.models.Role``, written out: that module imports the ORM
# (tests/api/test_cli_startup.py checks that they match).
ROLES = ("admin", "analyst", "viewer")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = subcommands.add_parser("users", help="manage users and their API tokens")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a user and print their first API token")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", default="")
    create.add_argument(
        "--organisation",
        help="organisation name (created if missing); admins default to "
        f"{DEFAULT_PROGRAMME!r}, other roles must name one",
    )
    add_database_option(create)
    create.set_defaults(handler=handler("users", "create_command"))

    listing = actions.add_parser("list", help="list users")
    listing.add_argument("--organisation", help="only this organisation (by name)")
    add_database_option(listing)
    listing.set_defaults(handler=handler("users", "list_command"))

    revoke = actions.add_parser("revoke", help="revoke a user's API tokens")
    revoke.add_argument("email")
    revoke.add_argument("--token-id", type=int, help="revoke only this token")
    add_database_option(revoke)
    revoke.set_defaults(handler=handler("users", "revoke_command"))

    token = actions.add_parser("token", help="issue a new API token for an existing user")
    token.add_argument("email")
    token.add_argument("--name", default="cli")
    add_database_option(token)
    token.set_defaults(handler=handler("users", "token_command"))

    password = actions.add_parser(
        "password",
        help="set a user's password for the web dashboard",
        description="Reads the new password from standard input (or asks for it on a "
        "terminal), so it never appears in the shell history.",
    )
    password.add_argument("email")
    add_database_option(password)
    password.set_defaults(handler=handler("users", "password_command"))
