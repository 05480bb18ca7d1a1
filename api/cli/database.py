"""``fairpath db``: apply and inspect migrations."""

from __future__ import annotations

import argparse

from api.cli.common import echo, engine_for
from api.migrate import migration_state, upgrade


def upgrade_command(args: argparse.Namespace) -> int:
    engine = engine_for(args, require_migrated=False)
    before = migration_state(engine)
    upgrade(engine, args.revision)
    after = migration_state(engine)
    if before.current == after.current:
        echo(f"Database already at {after.current}.")
    else:
        echo(f"Database upgraded from {before.current or 'empty'} to {after.current}.")
    return 0


def status_command(args: argparse.Namespace) -> int:
    state = migration_state(engine_for(args, require_migrated=False))
    echo(f"current: {state.current or 'empty'}")
    echo(f"head:    {state.head}")
    echo("up to date" if state.up_to_date else "migrations pending: run `fairpath db upgrade`")
    return 0 if state.up_to_date else 1
