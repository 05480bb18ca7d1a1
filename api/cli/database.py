"""``fairpath db``: apply and inspect migrations."""

from __future__ import annotations

import argparse

from api.cli.common import add_database_option, echo, engine_for
from api.migrate import migration_state, upgrade


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subcommands.add_parser("db", help="database migrations")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    up = actions.add_parser("upgrade", help="apply pending migrations")
    up.add_argument("--revision", default="head")
    add_database_option(up)
    up.set_defaults(handler=_upgrade)

    status = actions.add_parser("status", help="show the current and latest migration")
    add_database_option(status)
    status.set_defaults(handler=_status)


def _upgrade(args: argparse.Namespace) -> int:
    engine = engine_for(args, require_migrated=False)
    before = migration_state(engine)
    upgrade(engine, args.revision)
    after = migration_state(engine)
    if before.current == after.current:
        echo(f"Database already at {after.current}.")
    else:
        echo(f"Database upgraded from {before.current or 'empty'} to {after.current}.")
    return 0


def _status(args: argparse.Namespace) -> int:
    state = migration_state(engine_for(args, require_migrated=False))
    echo(f"current: {state.current or 'empty'}")
    echo(f"head:    {state.head}")
    echo("up to date" if state.up_to_date else "migrations pending: run `fairpath db upgrade`")
    return 0 if state.up_to_date else 1
