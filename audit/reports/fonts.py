"""The fonts every report picture and page is set in, and which font each piece of text needs.

Latin text is set in Bitstream Vera (shipped with ReportLab). A network's names may also be
Burmese, Thai, Bengali or Nepali (Devanagari), which Vera has no glyphs for: those runs of text
are set in the Noto face of their script, bundled in ``font_files/`` (see its README), and
letters Vera lacks (Latin Extended, Greek, Cyrillic) fall back to Noto Sans. Burmese, Bengali
and Devanagari need shaping (conjuncts, reordered vowels): ReportLab shapes TrueType text
through HarfBuzz when ``uharfbuzz`` is installed, which is a dependency.

Heatmaps measure text with these fonts to size their cells, and the PDF sets its paragraphs in
them, so both ask this module: ``fonts()`` registers the faces once and answers how a string
splits into runs of one font (``FontSet.runs``), how wide it is, and the paragraph markup that
switches font per run. A face missing from the font directory (an install that stripped it)
does not stop a report: its script is printed in Vera (as boxes) and one warning names it.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.platypus import paragraph

log = logging.getLogger(__name__)

FONT_DIR = Path(reportlab.__file__).with_name("fonts")
# Where the bundled Noto faces are; read at each ``fonts()`` call, so a test can point it
# somewhere else.
NOTO_DIR = Path(__file__).with_name("font_files")
FONT, FONT_BOLD = "Vera", "VeraBd"
LATIN = "NotoSans"  # letters Vera has no glyph for


@dataclass(frozen=True)
class Script:
    """A script a network's names may be written in, and the Noto family that sets it."""

    name: str
    family: str  # registered as the regular face; "<family>-Bold" is the bold one
    ranges: tuple[tuple[int, int], ...]
    shaped: bool  # unreadable without shaping (reordering, conjuncts), unlike Thai


SCRIPTS = (
    Script(
        "Burmese", "NotoSansMyanmar", ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)), True
    ),
    Script("Thai", "NotoSansThai", ((0x0E00, 0x0E7F),), False),
    Script("Bengali", "NotoSansBengali", ((0x0980, 0x09FF),), True),
    Script(
        "Devanagari",
        "NotoSansDevanagari",
        ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF)),
        True,
    ),
)
DEVANAGARI = SCRIPTS[3]
# The dandas are Devanagari code points that Bengali text uses as its full stop too.
_DANDAS = frozenset("\u0964\u0965")


def bold_name(family: str) -> str:
    return FONT_BOLD if family == FONT else f"{family}-Bold"


def script_of(char: str) -> Script | None:
    """The script of a letter or sign that only one of ``SCRIPTS`` writes, else None."""
    if char in _DANDAS:
        return None
    point = ord(char)
    for script in SCRIPTS:
        if any(low <= point <= high for low, high in script.ranges):
            return script
    return None


def _mark(char: str) -> bool:
    """A combining mark or joiner: it belongs to the letter before it, whatever the font."""
    return unicodedata.category(char)[0] == "M" or char in "\u200c\u200d"


def _weak(char: str) -> bool:
    """Spaces, marks, joiners and dandas: set in the font of the run they are in when it has
    them, so a space does not split a Burmese phrase into three runs."""
    return char in _DANDAS or _mark(char) or unicodedata.category(char)[0] == "Z"


@dataclass(frozen=True)
class Run:
    """Consecutive characters set in one font (a registered ReportLab font name)."""

    font: str
    text: str


@dataclass
class FontSet:
    """The faces registered from one font directory, and what they cannot show."""

    directory: Path
    families: set[str] = field(default_factory=set)  # Noto families whose two faces loaded
    missing: list[str] = field(default_factory=list)  # script names shown as boxes
    unshaped: list[str] = field(default_factory=list)  # script names shown without shaping
    _glyphs: dict[str, frozenset[int]] = field(default_factory=dict)

    def _has(self, font: str, char: str) -> bool:
        return ord(char) in self._glyphs.get(font, frozenset())

    def _family_for(self, char: str) -> str:
        script = DEVANAGARI if char in _DANDAS else script_of(char)
        if script is not None:
            return script.family if script.family in self.families else FONT
        if self._has(FONT, char) or LATIN not in self.families or not self._has(LATIN, char):
            return FONT
        return LATIN

    def runs(self, text: str, bold: bool = False) -> list[Run]:
        """``text`` split into runs of one font each, in reading order; Latin in Vera."""
        families: list[tuple[str, list[str]]] = []
        for char in text:
            if families and _weak(char) and (_mark(char) or self._has(families[-1][0], char)):
                families[-1][1].append(char)
                continue
            family = self._family_for(char)
            if families and families[-1][0] == family:
                families[-1][1].append(char)
            else:
                families.append((family, [char]))
        return [
            Run(bold_name(family) if bold else family, "".join(chars)) for family, chars in families
        ]

    def markup(self, text: str, bold: bool = False) -> str:
        """``text`` escaped for a Paragraph, each non-Latin run in a ``<font>`` of its face.

        ``bold`` names the bold faces: pass it when the paragraph's style or an enclosing
        ``<b>`` is bold, since a ``<font name>`` sets the face itself."""
        parts = []
        for run in self.runs(text, bold):
            if run.font in (FONT, FONT_BOLD):
                parts.append(escape(run.text))
            else:
                parts.append(f'<font name="{run.font}">{escape(run.text)}</font>')
        return "".join(parts)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """The advance width of ``text`` at ``size`` points, shaped as it will be drawn."""
        return sum(run_width(run, size) for run in self.runs(text, bold))


