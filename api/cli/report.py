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
    echo,
    engine_for,
    network_or_fail,
    transaction,
)
from api.cli.demo_seed import DEMO_NETWORKS, load_example
from api.cli.parsers.report import FORMATS
from api.cli.progress import REFRESHING, SAVING, showing_progress
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
from core.progress import Progress, no_progress
from questionnaires.service import Actor
from supplychain.models import Network


def write_report(
    session: Session,
    network: Network,
    fmt: str,
    path: Path,
    now: datetime,
    *,
    progress: Progress = no_progress,
) -> None:
    """One report file; JSON needs no heatmaps, so it is built without them."""
    if fmt == "json":
        _write_json(build_report(session, network, now, progress=progress), path)
    else:
        bundle = build_report_with_figures(session, network, now, progress=progress)
        _write(bundle, fmt, path, progress)


def _write_json(report: ReportData, path: Path) -> None:
    path.write_text(
        json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )


def _write(bundle: ReportBundle, fmt: str, path: Path, progress: Progress = no_progress) -> None:
    if fmt == "json":
        _write_json(bundle.report, path)
    elif fmt == "html":
        progress("rendering HTML", 0, 1)
        path.write_text(render_html(bundle.report, bundle.figures), encoding="utf-8")
        progress("rendering HTML", 1, 1)
    else:
        path.write_bytes(render_pdf(bundle.report, bundle.figures, progress=progress))


def report_command(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    engine = engine_for(args)
    with transaction(engine) as session:
        network_or_fail(session, args.network)
    with showing_progress(args) as progress:
        # A command, not a GET: the findings the report lists are brought up to date first.
        progress(REFRESHING, 0, 1)
        refresh_network(engine, args.network, now)
        progress(REFRESHING, 1, 1)
        with transaction(engine) as session:
            network = network_or_fail(session, args.network)
            args.output.parent.mkdir(parents=True, exist_ok=True)
            write_report(session, network, args.format, args.output, now, progress=progress)
    echo(f"Wrote the {args.format.upper()} report of network {network.id} to {args.output}")
    return 0


class _Steps:
    """A stage counted in steps: reports 0 of ``total`` at once, then one more per call."""

    def __init__(self, progress: Progress, stage: str, total: int) -> None:
        self._progress, self._stage, self._total = progress, stage, total
        self._done = 0
        progress(stage, 0, total)

    def __call__(self) -> None:
        self._done += 1
        self._progress(self._stage, self._done, self._total)


def demo_command(args: argparse.Namespace) -> int:
    output: Path = args.output
    if output.exists() and not (output / "fairpath-demo.db").exists() and any(output.iterdir()):
        raise CommandFailed(
            f"{output} exists and is not a Fairpath demo folder; choose another with --output"
        )
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{(output / 'fairpath-demo.db').resolve()}")
    now = datetime.now(UTC)
    written: list[Path] = []
    summaries: list[str] = []  # printed once the progress display is down
    with showing_progress(args) as progress:
        progress("creating the database", 0, 1)
        upgrade(engine)
        progress("creating the database", 1, 1)
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
                # One stage per example, in steps: the networks are small, and a log of every
                # import and report stage of each would be seventy lines.
                step = _Steps(progress, f"example {name}", total=3 + len(FORMATS))
                loaded = load_example(session, name, now=now, actor=actor, crest_records=True)
                step()
                folder = output / name
                folder.mkdir()
                bundle = build_report_with_figures(session, loaded.network, now)
                step()
                for fmt in FORMATS:
                    path = folder / f"report.{fmt}"
                    _write(bundle, fmt, path)
                    written.append(path)
                    step()
                for figure_name, figure in bundle.figures.items():
                    for extension, render in (("svg", heatmap.to_svg), ("png", heatmap.to_png)):
                        path = folder / f"heatmap-{figure_name}.{extension}"
                        path.write_bytes(render(figure))
                        written.append(path)
                plan, _media = plan_export(session, loaded.network, now.date(), "csv")
                (folder / "remediation-plan.csv").write_bytes(plan)
                written.append(folder / "remediation-plan.csv")
                step()
                summaries.append(
                    f"{loaded.network.name}: {loaded.assessments} assessments, "
                    f"{loaded.actions} remediation actions -> {folder}/"
                )
            progress(SAVING, 0, 1)
        progress(SAVING, 1, 1)
    for summary in summaries:
        echo(summary)
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
