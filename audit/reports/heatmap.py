"""Risk heatmaps as vector drawings (SVG, and embedded in the PDF) and PNG images.

A heatmap is laid out once into simple shapes (rectangles, text, lines); two small back ends draw
those shapes, ReportLab for vectors and Pillow for pixels, so the SVG, the PNG and the PDF show
exactly the same picture. Colours are a sequential ColorBrewer scale (YlOrRd), readable with the
common forms of colour blindness because it changes in lightness, not only in hue; every cell is
also labelled with its number, and red flags are marked with a symbol, never by colour alone.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib.colors import HexColor

from audit.reports.fonts import FONT_DIR, SCRIPTS, fonts, run_width, shaped

Anchor = Literal["start", "middle", "end"]
# ColorBrewer YlOrRd, 5 classes, light to dark: low ... critical.
SCALE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
EMPTY = "#f2f2f2"
INK = "#1a1a1a"
GRID = "#ffffff"
MIN_CELL = 26.0  # points: the smallest cell still holds its number at MIN_TEXT
MIN_TEXT = 6.5  # points: no text of a heatmap is smaller
ROW_LABEL_MAX = 190.0  # points: longer row labels wrap (up to three lines in a cell)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Measured run by run in the faces the PDF sets it in (a node name may be Burmese)."""
    return fonts().width(text, size, bold)


