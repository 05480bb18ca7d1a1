"""The ``fairpath`` command line: serve, migrate, manage users, import, score, reference data,
findings, report, demo.

Building the parser imports only ``api.cli.parsers`` (arguments and help texts): each command's
implementation, and the app, ORM and renderers it needs, is imported when that command runs, so
``fairpath --help`` answers at once (tests/api/test_cli_startup.py checks what it loads).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from api.cli.base import CommandFailed, run_command
from api.cli.parsers import (
    campaigns,
    database,
    findings,
    networks,
    orientation,
    questionnaires,
    reference,
    registry,
    report,
    scores,
    serve,
    trainings,
    users,
    worker,
)

COMMAND_MODULES = (
    serve,
    database,
    users,
    networks,
    questionnaires,
    scores,
    findings,
    trainings,
    campaigns,
    registry,
    orientation,
    reference,
    report,
    worker,
)


class _VersionAction(argparse.Action):
    """``--version``, with the installed version looked up only when asked for (reading the
    package metadata is most of what ``argparse``'s own version action would cost at start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        from core.version import fairpath_version

        sys.stdout.write(f"fairpath {fairpath_version()}\n")  # where argparse writes it
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fairpath",
        description="Ethical recruitment due diligence for supply chains.",
    )
    parser.add_argument("--version", action=_VersionAction)
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
