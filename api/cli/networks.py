"""``fairpath networks``, ``fairpath import`` and ``fairpath export``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.cli.common import CommandFailed, add_database_option, echo, engine_for, transaction
from api.cli.progress import SAVING, add_progress_option, showing_progress
from core import changes
from core.organisations.models import Organisation, OrganisationKind
from core.organisations.service import get_or_create_organisation, similar_names
from core.problems import Problems
from core.progress import Progress, no_progress
from core.tenancy import Scope
from supplychain import export, formats
from supplychain import service as networks
from supplychain.schemas import NetworkCreate


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser("networks", help="list and create networks")
    actions = group.add_subparsers(dest="networks_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list networks with their organisation")
    add_database_option(listing)
    listing.set_defaults(handler=_list)
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
    create.set_defaults(handler=_create)

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
    add_progress_option(importer)
    add_database_option(importer)
    importer.set_defaults(handler=_import)

    exporter = subcommands.add_parser("export", help="export a network")
    exporter.add_argument("--network", type=int, required=True)
    exporter.add_argument("--format", choices=tuple(export.EXPORT_FORMATS), default="json")
    exporter.add_argument("-o", "--output", type=Path, required=True)
    add_database_option(exporter)
    exporter.set_defaults(handler=_export)


def _list(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        rows, _total = networks.list_networks(session, scope=Scope.everything(), limit=10_000)
        organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()}
        echo(f"{'id':>4}  {'version':>7}  {'name':<40} organisation")
        for network in rows:
            echo(
                f"{network.id:>4}  {network.version:>7}  {network.name:<40} "
                f"{organisations.get(network.organisation_id, '?')}"
            )
    return 0


def owner(session: Session, name: str, *, create_anyway: bool) -> Organisation:
    """The organisation named ``name``; a new one only when no existing name is close to it
    (a misspelt name must not quietly start a second organisation)."""
    close = [] if create_anyway else similar_names(session, name)
    existing = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if existing is None and close:
        listed = ", ".join(repr(n) for n in close)
        raise CommandFailed(
            f"no organisation is called {name!r}; did you mean {listed}? "
            "(--create-organisation creates it as typed)"
        )
    return existing or get_or_create_organisation(session, name, OrganisationKind.company)


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A dry run's session: it may create what the real run would (the new network), so that
    everything is checked the same way, and all of it is rolled back."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
            changes.discard(session)


def _create(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        organisation = owner(session, args.organisation, create_anyway=args.create_organisation)
        network = networks.create_network(
            session,
            scope=Scope.everything(),
            own_organisation_id=organisation.id or 0,
            data=NetworkCreate(name=args.name, description=args.description),
        )
        echo(f"Created network {network.id} {network.name!r} for {organisation.name!r}.")
    return 0


def read_files(
    paths: list[Path], problems: Problems, progress: Progress = no_progress
) -> formats.RawNetwork:
    """Turn command-line paths into the same upload shape the API receives."""
    for path in paths:
        if not path.exists():
            raise CommandFailed(f"{path}: no such file or folder")
    if len(paths) == 1 and paths[0].is_dir():
        folder = paths[0]
        paths = [p for p in (folder / "nodes.csv", folder / "edges.csv") if p.exists()]
        if not paths:
            raise CommandFailed(f"{folder} holds neither nodes.csv nor edges.csv")
    if len(paths) == 1 and not paths[0].name.lower().endswith(".csv"):
        return formats.read_upload(
            {"file": (paths[0].name, paths[0].read_bytes())}, problems, progress=progress
        )
    files: dict[str, tuple[str, bytes]] = {}
    for path in paths:
        lowered = path.name.lower()
        role = "edges" if "edge" in lowered else "nodes" if "node" in lowered else None
        if role is None or role in files:
            raise CommandFailed(
                f"{path}: name CSV files so that one contains 'nodes' and the other 'edges'"
            )
        files[role] = (path.name, path.read_bytes())
    return formats.read_upload(files, problems, progress=progress)


def _import(args: argparse.Namespace) -> int:
    problems = Problems()
    with showing_progress(args) as progress:
        raw = read_files(args.files, problems, progress)
        engine = engine_for(args)
        unit = rolled_back(engine) if args.dry_run else transaction(engine)
        with unit as session:
            if args.new:
                if not args.organisation:
                    raise CommandFailed("--new needs --organisation")
                organisation = owner(
                    session, args.organisation, create_anyway=args.create_organisation
                )
                network = networks.create_network(
                    session,
                    scope=Scope.everything(),
                    own_organisation_id=organisation.id or 0,
                    data=NetworkCreate(name=args.new),
                )
            else:
                network = networks.get_network(
                    session, scope=Scope.everything(), network_id=args.network
                )
            result = networks.import_network(
                session,
                network=network,
                raw=raw,
                mode=args.mode,
                dry_run=args.dry_run,
                problems=problems,
                progress=progress,
            )
            if args.dry_run and args.new:  # the network was never created
                target = f"a new network {network.name!r} of {organisation.name!r}"
            else:
                target = f"network {network.id} {network.name!r}"
            if not args.dry_run:
                progress(SAVING, 0, 1)
        if not args.dry_run:
            progress(SAVING, 1, 1)
    # Results on stdout once the progress display is down (scripts read them).
    if args.dry_run:
        echo(f"Checked (dry run, nothing written) for {target}:")
    else:
        echo(f"Imported into {target} (now version {result.network_version}):")
    for label, counts in (("nodes", result.nodes), ("edges", result.edges)):
        echo(f"  {label}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def _export(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        network = networks.get_network(session, scope=Scope.everything(), network_id=args.network)
        state = networks.load_state(session, network.id or 0)
        content, _media, _extension = export.render(network, state, args.format)
    args.output.write_bytes(content)
    echo(f"Wrote {args.output} ({len(content):,} bytes).")
    return 0
