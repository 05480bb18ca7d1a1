"""The ``fairpath`` command line: serve, migrate, manage users, import, score, reference data,
report, demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.cli import (
    database,
    networks,
    questionnaires,
    reference,
    report,
    scores,
    serve,
    users,
)
from api.cli.common import CommandFailed, run_command

COMMAND_MODULES = (serve, database, users, networks, questionnaires, scores, reference, report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fairpath",
        description="Ethical recruitment due diligence for supply chains.",
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run_command(args)
    except CommandFailed as failure:
        print(f"fairpath: {failure}", file=sys.stderr)
        return failure.exit_code


if __name__ == "__main__":
    sys.exit(main())
