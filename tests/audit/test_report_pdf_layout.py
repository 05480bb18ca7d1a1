"""The PDF's tables and heatmaps on A4: headers break between words only, principle names
wrap instead of being cut, a code equal to its standard's name is printed once, and every
heatmap piece fits the page with no text under 6.5 pt."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.cli.demo_seed import load_example
from audit.reports.data import ReportBundle, build_report_with_figures
from audit.reports.fonts import fonts
from audit.reports.heatmap import MIN_TEXT, ROW_LABEL_MAX, Cell, Heatmap, layout
from audit.reports.pdf import render_pdf, sections
from audit.reports.pdf.document import CONTENT_WIDTH, styles
from audit.reports.pdf.tables import PADDING
from questionnaires.service import Actor
from supplychain.models import Network

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BANDS = {"critical", "high", "medium", "low"}


@pytest.fixture
def bundle(engine: Engine) -> ReportBundle:
    """The seafood example's report and heatmaps: every table of the PDF has rows."""
    with Session(engine, expire_on_commit=False) as session:
        loaded = load_example(session, "seafood-thailand", now=NOW, actor=Actor.user(None, "admin"))
        session.commit()
        network = session.get(Network, loaded.network.id)
        assert network is not None
        return build_report_with_figures(session, network, NOW)


def _tables(flowables: list[Flowable]) -> Iterator[Table]:
    for flowable in flowables:
        if isinstance(flowable, Table):
            yield flowable
        elif isinstance(flowable, KeepTogether):
            kept: Any = flowable  # its flowables: ReportLab's attribute, not in the stubs
            yield from _tables(list(kept._content))


def test_every_header_word_and_band_fits_its_column_whole(bundle: ReportBundle) -> None:
    report, look = bundle.report, styles()
    story = [
        *sections.key_figures(report, look),
        *sections.methodology(report, look),
        *sections.sources(report, look),
        *sections.network(report, look),
        *sections.corridors(report, look),
        *sections.gaps(report, look),
        *sections.findings(report, look),
        *sections.plan(report, look),
        *sections.reimbursement(report, look),
        *sections.scorecards(report, look),
    ]
    tables = list(_tables(story))
    assert len(tables) >= 10
    checked = set()
    for table in tables:
        grid: Any = table  # column widths and cells: ReportLab's attributes, not in the stubs
        widths = grid._argW
        assert sum(widths) <= CONTENT_WIDTH + 0.01
        for index, row in enumerate(grid._cellvalues):
            for column, cell in enumerate(row):
                if not isinstance(cell, Paragraph):
                    continue
                if index > 0 and cell.getPlainText() not in BANDS:
                    continue  # body text may wrap anywhere; headers and bands may not
                for word in cell.getPlainText().split():
                    width = fonts().width(word, cell.style.fontSize, bold=True)
                    assert width <= widths[column] - 2 * PADDING + 0.01, (word, widths[column])
                    checked.add(word)
    assert {"Workers", "Exposure", "Compliance", "Inherent", "critical", "high"} <= checked


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # rendering only
def test_pdf_text_has_whole_headers_and_single_labels(bundle: ReportBundle) -> None:
    pdf = render_pdf(bundle.report, bundle.figures)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    words = set(text.split())
    assert {"Workers", "Exposure", "Compliance", "Inherent", "Recruiters", "critical"} <= words
    for broken in ("Exposu", "Complianc", "Inhere", "critic", "Work\n"):
        assert broken not in words
    assert "EPP EPP" not in text
    assert "EPP: Employer Pays Principle" in text


def test_principle_names_wrap_onto_lines_instead_of_being_cut(bundle: ReportBundle) -> None:
    figure = bundle.figures["principles"]
    long = [name for name in figure.rows if fonts().width(name, 7) > 2 * ROW_LABEL_MAX]
    assert long, "the seafood example has principle names longer than a label line"
    for piece in sections.pieces(figure):
        labels = [t.text for t in layout(piece).texts if t.anchor == "end" and t.text != "!"]
        assert not any("…" in label for label in labels)
        # Every name is drawn whole, on consecutive lines.
        assert " ".join(labels) == " ".join(piece.rows)


def _legible(piece: Heatmap) -> tuple[float, float]:
    """The piece's smallest text and width as placed on the page."""
    plan = layout(piece)
    scale = min(1.0, CONTENT_WIDTH / plan.width, sections.HEATMAP_HEIGHT / plan.height)
    return min(t.size for t in plan.texts) * scale, plan.width * scale


@pytest.mark.parametrize("name", ["corridors", "sectors", "principles"])
def test_each_heatmap_piece_is_legible_on_a4(bundle: ReportBundle, name: str) -> None:
    pieces = sections.pieces(bundle.figures[name])
    if name == "principles":
        assert len(pieces) > 1  # 46 principles do not fit one page at 6.5 pt
        assert sorted(r for p in pieces for r in p.rows) == sorted(bundle.figures[name].rows)
    for piece in pieces:
        smallest, width = _legible(piece)
        assert smallest >= MIN_TEXT - 1e-6 and width <= CONTENT_WIDTH + 0.01


def test_a_forty_by_forty_heatmap_is_cut_into_legible_blocks_holding_every_cell() -> None:
    figure = Heatmap(
        title="Principles",
        rows=[f"Principle {r}: a rather long name that needs two lines" for r in range(40)],
        columns=[f"Node {c}" for c in range(40)],
        cells=[Cell(r, c, (r * 7 + c) % 100, str(r + c)) for r in range(40) for c in range(40)],
    )
    pieces = sections.pieces(figure)
    assert len(pieces) > 4
    assert sum(len(p.cells) for p in pieces) == 1600
    assert pieces[0].title == f"Principles (1 of {len(pieces)})"
    for piece in pieces:
        smallest, width = _legible(piece)
        assert smallest >= MIN_TEXT - 1e-6 and width <= CONTENT_WIDTH + 0.01