def shaped(run: Run, size: float) -> str:
    """The run's text, shaped by HarfBuzz when its font can be (a ``ShapedStr``, which the PDF
    canvas draws glyph by glyph), else as it is."""
    font = pdfmetrics.getFont(run.font)
    if getattr(font, "shapable", False) and run.font not in (FONT, FONT_BOLD):
        result: str = shapeStr(run.text, run.font, size)
        return result
    return run.text


def run_width(run: Run, size: float) -> float:
    text = shaped(run, size)
    if isinstance(text, ShapedStr):
        glyphs = text.__shapeData__  # type: ignore[attr-defined]  # set by ShapedStr.__new__
        return float(sum(d.x_advance for d in glyphs) * size / 1000)
    return float(pdfmetrics.stringWidth(text, run.font, size))


def _glyphs(font: TTFont) -> frozenset[int]:
    return frozenset(font.face.charToGlyph)


def _register(name: str, path: Path) -> TTFont:
    """Register a face under ``name`` once; a name registered earlier keeps its face."""
    try:
        existing = pdfmetrics.getFont(name)
    except KeyError:
        existing = None
    if isinstance(existing, TTFont):
        return existing
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    return font


def _register_family(
    family: str,
    regular: Path,
    bold: Path,
    italic: Path | None = None,
    bold_italic: Path | None = None,
) -> dict[str, frozenset[int]]:
    """Register a family's faces, so that <b> and <i> inside a paragraph (or inside a
    ``<font name=family>``) pick the matching face; a family without italics uses upright."""
    faces = {
        family: _register(family, regular),
        bold_name(family): _register(bold_name(family), bold),
    }
    slanted = {"italic": family, "boldItalic": bold_name(family)}
    if italic is not None and bold_italic is not None:
        slanted = {"italic": f"{family}It", "boldItalic": f"{family}BI"}
        _register(slanted["italic"], italic)
        _register(slanted["boldItalic"], bold_italic)
    pdfmetrics.registerFontFamily(family, normal=family, bold=bold_name(family), **slanted)
    return {name: _glyphs(face) for name, face in faces.items()}


def _shape_by_font(word: list[Any], *args: Any, **kwargs: Any) -> list[Any]:
    """ReportLab's ``shapeFragWord`` for a word whose letters are in several faces, such as
    "(မြန်မာ)": ReportLab shapes a whole word with its first face's HarfBuzz font, so the
    Burmese would come out as that face's glyphs (boxes). Each stretch of one face is shaped
    on its own here, and the stretches joined back into the one word."""
    frags = word[1:]
    fonts_in_word = {getattr(frag, "fontName", None) for frag, _text in frags}
    if len(fonts_in_word) < 2 or any(hasattr(frag, "cbDefn") for frag, _text in frags):
        return _shape_word(word, *args, **kwargs)
    stretches: list[list[Any]] = []
    for frag, text in frags:
        if stretches and stretches[-1][-1][0].fontName == frag.fontName:
            stretches[-1].append((frag, text))
        else:
            stretches.append([(frag, text)])
    width, parts, changed = 0.0, [], False
    for stretch in stretches:
        plain = sum(pdfmetrics.stringWidth(t, f.fontName, f.fontSize) for f, t in stretch)
        result = _shape_word([plain, *stretch], *args, **kwargs)
        changed = changed or result[0] != plain or result[1:] != stretch
        width += result[0]
        parts.extend(result[1:])
    if not changed:
        return word
    joined: list[Any] = ttfonts.makeShapedFragWord(word)([width, *parts])
    return joined


_shape_word = ttfonts.shapeFragWord
# ReportLab shapes only when it could import uharfbuzz (a dependency, but a build may lack it).
HARFBUZZ = getattr(ttfonts, "uharfbuzz", None) is not None


@cache
def _fonts(directory: Path) -> FontSet:
    if HARFBUZZ:
        paragraph.shapeFragWord = _shape_by_font  # type: ignore[attr-defined]
    found = FontSet(directory)
    vera = [FONT_DIR / f"Vera{face}.ttf" for face in ("", "Bd", "It", "BI")]
    found._glyphs.update(_register_family(FONT, *vera))
    families = [(LATIN, "Latin Extended, Greek and Cyrillic letters", False)]
    families += [(s.family, s.name, s.shaped) for s in SCRIPTS]
    for family, shown, needs_shaping in families:
        regular = directory / f"{family}-Regular.ttf"
        bold = directory / f"{family}-Bold.ttf"
        if not (regular.is_file() and bold.is_file()):
            found.missing.append(shown)
            continue
        found._glyphs.update(_register_family(family, regular, bold))
        found.families.add(family)
        if needs_shaping and not HARFBUZZ:
            found.unshaped.append(shown)
    if found.missing:
        log.warning(
            "Report fonts missing from %s: %s will print as empty boxes in PDF reports",
            directory,
            ", ".join(found.missing),
        )
    if found.unshaped:
        log.warning(
            "uharfbuzz is not installed: %s will print unshaped in PDF reports",
            ", ".join(found.unshaped),
        )
    return found


def fonts() -> FontSet:
    """The faces of ``NOTO_DIR``, registered with ReportLab on first use (later calls are
    free); warns once per directory about the scripts it cannot show."""
    return _fonts(NOTO_DIR)


def register_fonts() -> None:
    """Register every report face with ReportLab (kept for callers that only need that)."""
    fonts()
