"""``fairpath orientation import`` and ``fairpath orientation coverage``.

An import runs as one transaction, like the API's (nothing is written unless every row is
good), and the network's findings are refreshed after it commits (``api.work``).
"""

from __future__ import annotations

import argparse

from api.cli.common import echo, engine_for, network_or_fail
from api.work import transaction
from audit.orientation import imports
from audit.orientation import service as orientation
from audit.orientation.coverage import StageShare
from audit.orientation.presenters import corridor_label, shown
from core.clock import utcnow


def import_command(args: argparse.Namespace) -> int:
    data = args.file.read_bytes()
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        result = imports.import_sessions(
            session,
            network=network,
            filename=args.file.name,
            data=data,
            today=utcnow().date(),
            dry_run=args.dry_run,
            user_id=None,
        )
    if result.dry_run:
        echo(f"Dry run: {result.rows} orientation sessions are valid; nothing was written.")
        return 0
    echo(
        f"Imported {result.created} orientation sessions into network {args.network} "
        f"{network.name!r}."
    )
    return 0


def _stage(stage: StageShare) -> str:
    return f"{stage.oriented:>7,} {shown(stage.share):>8}"


def _recruited(recruited: int | None) -> str:
    return "unknown" if recruited is None else f"{recruited:,}"


def coverage_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        result = orientation.orientation_coverage(session, network=network)
        echo(f"Network {network.id} {network.name!r}: orientation of migrant workers")
        if not result.corridors:
            echo("No corridors: no labour edges are mapped and no session is recorded.")
            return 0
        header = f"{'recruited':>10} {'pre-departure':>16} {'post-arrival':>16}"
        echo("")
        echo(f"{'Corridor':<24} {header}")
        for row in result.corridors:
            label = corridor_label(row.origin, row.destination)
            echo(
                f"{label:<24} {_recruited(row.recruited):>10} {_stage(row.pre_departure)} "
                f"{_stage(row.post_arrival)}"
            )
        if result.employers:
            echo("")
            echo(f"{'Employer':<24} {header}")
            for item in result.employers:
                echo(
                    f"{item.name[:24]:<24} {_recruited(item.recruited):>10} "
                    f"{_stage(item.pre_departure)} {_stage(item.post_arrival)}"
                )
    return 0
