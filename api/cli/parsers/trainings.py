"""``fairpath trainings`` (run by ``api.cli.trainings``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser(
        "trainings", help="CREST pillar 1: import trainings, show their coverage"
    )
    actions = group.add_subparsers(dest="trainings_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import",
        help="import trainings from an attendance sheet (CSV or XLSX); all or nothing",
        description="Columns: node (external id), date (YYYY-MM-DD), provider, topics (ids "
        "separated by ';'), participants; optionally audience, language, notes. Any problem "
        "refuses the whole file, listing every row and column.",
    )
    load.add_argument("network", type=int, metavar="NETWORK", help="the network's id")
    load.add_argument("file", type=Path, metavar="FILE", help="the CSV or XLSX sheet")
    load.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    add_database_option(load)
    load.set_defaults(handler=handler("trainings", "import_command"))
    shown = actions.add_parser(
        "coverage",
        help="the share of suppliers with migrant workers and of recruiters trained",
        description="Prints both shares and every supplier or recruiter without current "
        "training (validity: FAIRPATH_TRAINING_VALIDITY_MONTHS, 24 by default).",
    )
    shown.add_argument("network", type=int, metavar="NETWORK", help="the network's id")
    shown.add_argument("--validity-months", type=int, help="override the validity in months")
    add_database_option(shown)
    shown.set_defaults(handler=handler("trainings", "coverage_command"))
