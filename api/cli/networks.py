"""``fairpath networks``, ``fairpath import`` and ``fairpath export``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.cli.common import CommandFailed, echo, engine_for, transaction
from api.cli.progress import SAVING, showing_progress
from core import changes
from core.organisations.models import Organisation, OrganisationKind
from core.organisations.service import get_or_create_organisation, similar_names
from core.problems import Problems
from core.progress import Progress, no_progress
from core.tenancy import Scope
from supplychain import export, formats
from supplychain import service as networks
from supplychain.schemas import NetworkCreate

if TYPE_CHECKING:
    from supplychain.column_mapping import ColumnMapping


def list_command(args: argparse.Namespace) -> int:
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


def create_command(args: argparse.Namespace) -> int:
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
    paths: list[Path],
    progress: Progress = no_progress,
    *,
    mapping: ColumnMapping | None = None,
) -> tuple[formats.RawNetwork, Problems]:
    """Turn command-line paths into the same upload shape the API receives, and read them as
    the API does (``supplychain.uploads``: the column mapping, facility lists)."""
    from supplychain.uploads import read_files as read_upload

    for path in paths:
        if not path.exists():
            raise CommandFailed(f"{path}: no such file or folder")
    if len(paths) == 1 and paths[0].is_dir():
        folder = paths[0]
        paths = [p for p in (folder / "nodes.csv", folder / "edges.csv") if p.exists()]
        if not paths:
            raise CommandFailed(f"{folder} holds neither nodes.csv nor edges.csv")
    if len(paths) == 1 and not paths[0].name.lower().endswith(".csv"):
        return read_upload(
            {"file": (paths[0].name, paths[0].read_bytes())}, mapping=mapping, progress=progress
        )
    files: dict[str, tuple[str, bytes]] = {}
    for path in paths:
        lowered = path.name.lower()
        role = "edges" if "edge" in lowered else "nodes" if "node" in lowered else None
        if role is None and len(paths) == 1:
            role = "nodes"  # one CSV alone is a node list (or an Open Supply Hub facility list)
        if role is None or role in files:
            raise CommandFailed(
                f"{path}: name CSV files so that one contains 'nodes' and the other 'edges'"
            )
        files[role] = (path.name, path.read_bytes())
    return read_upload(files, mapping=mapping, progress=progress)


def column_mapping_of(args: argparse.Namespace, engine: Engine) -> ColumnMapping | None:
    """``--mapping FILE.json`` or ``--mapping-name NAME`` (saved by the network's organisation,
    or with ``--new`` by ``--organisation``), checked before any file is read."""
    from supplychain.column_mapping import parse_mapping_text

    path: Path | None = getattr(args, "mapping", None)
    name: str | None = getattr(args, "mapping_name", None)
    if path is not None and name is not None:
        raise CommandFailed("give either --mapping or --mapping-name, not both")
    if path is not None:
        if not path.is_file():
            raise CommandFailed(f"{path}: no such file (--mapping)")
        return parse_mapping_text(path.read_text(encoding="utf-8-sig"), field="--mapping")
    if name is None:
        return None
    with Session(engine) as session:
        if args.new:
            found = session.exec(
                select(Organisation).where(Organisation.name == (args.organisation or ""))
            ).first()
            if found is None:
                raise CommandFailed(
                    f"--mapping-name: no organisation {args.organisation!r} has saved mappings"
                )
            organisation_id = found.id or 0
        else:
            network = networks.get_network(
                session, scope=Scope.everything(), network_id=args.network
            )
            organisation_id = network.organisation_id
        return networks.saved_column_mapping(session, organisation_id=organisation_id, name=name)


def import_command(args: argparse.Namespace) -> int:
    with showing_progress(args) as progress:
        engine = engine_for(args)
        mapping = column_mapping_of(args, engine)
        raw, problems = read_files(args.files, progress, mapping=mapping)
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


def export_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        network = networks.get_network(session, scope=Scope.everything(), network_id=args.network)
        state = networks.load_state(session, network.id or 0)
        content, _media, _extension = export.render(network, state, args.format)
    args.output.write_bytes(content)
    echo(f"Wrote {args.output} ({len(content):,} bytes).")
    return 0
