"""``fairpath findings refresh``: bring generated findings up to date, e.g. from cron.

Findings are refreshed after every change to a network, its assessments or its settings; what
ages them without a change is the calendar (an assessment passing its validity). A daily run of
this command keeps them current without any read having to write.
"""

from __future__ import annotations

import argparse

from sqlmodel import col, select

from api.cli.common import echo, engine_for, network_or_fail, transaction
from api.refresh import refresh_network
from audit.findings import service as findings_service
from core.clock import utcnow
from supplychain.models import Network


def refresh_command(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    with transaction(engine) as session:
        if args.network is not None:
            ids = [network_or_fail(session, args.network).id or 0]
        else:
            ids = [i for i in session.exec(select(Network.id).order_by(col(Network.id))) if i]
    if not ids:
        echo("No networks yet: nothing to refresh.")
        return 0
    for network_id in ids:
        changed = refresh_network(engine, network_id, utcnow())
        with transaction(engine) as session:
            network = network_or_fail(session, network_id)
            counts = findings_service.counts(session, network)
        open_total = sum(counts.get("open", {}).values())
        state = "regenerated" if changed else "already current"
        echo(f"Network {network_id} {network.name!r}: findings {state}; {open_total} open")
    return 0
