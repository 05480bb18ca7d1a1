"""``fairpath reference`` (run by ``api.cli.reference``)."""

from __future__ import annotations

import argparse

from api.cli.base import handler


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subcommands.add_parser(
        "reference",
        help="list the reference data sets, their sources' quality and their gaps",
        description="Lists each shipped reference data set (country risk, corridor costs, the "
        "US DoL goods list, exchange rates): editions, coverage, rows by source quality "
        "(primary, mirror, secondary) and known gaps.",
    )
    command.add_argument("--json", action="store_true", help="print the listing as JSON")
    command.set_defaults(handler=handler("reference", "reference_command"))