def colour_for(risk: float | None) -> str:
    """Five classes of 0-100 risk; None (no data) is light grey."""
    if risk is None:
        return EMPTY
    return SCALE[min(4, max(0, int(risk // 20)))]


def ink_for(fill: str) -> str:
    """Black or white text, whichever contrasts more with the fill (WCAG relative luminance)."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return INK if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    risk: float | None  # 0-100 drives the colour
    label: str  # main text, e.g. "1,587" workers or a score
    sublabel: str = ""  # e.g. "3 recruiters"
    flagged: bool = False  # a critical red flag: marked with a symbol
    tooltip: str = ""


@dataclass
class Heatmap:
    title: str
    rows: list[str]
    columns: list[str]
    cells: list[Cell]
    row_title: str = ""
    column_title: str = ""
    legend_title: str = "Risk (0-100)"
    note: str = ""
    max_cell: float = 84.0  # points: the PDF asks for small cells to fit a page


@dataclass(frozen=True)
class Box:
    x: float
    y: float  # top-left origin, y downwards
    width: float
    height: float
    fill: str
    stroke: str | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    colour: str = INK
    bold: bool = False
    anchor: Anchor = "start"
    angle: float = 0.0  # degrees, counter-clockwise (column labels)


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float, str]] = field(default_factory=list)


def _fit(text: str, size: float, limit: float, bold: bool = False) -> str:
    if text_width(text, size, bold) <= limit:
        return text
    while text and text_width(text + "…", size, bold) > limit:
        text = text[:-1]
    return text + "…"


def layout(heatmap: Heatmap) -> Layout:
    """Sizes follow the data: a 2x2 matrix gets big cells, a 30x40 one small but legible ones."""
    n_rows, n_cols = max(1, len(heatmap.rows)), max(1, len(heatmap.columns))
    cell = max(MIN_CELL, min(heatmap.max_cell, 720.0 / max(n_cols, n_rows * 0.8)))
    size = max(6.5, min(11.0, cell / 5.2))
    label_size = max(7.0, min(10.0, cell / 5.5))
    margin, title_size = 16.0, 14.0
    row_label_width = min(
        ROW_LABEL_MAX, max((text_width(r, label_size) for r in heatmap.rows), default=40.0) + 10
    )
    column_label_height = min(
        170.0, max((text_width(c, label_size) for c in heatmap.columns), default=30.0) * 0.72 + 14
    )
    top = margin + title_size + 10 + (14 if heatmap.column_title else 0) + column_label_height
    left = margin + row_label_width + (16 if heatmap.row_title else 0)
    grid_width, grid_height = n_cols * cell, n_rows * cell
    legend_height = 64.0
    width = max(left + grid_width + margin + column_label_height * 0.7, 470.0)
    note_lines = _wrap(heatmap.note, 7.5, width - 2 * margin) if heatmap.note else []
    height = top + grid_height + legend_height + 11 * len(note_lines) + margin
    out = Layout(width, height)
    out.texts.append(Text(margin, margin + title_size, heatmap.title, title_size, bold=True))
    if heatmap.column_title:
        out.texts.append(
            Text(
                left + grid_width / 2,
                margin + title_size + 20,
                heatmap.column_title,
                9.5,
                anchor="middle",
                bold=True,
            )
        )
    if heatmap.row_title:
        out.texts.append(
            Text(
                margin + 9,
                top + grid_height / 2,
                heatmap.row_title,
                9.5,
                anchor="middle",
                bold=True,
                angle=90,
            )
        )
    for index, name in enumerate(heatmap.columns):
        x = left + (index + 0.5) * cell + label_size / 3
        out.texts.append(
            Text(
                x, top - 6, _fit(name, label_size, column_label_height / 0.72), label_size, angle=45
            )
        )
    # Long row labels (principle names) wrap onto as many lines as the row is high.
    leading = label_size * 1.1
    most = max(1, int((cell - 2) // leading))
    for index, name in enumerate(heatmap.rows):
        lines = _wrap(name, label_size, row_label_width - 8) or [""]
        if len(lines) > most:
            lines = [
                *lines[: most - 1],
                _fit(" ".join(lines[most - 1 :]), label_size, row_label_width - 8),
            ]
        first = top + (index + 0.5) * cell + label_size / 3 - leading * (len(lines) - 1) / 2
        for number, line in enumerate(lines):
            out.texts.append(
                Text(
                    left - 6,
                    first + number * leading,
                    _fit(line, label_size, row_label_width - 8),
                    label_size,
                    anchor="end",
                )
            )
    for item in heatmap.cells:
        x, y = left + item.column * cell, top + item.row * cell
        fill = colour_for(item.risk)
        out.boxes.append(Box(x, y, cell, cell, fill, GRID, 1.5))
        ink = ink_for(fill)
        middle = x + cell / 2
        main_y = y + cell / 2 + (size / 3 if not item.sublabel else -size / 8)
        out.texts.append(
            Text(
                middle,
                main_y,
                _fit(item.label, size, cell - 6),
                size,
                ink,
                bold=True,
                anchor="middle",
            )
        )
        if item.sublabel and cell >= 36:
            out.texts.append(
                Text(
                    middle,
                    main_y + size * 1.15,
                    _fit(item.sublabel, max(MIN_TEXT, size * 0.8), cell - 6),
                    max(MIN_TEXT, size * 0.8),
                    ink,
                    anchor="middle",
                )
            )
        if item.flagged:
            out.texts.append(
                Text(x + cell - 3, y + size + 1, "!", size * 1.1, ink, bold=True, anchor="end")
            )
            out.boxes.append(Box(x + 1.5, y + 1.5, cell - 3, cell - 3, "none", INK, 1.6))
    _legend(out, heatmap, left if grid_width > 300 else margin, top + grid_height + 18)
    for index, line in enumerate(note_lines):
        out.texts.append(
            Text(margin, top + grid_height + legend_height + 11 * index + 6, line, 7.5, "#4d4d4d")
        )
    return out


def _wrap(text: str, size: float, limit: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _legend(out: Layout, heatmap: Heatmap, x: float, y: float) -> None:
    out.texts.append(Text(x, y + 8, heatmap.legend_title, 8.5, bold=True))
    labels = ("0-19", "20-39", "40-59", "60-79", "80-100")
    for index, colour in enumerate(SCALE):
        left = x + index * 54
        out.boxes.append(Box(left, y + 14, 50, 14, colour, "#999999", 0.5))
        out.texts.append(Text(left + 25, y + 40, labels[index], 7.5, anchor="middle"))
    extra = x + 5 * 54 + 12
    out.boxes.append(Box(extra, y + 14, 30, 14, EMPTY, "#999999", 0.5))
    out.texts.append(Text(extra + 15, y + 40, "no data", 7.5, anchor="middle"))
    out.boxes.append(Box(extra + 46, y + 14, 30, 14, "none", INK, 1.6))
    out.texts.append(Text(extra + 72, y + 18.5, "!", 8, bold=True, anchor="end"))
    out.texts.append(Text(extra + 84, y + 25, "critical red flag", 7.5, bold=True))


# Back ends -------------------------------------------------------------------------------------


def drawing(heatmap: Heatmap, shape: bool = False) -> Drawing:
    """A ReportLab drawing (vector): saved as SVG, or placed straight into the PDF.

    Each text is drawn run by run, every run in the face of its script; ``shape`` (for the
    PDF) shapes the runs with HarfBuzz, which ReportLab's drawings do not do themselves. An SVG
    is left unshaped: the viewer shapes the text it is given."""
    fonts()
    plan = layout(heatmap)
    canvas = Drawing(plan.width, plan.height)

    def flip(y: float) -> float:
        return plan.height - y

    for box in plan.boxes:
        # Styled after construction: types-reportlab types Rect's **kw without Unpack, so the
        # keyword form does not type-check; ReportLab applies both forms the same way.
        rect = Rect(box.x, flip(box.y + box.height), box.width, box.height)
        rect.fillColor = None if box.fill == "none" else HexColor(box.fill)
        rect.strokeColor = HexColor(box.stroke) if box.stroke else None
        rect.strokeWidth = box.stroke_width
        canvas.add(rect)
    for text in plan.texts:
        runs = fonts().runs(text.text, text.bold)
        widths = [run_width(run, text.size) for run in runs]
        x = {"start": 0.0, "middle": -sum(widths) / 2, "end": -sum(widths)}[text.anchor]
        group = Group()
        for run, width in zip(runs, widths, strict=True):
            group.add(
                String(
                    x,
                    0,
                    shaped(run, text.size) if shape else run.text,
                    fontName=run.font,
                    fontSize=text.size,
                    fillColor=HexColor(text.colour),
                )
            )
            x += width
        radians = math.radians(text.angle)
        cos, sin = math.cos(radians), math.sin(radians)
        group.transform = (cos, sin, -sin, cos, text.x, flip(text.y))
        canvas.add(group)
    for x1, y1, x2, y2, colour in plan.lines:
        canvas.add(Line(x1, flip(y1), x2, flip(y2), strokeColor=HexColor(colour)))
    return canvas


# Viewers rarely have Vera installed; DejaVu Sans is its metric-compatible successor. The Noto
# faces go by their family names, bold ones first (a prefix of theirs is the regular name).
_SVG_FONTS = (
    ("font-family: VeraBd", "font-family: 'DejaVu Sans', Verdana, sans-serif; font-weight: bold"),
    ("font-family: Vera", "font-family: 'DejaVu Sans', Verdana, sans-serif"),
    *(
        (f"font-family: {s.family}{bold}", f"font-family: '{spaced}', sans-serif{weight}")
        for s in SCRIPTS
        for spaced in [s.family.replace("NotoSans", "Noto Sans ")]
        for bold, weight in (("-Bold", "; font-weight: bold"), ("", ""))
    ),
    ("font-family: NotoSans-Bold", "font-family: 'Noto Sans', sans-serif; font-weight: bold"),
    ("font-family: NotoSans", "font-family: 'Noto Sans', sans-serif"),
)


def to_svg(heatmap: Heatmap, ident: str = "heatmap") -> bytes:
    """SVG text; ``ident`` prefixes the element ids so several SVGs can share one HTML page."""
    buffer = io.StringIO()
    renderSVG.drawToFile(drawing(heatmap), buffer)
    svg = buffer.getvalue()
    for old, new in _SVG_FONTS:
        svg = svg.replace(old, new)
    svg = svg.replace('id="clip"', f'id="{ident}-clip"').replace(
        "url(#clip)", f"url(#{ident}-clip)"
    )
    svg = svg.replace('id="group"', f'id="{ident}-group"')
    return svg.encode("utf-8")


@cache
def _pil_font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("VeraBd.ttf" if bold else "Vera.ttf")), size)


def to_png(heatmap: Heatmap, scale: float = 2.0) -> bytes:
    """The same layout in pixels (2x for sharp text on high-density screens)."""
    plan = layout(heatmap)
    image = Image.new(
        "RGB", (math.ceil(plan.width * scale), math.ceil(plan.height * scale)), "#ffffff"
    )
    pen = ImageDraw.Draw(image)
    for box in plan.boxes:
        shape = [
            box.x * scale,
            box.y * scale,
            (box.x + box.width) * scale,
            (box.y + box.height) * scale,
        ]
        pen.rectangle(
            shape,
            fill=None if box.fill == "none" else box.fill,
            outline=box.stroke,
            width=max(1, round(box.stroke_width * scale)) if box.stroke else 0,
        )
    for text in plan.texts:
        font = _pil_font(max(6, round(text.size * scale)), text.bold)
        if text.angle:
            _rotated_text(image, text, font, scale)
            continue
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[text.anchor]
        pen.text(
            (text.x * scale, text.y * scale), text.text, fill=text.colour, font=font, anchor=anchor
        )
    for x1, y1, x2, y2, colour in plan.lines:
        pen.line([x1 * scale, y1 * scale, x2 * scale, y2 * scale], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _rotated_text(
    image: Image.Image, text: Text, font: ImageFont.FreeTypeFont, scale: float
) -> None:
    left, top, right, bottom = font.getbbox(text.text)
    width, height = int(right - left) + 4, int(bottom - top) + 4  # whole pixels
    tile = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(tile).text((2 - left, 2 - top), text.text, fill=text.colour, font=font)
    rotated = tile.rotate(text.angle, expand=True, resample=Image.Resampling.BICUBIC)
    # The baseline start of the text sits at (x, y); after rotation the text rises to the right.
    x = round(text.x * scale)
    y = round(text.y * scale) - rotated.height + round(height * math.cos(math.radians(text.angle)))
    image.paste(rotated, (x, y), rotated)
