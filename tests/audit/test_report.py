"""Reports and heatmaps on the seafood example: data, PDF text, HTML safety, SVG structure."""

from __future__ import annotations

import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typing_extensions import get_type_hints, is_typeddict

from api.cli import main as cli
from api.cli.demo_seed import load_example
from audit.reports.data import build_report, build_report_with_figures
from audit.reports.heatmap import Cell, Heatmap, to_png, to_svg
from audit.reports.heatmap_data import corridor_heatmap
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from audit.reports.schemas import ReportData
from audit.scores import service as scores_service
from audit.scores.service import ScoringContext, scoring_context
from questionnaires.service import Actor
from supplychain.models import Network
from tests.builders import World, network_with, node

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WHITE_CELL = re.compile(r"<rect [^>]*stroke: rgb\(100%,100%,100%\); [^>]*stroke-width: 1\.5;")


@pytest.fixture
def seafood(engine: Engine) -> int:
    """The seafood example with its example assessments, scored and planned."""
    with Session(engine, expire_on_commit=False) as session:
        loaded = load_example(session, "seafood-thailand", now=NOW, actor=Actor.user(None, "admin"))
        session.commit()
        return loaded.network.id or 0


def _network(session: Session, network_id: int) -> Network:
    network = session.get(Network, network_id)
    assert network is not None
    return network


def test_report_data_has_the_expected_counts_findings_and_reimbursement(
    engine: Engine, seafood: int
) -> None:
    with Session(engine) as session:
        report = build_report(session, _network(session, seafood), NOW)
    key = report.key_figures
    assert (key.suppliers, key.recruiters, key.worker_groups, key.corridors) == (13, 25, 3, 4)
    assert (key.assessments_accepted, key.assessments_submitted) == (4, 1)
    assert key.critical_findings == 2
    assert {f.code for f in report.findings["critical"]} == {
        "RF_WORKER_PAID_FEES",
        "RF_DOCUMENT_RETENTION",
    }
    # MMK 225,000,000 at the sourced 2,100 MMK per USD (2023) = USD 107,142.86.
    assert key.fees_owed_usd == 107142.86
    assert key.fees_owed_local == {"MMK": 225000000.0}
    assert key.exposure_band == "critical"
    assert report.critical_chain == ["Mahachai Ocean Foods Co., Ltd.", "Tidewell Foods Ltd"]
    assert report.methodology.questionnaires == ["recruiter-saq v2", "supplier-saq v2"]
    assert key.actions_total == len(report.plan) > 0
    assert {c.origin for c in report.corridors} == {"MM", "KH", "LA", None}
    assert any("TIP" in s.data for s in report.sources)
    assert len(report.scorecards) == 13 + 25


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # rendering only
def test_pdf_renders_with_contents_page_numbers_and_text(engine: Engine, seafood: int) -> None:
    with Session(engine) as session:
        bundle = build_report_with_figures(session, _network(session, seafood), NOW)
        pdf = render_pdf(bundle.report, bundle.figures)
    reader = PdfReader(io.BytesIO(pdf))
    assert 10 <= len(reader.pages) <= 30
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Thai seafood supply chain",
        "Contents",
        "1. Executive summary",
        "2. Scope and methodology",
        "4. Heatmaps",
        "5. Findings",
        "Appendix: node scorecards",
        "Hpa-An village sub-agent",
        "USD 107,142.86",
        f"Page {len(reader.pages)}",
        "Repay recruitment fees",
    ):
        assert expected in text, expected
    contents = reader.pages[1].extract_text()
    assert "Executive summary" in contents and "Findings" in contents
    assert reader.metadata is not None and "Thai seafood" in (reader.metadata.title or "")


