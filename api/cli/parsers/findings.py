"""``fairpath findings`` (run by ``api.cli.findings``)."""

from __future__ import annotations

import argparse

from api.cli.base import handler
from api.cli.options import add_database_option


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser("findings", help="keep generated findings up to date")
    actions = group.add_subparsers(dest="findings_command", metavar="ACTION", required=True)
    refresh = actions.add_parser(
        "refresh",
        help="regenerate findings whose inputs (or the date) changed",
        description="Without --network: every network. Prints, per network, whether its "
        "findings were regenerated and how many are open.",
    )
    refresh.add_argument("--network", type=int, help="only this network")
    add_database_option(refresh)
    refresh.set_defaults(handler=handler("findings", "refresh_command"))
