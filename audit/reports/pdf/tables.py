"""Table and cell helpers for the PDF: every value becomes an escaped Paragraph so long text
wraps inside its column, header rows repeat across pages, and risk bands are coloured cells.

Everything from users goes through ``escape`` before it reaches a Paragraph, whose mini-markup
would otherwise interpret a node named ``<b>`` or ``&``.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from audit.reports.pdf.document import BAND_COLOURS, CONTENT_WIDTH, HEADER_BG, RULE, Styles

# One ReportLab table style command: a name, the first and last cell, then its arguments.
Command = tuple[str, tuple[int, int], tuple[int, int], *tuple[object, ...]]


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: never read as markup)."""
    return Paragraph(escape(str(text)), style)


def num(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators, or "-" when it is unknown (never 0)."""
    return "-" if value is None else f"{value:,.{digits}f}"


def band_cell(band: str | None, styles: Styles) -> Paragraph:
    """A risk band in bold, white on the dark bands and black on the light ones."""
    colour = "#ffffff" if band in ("critical", "high") else "#1a1a1a"
    return Paragraph(f'<font color="{colour}"><b>{escape(band or "")}</b></font>', styles.cell)


def table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    styles: Styles,
    right: tuple[int, ...] = (),
    band_column: int | None = None,
) -> Table:
    """A header row and body rows of plain values, wrapped in Paragraphs so text never spills
    (a value that is already a flowable is placed as it is).

    ``widths`` are fractions of the text width; ``right`` lists right-aligned (numeric)
    columns; ``band_column`` holds risk bands, drawn on their band's colour."""
    data: list[list[Flowable]] = []
    for index, row in enumerate(rows):
        rendered: list[Flowable] = []
        for column, value in enumerate(row):
            if isinstance(value, Flowable):
                rendered.append(value)
                continue
            if index > 0 and column == band_column:
                rendered.append(band_cell(str(value), styles))
                continue
            text = escape(str(value))
            if index == 0:
                text = f"<b>{text}</b>"
            rendered.append(Paragraph(text, styles.cell_right if column in right else styles.cell))
        data.append(rendered)
    result = Table(data, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    commands: list[Command] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if band_column is not None:
        for index, row in enumerate(rows[1:], start=1):
            band = str(row[band_column])
            if band in BAND_COLOURS:
                commands.append(
                    ("BACKGROUND", (band_column, index), (band_column, index), BAND_COLOURS[band])
                )
    result.setStyle(TableStyle(commands))
    return result