def test_a_pdf_report_scores_the_network_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report data and the heatmaps share one scoring context per request."""
    network = network_with(
        world.analyst_a,
        [node("CO", "company", "Brand", "GB"), node("S1", "supplier", "Factory", "TH")],
        [{"source": "S1", "target": "CO", "kind": "supplies"}],
    )
    original = scores_service.scoring_context
    calls: list[int | None] = []

    def counted(
        session: Session, network: Network, *, now: datetime | None = None
    ) -> ScoringContext:
        calls.append(network.id)
        return original(session, network, now=now)

    # Every module that imported the function by name gets the counting one.
    for module in list(sys.modules.values()):
        if getattr(module, "scoring_context", None) is original:
            monkeypatch.setattr(module, "scoring_context", counted)
    response = world.analyst_a.get(f"/api/v1/networks/{network['id']}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert calls == [network["id"]]


def _walk(annotation: object) -> Iterator[object]:
    yield annotation
    for argument in get_args(annotation):
        yield from _walk(argument)


def _any_fields(model: type, seen: set[type]) -> list[str]:
    """``Model.field`` for every field typed with Any, in the model and every model it holds."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        hints = {name: field.annotation for name, field in model.model_fields.items()}
    else:
        hints = get_type_hints(model)  # a TypedDict
    found = []
    for name, annotation in hints.items():
        for part in _walk(annotation):
            if part is Any:
                found.append(f"{model.__name__}.{name}")
            elif (
                isinstance(part, type)
                and part not in seen
                and (is_typeddict(part) or issubclass(part, BaseModel))
            ):
                seen.add(part)
                found += _any_fields(part, seen)
    return found


# Free-form by design in the schemas of other domains (answers, evidence), not in the report's.
ANY_OWNED_ELSEWHERE = {
    "AnswerRead.answer",
    "ExplanationRead.profile",
    "FindingRead.evidence",
    "RedFlagRead.answer",
}


def test_report_data_is_typed_all_the_way_down() -> None:
    seen: set[type] = set()
    offenders = _any_fields(ReportData, seen)
    assert set(offenders) <= ANY_OWNED_ELSEWHERE, offenders
    # The walk reached the models that replaced the report's former dict[str, Any] fields.
    walked = {model.__name__ for model in seen}
    assert {"ReportMeta", "Methodology", "NetworkSummary", "GapRow"} <= walked
    assert {"PlanMetrics", "ActionCounts", "ReimbursementRead", "OwedLineRead"} <= walked


