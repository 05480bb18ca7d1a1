"""``fairpath report`` and ``fairpath demo``: audit reports from the shell."""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

import api.tables  # noqa: F401  (every table known before the first flush)
from api.accounts.models import Role
from api.accounts.schemas import UserCreate
from api.accounts.service import create_user
from api.cli.common import (
    CommandFailed,
    add_database_option,
    echo,
    engine_for,
    network_or_fail,
    transaction,
)
from api.cli.demo_seed import DEMO_NETWORKS, load_example
from api.db import make_engine
from api.migrate import upgrade
from api.refresh import refresh_network
from audit.remediation.exports import plan_export
from audit.reports import heatmap
from audit.reports.data import ReportBundle, build_report, build_report_with_figures
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from audit.reports.schemas import ReportData
from core.organisations.models import OrganisationKind
from core.organisations.service import get_or_create_organisation
from questionnaires.service import Actor
from supplychain.models import Network

FORMATS = ("pdf", "html", "json")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = subcommands.add_parser(
        "report",
        help="write the audit report of a network (PDF, HTML or JSON)",
        description="Builds the report from the current scores, findings and plan.",
    )
    report.add_argument("--network", type=int, required=True)
    report.add_argument("--format", choices=FORMATS, default="pdf")
    report.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    add_database_option(report)
    report.set_defaults(handler=_report)

    demo = subcommands.add_parser(
        "demo",
        help="load the example networks and assessments and write their reports",
        description="Creates a fresh local database in the output folder, imports the example "
        "networks with their example assessments, scores them, builds remediation plans, and "
        "writes reports, heatmaps and plan exports.",
    )
    demo.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("fairpath-demo"),
        help="folder to write into (default ./fairpath-demo)",
    )
    demo.set_defaults(handler=_demo)


def write_report(session: Session, network: Network, fmt: str, path: Path, now: datetime) -> None:
    """One report file; JSON needs no heatmaps, so it is built without them."""
    if fmt == "json":
        _write_json(build_report(session, network, now), path)
    else:
        _write(build_report_with_figures(session, network, now), fmt, path)


def _write_json(report: ReportData, path: Path) -> None:
    path.write_text(
        json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )


def _write(bundle: ReportBundle, fmt: str, path: Path) -> None:
    if fmt == "json":
        _write_json(bundle.report, path)
    elif fmt == "html":
        path.write_text(render_html(bundle.report, bundle.figures), encoding="utf-8")
    else:
        path.write_bytes(render_pdf(bundle.report, bundle.figures))


def _report(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    engine = engine_for(args)
    with transaction(engine) as session:
        network_or_fail(session, args.network)
    # A command, not a GET: the findings the report lists are brought up to date first.
    refresh_network(engine, args.network, now)
    with transaction(engine) as session:
        network = network_or_fail(session, args.network)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_report(session, network, args.format, args.output, now)
    echo(f"Wrote the {args.format.upper()} report of network {network.id} to {args.output}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    output: Path = args.output
    if output.exists() and not (output / "fairpath-demo.db").exists() and any(output.iterdir()):
        raise CommandFailed(
            f"{output} exists and is not a Fairpath demo folder; choose another with --output"
        )
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{(output / 'fairpath-demo.db').resolve()}")
    upgrade(engine)
    now = datetime.now(UTC)
    written: list[Path] = []
    with transaction(engine) as session:
        programme = get_or_create_organisation(
            session, "Fairpath demo programme", OrganisationKind.programme
        )
        reviewer = create_user(
            session,
            UserCreate(
                email="auditor@demo.fairpath.example",
                organisation_id=programme.id or 0,
                role=Role.admin,
            ),
        )
        actor = Actor.user(reviewer.id, "admin")
        for name in DEMO_NETWORKS:
            loaded = load_example(session, name, now=now, actor=actor)
            folder = output / name
            folder.mkdir()
            bundle = build_report_with_figures(session, loaded.network, now)
            for fmt in FORMATS:
                path = folder / f"report.{fmt}"
                _write(bundle, fmt, path)
                written.append(path)
            for figure_name, figure in bundle.figures.items():
                for extension, render in (("svg", heatmap.to_svg), ("png", heatmap.to_png)):
                    path = folder / f"heatmap-{figure_name}.{extension}"
                    path.write_bytes(render(figure))
                    written.append(path)
            plan, _media = plan_export(session, loaded.network, now.date(), "csv")
            (folder / "remediation-plan.csv").write_bytes(plan)
            written.append(folder / "remediation-plan.csv")
            echo(
                f"{loaded.network.name}: {loaded.assessments} assessments, "
                f"{loaded.actions} remediation actions -> {folder}/"
            )
    engine.dispose()
    echo("")
    echo(f"Demo written to {output.resolve()}/")
    for path in written:
        if path.suffix in (".pdf", ".html"):
            echo(f"  {path}")
    echo(
        f"Database: {output / 'fairpath-demo.db'} (open it with "
        f"DATABASE_URL=sqlite:///{output / 'fairpath-demo.db'} fairpath serve)"
    )
    return 0
