"""``fairpath reference``: the shipped reference data sets, their editions, coverage and gaps.

Needs no database: it reads the files shipped with Fairpath, so a reviewer can see what a score
can and cannot rest on before any network is imported.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from api.cli.base import echo
from scoring.datasets import datasets
from scoring.reference import shipped_reference


def reference_command(args: argparse.Namespace) -> int:
    summaries = datasets(shipped_reference())
    if args.json:
        echo(json.dumps([asdict(s) for s in summaries], indent=2, ensure_ascii=False))
        return 0
    for summary in summaries:
        echo(f"{summary.title} ({summary.file}, {summary.rows} rows)")
        echo(f"  editions: {', '.join(summary.editions) or 'none recorded'}")
        echo("  coverage: " + ", ".join(f"{k} {v}" for k, v in summary.coverage.items()))
        echo("  sources:  " + ", ".join(f"{k} {v}" for k, v in summary.quality.items()))
        for gap in summary.gaps:
            echo(f"  gap:      {gap}")
        echo("")
    echo("Sources, file by file: scoring/data/SOURCES.md")
    return 0
