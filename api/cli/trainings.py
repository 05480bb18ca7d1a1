"""``fairpath trainings import`` and ``fairpath trainings coverage``.

An import runs as one transaction, like the API's (nothing is written unless every row is
good), and the network's findings are refreshed after it commits (``api.work``).
"""

from __future__ import annotations

import argparse

from api.cli.common import CommandFailed, echo, engine_for, network_or_fail, settings_from
from api.work import transaction
from audit.training import imports
from audit.training import service as trainings
from audit.training.coverage import Share
from core.clock import utcnow


def _validity(args: argparse.Namespace) -> int:
    months = getattr(args, "validity_months", None) or settings_from(args).training_validity_months
    if months < 1:
        raise CommandFailed("--validity-months must be at least 1")
    return int(months)


def import_command(args: argparse.Namespace) -> int:
    validity = _validity(args)
    data = args.file.read_bytes()
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        result = imports.import_trainings(
            session,
            network=network,
            filename=args.file.name,
            data=data,
            today=utcnow().date(),
            validity_months=validity,
            dry_run=args.dry_run,
            role="admin",  # the shell is trusted, as for every CLI command
            user_id=None,
        )
    if result.dry_run:
        echo(f"Dry run: {result.rows} trainings are valid; nothing was written.")
        return 0
    echo(f"Imported {result.created} trainings into network {args.network} {network.name!r}.")
    if result.closed_actions:
        listed = ", ".join(str(i) for i in result.closed_actions)
        echo(f"Completed {len(result.closed_actions)} plan training actions: {listed}")
    return 0


def _share(label: str, share: Share) -> str:
    if share.share is None:
        return f"{label}: none in the network"
    return f"{label}: {share.current} of {share.total} current ({share.share:.0%})"


def coverage_command(args: argparse.Namespace) -> int:
    validity = _validity(args)
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        result, nodes = trainings.network_coverage(
            session, network=network, today=utcnow().date(), validity_months=validity
        )
        echo(
            f"Network {network.id} {network.name!r}: training coverage on "
            f"{result.today.isoformat()} (a training counts for {validity} months)"
        )
        echo(_share("Suppliers with migrant workers", result.suppliers_with_migrants))
        echo(_share("Recruiters", result.recruiters))
        missing = result.gaps()
        if not missing:
            echo("Every supplier with migrant workers and every recruiter is covered.")
            return 0
        echo("")
        echo(f"Without current training ({len(missing)}):")
        for row in missing:
            node = nodes[row.node_id]
            last = row.last_trained.isoformat() if row.last_trained else "none recorded"
            echo(f"  {row.kind:<10} {node.external_id[:22]:<22} {node.name}  (last: {last})")
    return 0
