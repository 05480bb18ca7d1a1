"""``fairpath questionnaires validate``: check questionnaire and translation files by hand."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.common import CommandFailed, echo
from questionnaires.checkfile import check_questionnaire_file
from questionnaires.library import load_questionnaire_file


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser("questionnaires", help="work with questionnaire files")
    actions = group.add_subparsers(dest="questionnaires_command", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        help="check questionnaire or translation YAML files and print every problem",
        description="Exit status 0 when every file is valid, 1 otherwise.",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=_validate)


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        problems = check_questionnaire_file(path)
        if problems:
            failed += 1
            echo(f"{path}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
            for problem in problems:
                echo(f"  - {problem}")
            continue
        echo(f"{path}: valid{_summary(path)}")
    if failed:
        raise CommandFailed(f"{failed} of {len(args.files)} file(s) invalid")
    return 0


def _summary(path: Path) -> str:
    try:
        questionnaire = load_questionnaire_file(path)
    except ValueError:
        return " (translation covers every question and option)"
    return (
        f" ({questionnaire.id} v{questionnaire.version}: {len(questionnaire.sections)} sections, "
        f"{len(questionnaire.questions())} questions, {len(questionnaire.red_flags)} red flags)"
    )
