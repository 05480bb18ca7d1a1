"""The PDF's page furniture: A4 geometry, colours, paragraph styles and the document template
that numbers pages, prints running heads and feeds the table of contents and outline.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.sequencer import Sequencer
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from audit.reports.fonts import FONT, FONT_BOLD, fonts, run_width, shaped
from audit.reports.schemas import ReportData

ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#d0d0d0")
HEADER_BG = colors.HexColor("#eef1f5")
MUTED = colors.HexColor("#555555")
BAND_COLOURS = {
    "critical": colors.HexColor("#bd0026"),
    "high": colors.HexColor("#f03b20"),
    "medium": colors.HexColor("#fd8d3c"),
    "low": colors.HexColor("#fecc5c"),
}
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - 4 * mm
# Paragraphs in these styles are section headings: listed in the contents and the outline.
HEADING_LEVELS = {"h1": 0, "h2": 1}


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one rendering, by role (attributes, so a typo fails mypy)."""

    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    alert: ParagraphStyle


def styles() -> Styles:
    """Every style shapes its text (``shaping=1``): without it ReportLab sets Burmese, Bengali
    and Devanagari glyph by glyph, vowels in the wrong place and conjuncts broken apart."""
    fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=13, shaping=1
    )
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        muted=ParagraphStyle("muted", parent=body, fontSize=8, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        cell_right=ParagraphStyle(
            "cell_right", parent=body, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
        # Headers wrap at spaces only ("Work ers" is no word); tables.table() makes every
        # column wide enough for its header's longest word.
        head=ParagraphStyle(
            "head", parent=body, fontName=FONT_BOLD, fontSize=8, leading=10, splitLongWords=0
        ),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=20,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=8,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        title=ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=26, leading=32, textColor=ACCENT
        ),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=12, leading=16, textColor=MUTED),
        alert=ParagraphStyle(
            "alert",
            parent=body,
            backColor=colors.HexColor("#fdf0f2"),
            borderColor=BAND_COLOURS["critical"],
            borderWidth=0.8,
            borderPadding=6,
            spaceBefore=6,
            spaceAfter=10,
        ),
    )


class ReportDocument(BaseDocTemplate):
    """Registers section headings with the table of contents and draws page furniture."""

    # Set by BaseDocTemplate for every build pass; types-reportlab does not declare it.
    seq: Sequencer

    def __init__(self, buffer: io.BytesIO, report: ReportData) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN,
            title=f"Recruitment due diligence report: {report.meta.network}",
            author="Fairpath",
            subject="Ethical recruitment audit report",
        )
        self.report = report
        frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, FRAME_HEIGHT, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame], onPage=self._cover_page),
                PageTemplate(id="body", frames=[frame], onPage=self._body_page),
            ]
        )

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (ReportLab's name)
        if isinstance(flowable, Paragraph) and flowable.style.name in HEADING_LEVELS:
            level = HEADING_LEVELS[flowable.style.name]
            text = flowable.getPlainText()
            key = f"section-{self.seq.nextf('toc')}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
            self.notify("TOCEntry", (level, text, self.page, key))

    def _cover_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - 28 * mm, PAGE_WIDTH, 28 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(FONT_BOLD, 12)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 17 * mm, "Ethical recruitment due diligence")
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        meta = self.report.meta
        canvas.saveState()
        canvas.setFillColor(MUTED)
        top = PAGE_HEIGHT - MARGIN + 2 * mm
        draw_text(canvas, MARGIN, top, f"{meta.company} · {meta.network}", 7.5)
        date = f"Audit report · {meta.date}"
        draw_text(canvas, PAGE_WIDTH - MARGIN - fonts().width(date, 7.5), top, date, 7.5)
        canvas.setFont(FONT, 7.5)
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, PAGE_HEIGHT - MARGIN, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN)
        canvas.drawString(MARGIN, MARGIN - 8 * mm, f"Fairpath {meta.fairpath_version}")
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8 * mm, f"Page {doc.page}")
        canvas.restoreState()


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
) -> None:
    """Draw ``text`` from (x, y) run by run, each in the face of its script and shaped, as a
    paragraph would set it (a company or network name may be Burmese)."""
    for run in fonts().runs(text, bold):
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, shaped(run, size))
        x += run_width(run, size)
