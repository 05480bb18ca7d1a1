"""``fairpath orientation`` (run by ``api.cli.orientation``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser(
        "orientation",
        help="CREST pillar 2: import workers' orientation sessions, show their coverage",
    )
    actions = group.add_subparsers(dest="orientation_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import",
        help="import orientation sessions from a sheet (CSV or XLSX); all or nothing",
        description="Columns: stage (pre_departure or post_arrival), origin, destination, date "
        "(YYYY-MM-DD), language, topics (ids separated by ';'), deliverer, workers; optionally "
        "employer and recruiter (external ids), info_page_shown, notes. Any problem refuses the "
        "whole file, listing every row and column.",
    )
    load.add_argument("network", type=int, metavar="NETWORK", help="the network's id")
    load.add_argument("file", type=Path, metavar="FILE", help="the CSV or XLSX sheet")
    load.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    add_database_option(load)
    load.set_defaults(handler=handler("orientation", "import_command"))
    shown = actions.add_parser(
        "coverage",
        help="workers oriented over workers recruited, per corridor and employer, by stage",
        description="Prints, per corridor and per employer, the workers recruited (from the "
        "network's labour edges) and the share oriented before departure and after arrival "
        "('unknown' when the workers recruited are not known).",
    )
    shown.add_argument("network", type=int, metavar="NETWORK", help="the network's id")
    add_database_option(shown)
    shown.set_defaults(handler=handler("orientation", "coverage_command"))
