"""``fairpath scores`` (run by ``api.cli.scores``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subcommands.add_parser(
        "scores",
        help="score a network and show its riskiest nodes",
        description="Prints the company's exposure and the riskiest nodes (critical first); "
        "--json writes every node's score and the corridors.",
    )
    command.add_argument("--network", type=int, required=True)
    command.add_argument("--top", type=int, default=15, help="rows to print (default 15)")
    command.add_argument("--json", type=Path, metavar="FILE", help="write all scores as JSON")
    add_database_option(command)
    command.set_defaults(handler=handler("scores", "scores_command"))
