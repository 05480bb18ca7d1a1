"""``fairpath report`` and ``fairpath demo`` (run by ``api.cli.report``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option, add_progress_option

FORMATS = ("pdf", "html", "json")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = subcommands.add_parser(
        "report",
        help="write the audit report of a network (PDF, HTML or JSON)",
        description="Builds the report from the current scores, findings and plan.",
    )
    report.add_argument("--network", type=int, required=True)
    report.add_argument("--format", choices=FORMATS, default="pdf")
    report.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    add_progress_option(report)
    add_database_option(report)
    report.set_defaults(handler=handler("report", "report_command"))

    demo = subcommands.add_parser(
        "demo",
        help="load the example networks and assessments and write their reports",
        description="Creates a fresh local database in the output folder, imports the example "
        "networks with their example assessments, scores them, builds remediation plans, and "
        "writes reports, heatmaps and plan exports.",
    )
    demo.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("fairpath-demo"),
        help="folder to write into (default ./fairpath-demo)",
    )
    add_progress_option(demo)
    demo.set_defaults(handler=handler("report", "demo_command"))
