"""``fairpath db`` (run by ``api.cli.database``)."""

from __future__ import annotations

import argparse

from api.cli.base import handler
from api.cli.options import add_database_option


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subcommands.add_parser("db", help="database migrations")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    up = actions.add_parser("upgrade", help="apply pending migrations")
    up.add_argument("--revision", default="head")
    add_database_option(up)
    up.set_defaults(handler=handler("database", "upgrade_command"))

    status = actions.add_parser("status", help="show the current and latest migration")
    add_database_option(status)
    status.set_defaults(handler=handler("database", "status_command"))
