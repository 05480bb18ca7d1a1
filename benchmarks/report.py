"""Benchmark: the audit report of a 1,000-node network with hundreds of findings.

    python -m benchmarks.report [--nodes N] [--edges M]

Imports a synthetic network (see ``benchmarks/synthetic.py``) into a fresh SQLite database,
scores it, generates its findings and remediation plan, then times building the report data,
rendering the HTML and rendering the PDF (each after a warm-up, so the scores cache and font
loading are not counted twice). Targets on a 2-core machine: PDF under 5 s, HTML under 1 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session

import api.tables  # noqa: F401  (all tables known)
from api.db import make_engine
from api.migrate import upgrade
from audit.findings import service as findings_service
from audit.remediation import service as plans_service
from audit.reports.data import build_report, build_report_with_figures
from audit.reports.heatmap_data import heatmaps
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from audit.scores.service import scoring_context
from benchmarks.synthetic import generate
from core.organisations.models import Organisation
from core.problems import Problems
from core.tenancy import Scope
from supplychain import formats
from supplychain import service as networks
from supplychain.schemas import NetworkCreate

Result = TypeVar("Result")


def timed(label: str, action: Callable[[], Result]) -> Result:
    started = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000)
    parser.add_argument("--edges", type=int, default=1_500)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="fairpath-report-bench-"))
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(engine)
    now = datetime.now(UTC)
    synthetic = generate(args.nodes, args.edges)
    nodes_csv, edges_csv = synthetic.csv_pair()
    with Session(engine, expire_on_commit=False) as session:
        organisation = Organisation(name="Bench brand")
        session.add(organisation)
        session.flush()
        network = networks.create_network(
            session,
            scope=Scope.everything(),
            own_organisation_id=organisation.id or 0,
            data=NetworkCreate(name="Synthetic network"),
        )
        problems = Problems()
        raw = formats.read_upload(
            {"nodes": ("nodes.csv", nodes_csv), "edges": ("edges.csv", edges_csv)}, problems
        )
        networks.import_network(session, network=network, raw=raw, problems=problems)
        session.flush()
        session.refresh(network)
        actions = plans_service.plan_new_findings(session, network=network, now=now, user_id=None)
        session.commit()
        counts = findings_service.counts(session, network)
        total = sum(sum(v.values()) for v in counts.values())
        print(
            f"network: {args.nodes:,} nodes, {args.edges:,} edges; {total} findings "
            f"({counts.get('open', {})}); {len(actions)} actions"
        )

        warm = build_report_with_figures(session, network, now)  # scores cached, fonts loaded
        render_pdf(warm.report, warm.figures)
        report = timed("report data", lambda: build_report(session, network, now))
        context = scoring_context(session, network, now=now)  # cached: not part of the timing
        figures = timed("heatmaps", lambda: heatmaps(context))
        html = timed("HTML", lambda: render_html(report, figures))
        pdf = timed("PDF", lambda: render_pdf(report, figures))
        started = time.perf_counter()
        bundle = build_report_with_figures(session, network, now)
        render_pdf(bundle.report, bundle.figures)
        print(f"PDF end to end (data + heatmaps + render): {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        bundle = build_report_with_figures(session, network, now)
        render_html(bundle.report, bundle.figures)
        print(f"HTML end to end: {time.perf_counter() - started:.2f} s")
        print(f"sizes: HTML {len(html) / 1e3:.0f} kB, PDF {len(pdf) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
