"""The ``fairpath`` command line: serve, migrate, manage users, import, score, reference data,
findings, report, demo."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from api.cli import (
    database,
    findings,
    networks,
    questionnaires,
    reference,
    report,
    scores,
    serve,
    users,
    worker,
)
from api.cli.common import CommandFailed, run_command
from core.version import fairpath_version

COMMAND_MODULES = (
    serve,
    database,
    users,
    networks,
    questionnaires,
    scores,
    findings,
    reference,
    report,
    worker,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fairpath",
        description="Ethical recruitment due diligence for supply chains.",
    )
    parser.add_argument("--version", action="version", version=f"fairpath {fairpath_version()}")
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
    except BrokenPipeError:
        # The reader went away (e.g. `fairpath reference | head`): stop quietly, as Unix
        # tools do, instead of printing a traceback; stdout is pointed at /dev/null so the
        # interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a closed pipe


if __name__ == "__main__":
    sys.exit(main())
