"""``fairpath registry`` (run by ``api.cli.registry``)."""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option


def _country(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", raw.strip()):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a two-letter country code such as NP")
    return raw.strip().upper()


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (write 2026-11-20)") from exc


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser(
        "registry",
        help="the recruiter registry: list and show entries, import licence lists, match",
    )
    actions = group.add_subparsers(dest="registry_command", metavar="ACTION", required=True)

    listed = actions.add_parser("list", help="the registry's entries, by name")
    listed.add_argument("--country", type=_country, metavar="CC", help="only this country")
    listed.add_argument("--q", metavar="NAME", help="only entries whose name contains this")
    listed.add_argument("--licence", metavar="NUMBER", help="only this licence (written any way)")
    add_database_option(listed)
    listed.set_defaults(handler=handler("registry", "list_command"))

    shown = actions.add_parser(
        "show", help="one entry: licence, IRIS status, commitments, sanctions and its history"
    )
    shown.add_argument("entry", type=int, metavar="ID", help="the registry entry's id")
    add_database_option(shown)
    shown.set_defaults(handler=handler("registry", "show_command"))

    imported = actions.add_parser(
        "import-licences",
        help="import an authority's list of licensed recruiters (CSV or XLSX)",
        description="All or nothing: each problem is printed with its row and column, and a "
        "refused file writes nothing. Every recruiter licensed in the country is then checked "
        "against the list, in every organisation's network: a licence missing, not on the "
        "list, expired, suspended or revoked becomes a finding naming the list and its date.",
    )
    imported.add_argument("file", type=Path, metavar="FILE", help="the authority's list")
    imported.add_argument("--authority", required=True, help="who published the list")
    imported.add_argument("--country", required=True, type=_country, metavar="CC")
    imported.add_argument(
        "--published-on", required=True, type=_day, metavar="YYYY-MM-DD",
        help="the date the authority published it",
    )  # fmt: skip
    imported.add_argument("--source", required=True, help="where the list was read")
    imported.add_argument(
        "--illustrative", action="store_true", help="sample data for tests and demos, never real"
    )
    imported.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE.json",
        help='our column -> the file\'s header, e.g. {"licence_number": "Licence No.", '
        '"name": "Agency", "status": "Status", "valid_until": "Expiry"}',
    )
    add_database_option(imported)
    imported.set_defaults(handler=handler("registry", "import_command"))

    match = actions.add_parser(
        "match",
        help="link a network's recruiters to the registry by licence; offer name matches",
        description="A recruiter links by itself only on the same licence number in the same "
        "country; a similar name becomes a suggestion for an analyst to accept or reject (on "
        "the dashboard's Registry tab or through the API). A rejected one is never offered "
        "again.",
    )
    match.add_argument("network", type=int, metavar="NETWORK_ID", help="the network's id")
    add_database_option(match)
    match.set_defaults(handler=handler("registry", "match_command"))
