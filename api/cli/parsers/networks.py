"""``fairpath networks``, ``fairpath import`` and ``fairpath export`` (run by
``api.cli.networks``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option, add_progress_option

# The keys of ``supplychain.export.EXPORT_FORMATS``, written out: that module imports NetworkX
# and the ORM (tests/api/test_cli_startup.py checks that they match).
EXPORT_FORMATS = ("json", "csv", "xlsx", "graphml")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser("networks", help="list and create networks")
    actions = group.add_subparsers(dest="networks_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list networks with their organisation")
    add_database_option(listing)
    listing.set_defaults(handler=handler("networks", "list_command"))
    create = actions.add_parser("create", help="create an empty network")
    create.add_argument("--name", required=True)
    create.add_argument("--organisation", required=True, help="owner (created if missing)")
    create.add_argument(
        "--create-organisation",
        action="store_true",
        help="create the organisation even if its name is close to an existing one",
    )
    create.add_argument("--description", default="")
    add_database_option(create)
    create.set_defaults(handler=handler("networks", "create_command"))

    importer = subcommands.add_parser(
        "import",
        help="import nodes and edges into a network (all or nothing)",
        description="FILES: nodes.csv and edges.csv; or one ZIP, XLSX, JSON or GraphML file; "
        "or a folder holding nodes.csv and edges.csv.",
    )
    importer.add_argument("files", nargs="+", type=Path, metavar="FILE")
    target = importer.add_mutually_exclusive_group(required=True)
    target.add_argument("--network", type=int, help="id of an existing network")
    target.add_argument("--new", metavar="NAME", help="create a network with this name")
    importer.add_argument("--organisation", help="with --new: the owner (created if missing)")
    importer.add_argument(
        "--create-organisation",
        action="store_true",
        help="with --new: create the organisation even if its name is close to an existing one",
    )
    importer.add_argument("--mode", choices=("upsert", "replace"), default="upsert")
    importer.add_argument("--dry-run", action="store_true", help="validate only")
    importer.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE.json",
        help='column mapping for headers that differ: {"nodes": {"Supplier ID": "id"}, ...}',
    )
    importer.add_argument(
        "--mapping-name", metavar="NAME", help="a column mapping saved by the organisation"
    )
    add_progress_option(importer)
    add_database_option(importer)
    importer.set_defaults(handler=handler("networks", "import_command"))

    exporter = subcommands.add_parser("export", help="export a network")
    exporter.add_argument("--network", type=int, required=True)
    exporter.add_argument("--format", choices=EXPORT_FORMATS, default="json")
    exporter.add_argument("-o", "--output", type=Path, required=True)
    add_database_option(exporter)
    exporter.set_defaults(handler=handler("networks", "export_command"))
