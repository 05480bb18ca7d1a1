"""The fonts every report picture and page is set in: Bitstream Vera, shipped with ReportLab.

Heatmaps measure text with these fonts to size their cells, and the PDF sets its paragraphs in
them, so both must register the same faces under the same names; this module is that one place.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(reportlab.__file__).with_name("fonts")
FONT, FONT_BOLD = "Vera", "VeraBd"


@cache
def register_fonts() -> None:
    """Register the Vera faces with ReportLab once per process (later calls are free)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont("VeraIt", str(FONT_DIR / "VeraIt.ttf")))
    pdfmetrics.registerFont(TTFont("VeraBI", str(FONT_DIR / "VeraBI.ttf")))
    # So that <b> and <i> inside report paragraphs pick the matching Vera faces.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic="VeraIt", boldItalic="VeraBI"
    )
