"""Table and cell helpers for the PDF: every value becomes an escaped Paragraph so long text
wraps inside its column, header rows repeat across pages, and risk bands are coloured cells.

Everything from users goes through ``text`` (``FontSet.markup``: escaped, and each run of a
non-Latin script in its own face) before it reaches a Paragraph, whose mini-markup would
otherwise interpret a node named ``<b>`` or ``&``, and whose one font has no Thai or Burmese.

Header cells wrap between words only: each column is made at least as wide as the longest word
of its header (taken from the columns with room to spare, headers set a little smaller when the
page is too narrow for all of them), so a header never reads "Work ers".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from audit.reports.fonts import FONT_BOLD, fonts
from audit.reports.pdf.document import BAND_COLOURS, CONTENT_WIDTH, HEADER_BG, RULE, Styles

PADDING = 6.0  # ReportLab's default left and right padding of a table cell
SMALLEST_HEADER = 6.5  # points: headers shrink no further to fit their longest words

# One ReportLab table style command: a name, the first and last cell, then its arguments.
Command = tuple[str, tuple[int, int], tuple[int, int], *tuple[object, ...]]


def is_bold(style: ParagraphStyle) -> bool:
    return style.fontName == FONT_BOLD or style.fontName.endswith("-Bold")


def text(value: object, bold: bool = False) -> str:
    """Plain text as Paragraph markup: escaped (never read as markup), each script in its own
    face, and line breaks kept."""
    return "<br/>".join(fonts().markup(line, bold) for line in str(value).split("\n"))


def para(value: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: never read as markup)."""
    return Paragraph(text(value, is_bold(style)), style)


def num(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators, or "-" when it is unknown (never 0)."""
    return "-" if value is None else f"{value:,.{digits}f}"


def band_cell(band: str | None, styles: Styles) -> Paragraph:
    """A risk band in bold, white on the dark bands and black on the light ones."""
    colour = "#ffffff" if band in ("critical", "high") else "#1a1a1a"
    return Paragraph(
        f'<font color="{colour}"><b>{text(band or "", bold=True)}</b></font>', styles.cell
    )


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
    header = [str(value) for value in rows[0]] if rows else []
    # A band ("critical", "medium") is one word that must not break either.
    floors = {}
    if band_column is not None:
        bands = [str(row[band_column]) for row in rows[1:]]
        floors[band_column] = max((longest_word(b, styles.cell.fontSize) for b in bands), default=0)
    points, head = header_fit([w * CONTENT_WIDTH for w in widths], header, styles.head, floors)
    head_right = ParagraphStyle(f"{head.name}-right", parent=head, alignment=TA_RIGHT)
    data: list[list[Flowable]] = []
    for index, row in enumerate(rows):
        rendered: list[Flowable] = []
        for column, value in enumerate(row):
            if isinstance(value, Flowable):
                rendered.append(value)
            elif index == 0:
                style = head_right if column in right else head
                rendered.append(Paragraph(text(value, bold=True), style))
            elif column == band_column:
                rendered.append(band_cell(str(value), styles))
            else:
                style = styles.cell_right if column in right else styles.cell
                rendered.append(Paragraph(text(value), style))
        data.append(rendered)
    result = Table(data, colWidths=points, repeatRows=1)
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


def longest_word(header: str, size: float) -> float:
    """The width of the header's widest word in the bold header face at ``size`` points."""
    return max((fonts().width(word, size, bold=True) for word in header.split()), default=0.0)


def header_fit(
    widths: Sequence[float],
    header: Sequence[str],
    style: ParagraphStyle,
    floors: Mapping[int, float] | None = None,
) -> tuple[list[float], ParagraphStyle]:
    """Column widths (points) in which every header word fits whole, and the header style.

    A column too narrow for its header's longest word is widened, the width taken from the
    columns with room to spare in proportion to their room; when all the headers' words do
    not fit the text width together, the header size steps down (to ``SMALLEST_HEADER``).
    ``floors`` are widths of words in the body a column must hold whole (by column)."""
    size = style.fontSize
    floors = floors or {}
    while True:
        needs = [
            max(longest_word(h, size), floors.get(column, 0.0)) + 2 * PADDING
            for column, h in enumerate(header)
        ]
        if sum(needs) <= sum(widths) or size <= SMALLEST_HEADER:
            break
        size = max(SMALLEST_HEADER, size - 0.5)
    result = list(widths)
    short = sum(max(0.0, n - w) for n, w in zip(needs, widths, strict=False))
    room = [max(0.0, w - n) for n, w in zip(needs, widths, strict=False)]
    if short > 0 and sum(room) > 0:
        taken = min(1.0, short / sum(room))
        result = [
            max(n, w) if n > w else w - r * taken
            for n, w, r in zip(needs, widths, room, strict=False)
        ]
    if size == style.fontSize:
        return result, style
    smaller = ParagraphStyle(f"{style.name}-{size:g}", parent=style, fontSize=size)
    smaller.leading = size * style.leading / style.fontSize
    return result, smaller
