"""``fairpath scores``: the riskiest nodes of a network and the company's exposure."""

from __future__ import annotations

import argparse
import json

from api.cli.common import (
    echo,
    engine_for,
    network_or_fail,
    transaction,
)
from audit.scores import presenters as score_views
from audit.scores.service import scoring_context


def scores_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        context = scoring_context(session, network)
        rows = score_views.filtered(context.scores)
        company = context.scores.company
        echo(
            f"Network {network.id} {network.name!r}, scoring profile "
            f"{context.scores.profile.version}"
        )
        if company is not None:
            summary = score_views.summary(context.scores, company)
            echo(f"Company exposure: {summary.exposure:.1f} ({summary.exposure_band})")
            chain = context.scores.critical_chain(company)
            if chain:
                names = " -> ".join(context.scores.nodes[n].node.name for n in chain)
                echo(f"Critical chain: {names}")
        counts = score_views.band_counts(context.scores)
        echo(
            f"Nodes by band: critical {counts.critical}, high {counts.high}, "
            f"medium {counts.medium}, low {counts.low}, "
            f"insufficient data {counts.insufficient_data}"
        )
        echo("")
        echo(f"{'band':<9} {'risk':>5} {'expo':>5} {'kind':<12} {'id':<22} name")
        for row in rows[: args.top]:
            flags = f"  [{', '.join(row.red_flags)}]" if row.red_flags else ""
            echo(
                f"{row.band:<9} {row.risk:>5.1f} {row.exposure:>5.1f} {row.kind:<12} "
                f"{row.external_id[:22]:<22} {row.name}{flags}"
            )
        if args.json:
            document = {
                "network": {"id": network.id, "name": network.name, "version": network.version},
                "profile": context.scores.profile.summary(),
                "nodes": [r.model_dump(mode="json") for r in rows],
                "corridors": [c.model_dump(mode="json") for c in score_views.corridors(context)],
            }
            args.json.write_text(
                json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8"
            )
            echo(f"\nWrote {len(rows)} node scores to {args.json}")
    return 0