def test_hostile_names_are_escaped_in_html_and_harmless_in_pdf(
    world: World, engine: Engine
) -> None:
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    network = network_with(
        world.analyst_a,
        [
            node("CO", "company", "Brand", "GB"),
            node("S1", "supplier", hostile, "TH", migrant_workers=10),
            node("R1", "recruiter", "<img src=x onerror=alert(1)>", "MM", role="sub_agent"),
        ],
        [
            {"source": "S1", "target": "CO", "kind": "supplies"},
            {
                "source": "R1",
                "target": "S1",
                "kind": "recruits_for",
                "origin": "MM",
                "destination": "TH",
                "workers": 10,
            },
        ],
        name="<i>Network</i>",
    )
    html = world.analyst_a.get(f"/api/v1/networks/{network['id']}/report.html")
    assert html.status_code == 200
    body = html.text
    assert "<script>alert" not in body and "<img src=x" not in body and "<i>Network" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in body
    assert "default-src 'none'" in html.headers["content-security-policy"]
    pdf = world.analyst_a.get(f"/api/v1/networks/{network['id']}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert '<script>alert("x")</script>' in text  # shown as text, not interpreted


def test_corridor_heatmap_svg_is_valid_xml_with_one_cell_per_corridor(
    engine: Engine, seafood: int
) -> None:
    with Session(engine) as session:
        context = scoring_context(session, _network(session, seafood), now=NOW)
        figure = corridor_heatmap(context)
    svg = to_svg(figure)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert len(WHITE_CELL.findall(svg.decode())) == len(figure.cells) == 4
    assert figure.rows[0] == "Myanmar"  # worst first
    assert "1,587" in svg.decode()
    png = to_png(figure)
    assert png.startswith(b"\x89PNG")


@pytest.mark.parametrize("size", [(2, 2), (30, 40)])
def test_heatmaps_are_sized_to_the_data(size: tuple[int, int]) -> None:
    rows, columns = size
    figure = Heatmap(
        title="Test",
        rows=[f"Row {r} with a rather long name" for r in range(rows)],
        columns=[f"Column {c}" for c in range(columns)],
        cells=[
            Cell(r, c, (r * 7 + c * 3) % 100, str(r + c))
            for r in range(rows)
            for c in range(columns)
        ],
    )
    svg = to_svg(figure).decode()
    root = ET.fromstring(svg)
    width = float(root.attrib["width"])
    assert len(WHITE_CELL.findall(svg)) == rows * columns
    assert 400 <= width <= 1600
    assert to_png(figure).startswith(b"\x89PNG")


def test_heatmap_and_report_endpoints(world: World) -> None:
    analyst = world.analyst_a
    network = network_with(
        analyst,
        [node("CO", "company", "Brand", "GB"), node("S1", "supplier", "Factory", "TH")],
        [{"source": "S1", "target": "CO", "kind": "supplies"}],
    )
    base = f"/api/v1/networks/{network['id']}"
    svg = analyst.get(f"{base}/heatmaps/corridors.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    ET.fromstring(svg.content)
    png = analyst.get(f"{base}/heatmaps/principles.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert analyst.get(f"{base}/heatmaps/sectors.gif").status_code == 422
    assert analyst.get(f"{base}/heatmaps/nope.svg").status_code == 422
    report = analyst.get(f"{base}/report.json").json()
    assert report["key_figures"]["suppliers"] == 1
    assert world.analyst_b.get(f"{base}/report.pdf").status_code == 404


def test_cli_report_writes_a_network_and_refuses_an_unknown_one(
    tmp_path: Path, database_url: str, engine: Engine, seafood: int, capsys: pytest.CaptureFixture
) -> None:
    output = tmp_path / "report.html"
    assert (
        cli(
            [
                "report",
                "--network",
                str(seafood),
                "--format",
                "html",
                "-o",
                str(output),
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    assert "Thai seafood supply chain" in output.read_text(encoding="utf-8")
    assert (
        cli(
            [
                "report",
                "--network",
                "999",
                "--format",
                "pdf",
                "-o",
                str(output),
                "--database-url",
                database_url,
            ]
        )
        == 1
    )


def test_demo_writes_every_report_and_tells_its_crest_story(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The demo makes its own SQLite database whatever the backend under test: run once."""
    demo = tmp_path / "demo"
    assert cli(["demo", "-o", str(demo)]) == 0
    printed = capsys.readouterr().out
    for name in ("seafood-thailand", "electronics-malaysia"):
        folder = demo / name
        assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
        assert (folder / "report.json").stat().st_size > 1000
        assert (folder / "heatmap-corridors.svg").exists()
        assert (folder / "remediation-plan.csv").exists()
        assert str(folder / "report.pdf") in printed
    # The seafood example's fictional trainings and orientation sessions are in the demo: its
    # four trainings (current or out of date by now) and the Myanmar intake's two sessions.
    crest = json.loads((demo / "seafood-thailand" / "report.json").read_text())["crest"]
    trained = crest["training"]["coverage"]
    assert trained["trainings_recorded"] == 4
    assert trained["current"] + trained["expired"] == 4
    myanmar = next(c for c in crest["orientation"]["coverage"]["corridors"] if c["origin"] == "MM")
    assert (myanmar["recruited"], myanmar["pre_departure"]["oriented"]) == (1587, 420)
    assert myanmar["post_arrival"]["oriented"] == 380
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine")
    assert cli(["demo", "-o", str(tmp_path / "other")]) == 1
    assert (tmp_path / "other" / "keep.txt").exists()


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # rendering only
def test_reference_table_names_subject_value_year_and_source_and_marks_secondary(
    engine: Engine, seafood: int
) -> None:
    with Session(engine) as session:
        bundle = build_report_with_figures(session, _network(session, seafood), NOW)
    rows = {(s.data, s.subject): s for s in bundle.report.sources}
    # country_risk.csv: Myanmar, TIP Report 2025 tier 3, read from the report itself (primary);
    # Thailand tier 2, read from news reporting (secondary); Myanmar's GSI 2023 prevalence 12.1.
    tier = rows[("US TIP Report tier", "Myanmar")]
    assert (tier.value, tier.year, tier.quality) == ("3", "2025", "primary")
    assert tier.source.startswith("2025 TIP Report: Burma")
    thai = rows[("US TIP Report tier", "Thailand")]
    assert (thai.value, thai.quality) == ("2", "secondary")
    assert thai.source.startswith("The Thaiger")
    prevalence = rows[("GSI prevalence per 1,000", "Myanmar")]
    assert (prevalence.value, prevalence.year, prevalence.quality) == ("12.1", "2023", "mirror")
    # The seafood processors are in Thailand: Thai shrimp is on the DoL list (forced labour).
    shrimp = rows[("US DoL List of Goods Produced by Child Labor or Forced Labor", "Shrimp (TH)")]
    assert "forced labour" in shrimp.value
    assert all(s.source and s.year for s in bundle.report.sources)
    html = render_html(bundle.report, bundle.figures)
    assert "[secondary source]" in html
    pdf = PdfReader(io.BytesIO(render_pdf(bundle.report, bundle.figures)))
    assert "secondary source" in "".join(page.extract_text() for page in pdf.pages)
