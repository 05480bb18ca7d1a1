"""``fairpath questionnaires validate``: check questionnaire and translation files by hand."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import CommandFailed, echo
from core.numbers import counted
from questionnaires.checkfile import check_questionnaire_file
from questionnaires.library import load_questionnaire_file


def validate_command(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        problems = check_questionnaire_file(path)
        if problems:
            failed += 1
            echo(f"{path}: {counted(len(problems), 'problem', 'problems')}")
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
