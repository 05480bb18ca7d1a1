"""``fairpath questionnaires`` (run by ``api.cli.questionnaires``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser("questionnaires", help="work with questionnaire files")
    actions = group.add_subparsers(dest="questionnaires_command", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        help="check questionnaire or translation YAML files and print every problem",
        description="Exit status 0 when every file is valid, 1 otherwise.",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=handler("questionnaires", "validate_command"))
