"""Names in every script the product speaks print in the PDF as letters, not empty boxes:
each run of text is set in a bundled face that has its glyphs, the faces are embedded, the
text extracts where PDF text extraction can give it back, and a rendered page differs from the
same page set in Vera (whose missing glyphs are boxes)."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image, ImageChops
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from audit.reports import fonts
from audit.reports.fonts import FONT, FONT_BOLD, FONT_DIR, Run
from audit.reports.pdf.document import styles
from audit.reports.pdf.tables import para
from tests.builders import World, network_with, node

BURMESE = "မြန်မာ အလုပ်အကိုင်"
THAI = "บริษัท จัดหางาน"
BENGALI = "বাংলাদেশ জনশক্তি রপ্তানি"
NEPALI = "नेपाल वैदेशिक रोजगार"
NAMES = {"Burmese": BURMESE, "Thai": THAI, "Bengali": BENGALI, "Devanagari": NEPALI}
FACES = {
    "Burmese": "NotoSansMyanmar",
    "Thai": "NotoSansThai",
    "Bengali": "NotoSansBengali",
    "Devanagari": "NotoSansDevanagari",
}


def _font_file(name: str) -> Path:
    vera = {FONT: "Vera.ttf", FONT_BOLD: "VeraBd.ttf"}
    if name in vera:
        return FONT_DIR / vera[name]
    family, _, bold = name.partition("-")
    return fonts.NOTO_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttf"


def test_text_splits_into_runs_by_script_with_latin_in_vera() -> None:
    assert fonts.fonts().runs(f"Agency ({BURMESE}) & {THAI} Co.") == [
        Run(FONT, "Agency ("),
        Run("NotoSansMyanmar", BURMESE),
        Run(FONT, ") & "),
        Run("NotoSansThai", THAI + " "),
        Run(FONT, "Co."),
    ]
    # The Bengali danda stays in the Bengali face; bold names the bold faces.
    assert fonts.fonts().runs("ঢাকা।", bold=True) == [Run("NotoSansBengali-Bold", "ঢাকা।")]


def test_markup_escapes_and_switches_face_per_run() -> None:
    markup = fonts.fonts().markup(f"<b>{THAI}</b> & co")
    assert markup == f'&lt;b&gt;<font name="NotoSansThai">{THAI}</font>&lt;/b&gt; &amp; co'


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("script", sorted(NAMES))
def test_every_character_has_a_glyph_in_the_face_it_is_set_in(script: str, bold: bool) -> None:
    runs = fonts.fonts().runs(f"Agency {NAMES[script]} Ltd", bold)
    assert FACES[script] in {run.font.partition("-")[0] for run in runs}
    for run in runs:
        cmap = TTFont(_font_file(run.font)).getBestCmap()
        missing = [c for c in run.text if ord(c) not in cmap]
        assert missing == [], (run.font, missing)


def _network(world: World) -> int:
    """A network named in Burmese and Thai, with nodes named in all four scripts."""
    network = network_with(
        world.analyst_a,
        [
            node("CO", "company", "Brand", "GB"),
            node("S1", "supplier", f"{THAI} Seafood", "TH", migrant_workers=40),
            node("R1", "recruiter", f"{BURMESE} Agency", "MM", role="origin_agency"),
            node("R2", "recruiter", BENGALI, "BD", role="origin_agency"),
            node("R3", "recruiter", NEPALI, "NP", role="origin_agency"),
        ],
        [
            {"source": "S1", "target": "CO", "kind": "supplies"},
            *(
                {
                    "source": r,
                    "target": "S1",
                    "kind": "recruits_for",
                    "origin": origin,
                    "destination": "TH",
                    "workers": 10,
                }
                for r, origin in (("R1", "MM"), ("R2", "BD"), ("R3", "NP"))
            ),
        ],
        name=f"{BURMESE} · {THAI}",
    )
    return int(network["id"])


def test_a_network_named_in_four_scripts_embeds_their_faces_and_extracts_thai(
    world: World,
) -> None:
    response = world.analyst_a.get(f"/api/v1/networks/{_network(world)}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    embedded = {name.split("+", 1)[-1] for name in _embedded(reader)}
    for face in FACES.values():
        assert f"{face}-Regular" in embedded or f"{face}-Bold" in embedded, (face, embedded)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"{THAI} Seafood" in text
    # Shaped Burmese extracts in the order its glyphs are drawn (the medial ra before the
    # letter it follows in memory); its second word has no reordering and comes back whole.
    assert "အလုပ်အကိုင် Agency" in text
    assert "ြမန်မာ" in text


def _embedded(reader: PdfReader) -> set[str]:
    """The base names of the fonts the pages use."""
    names = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        names |= {str(font["/BaseFont"]) for font in resources.get("/Font", {}).values()}
    return names


def _pdf(texts: list[str]) -> bytes:
    look = styles()
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([para(t, look.h2) for t in texts])
    return buffer.getvalue()


def _page(pdf: bytes, folder: Path, name: str) -> Image.Image:
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "72",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            source,
            source.with_suffix(""),
        ],
        check=True,
    )
    return Image.open(source.with_suffix(".png")).convert("L")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize("script", sorted(NAMES))
def test_each_script_renders_as_glyphs_not_the_boxes_vera_draws(
    script: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = NAMES[script]
    bundled = _page(_pdf([name, f"({name})"]), tmp_path, "bundled")
    monkeypatch.setattr(fonts, "NOTO_DIR", tmp_path / "empty")
    boxes = _page(_pdf([name, f"({name})"]), tmp_path, "vera")
    latin = _page(_pdf(["Agency", "(Agency)"]), tmp_path, "latin")
    # Ink on the page (the text rendered at all) and a picture unlike Vera's boxes.
    assert ImageChops.invert(bundled).getbbox() is not None
    assert ImageChops.difference(bundled, boxes).getbbox() is not None
    assert ImageChops.difference(boxes, latin).getbbox() is not None


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_report_cover_shows_burmese_and_thai_as_glyphs_not_boxes(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/api/v1/networks/{_network(world)}/report.pdf"
    bundled = _page(world.analyst_a.get(url).content, tmp_path, "bundled")
    monkeypatch.setattr(fonts, "NOTO_DIR", tmp_path / "empty")
    boxes = _page(world.analyst_a.get(url).content, tmp_path, "vera")
    # The cover's title (the network's name) is the only text that changes face.
    changed = ImageChops.difference(bundled, boxes).getbbox()
    assert changed is not None
    _left, top, _right, bottom = changed
    assert bottom < bundled.height / 2 and top > 72  # the title, below the cover's band


def test_missing_faces_fall_back_to_vera_with_one_warning_naming_the_scripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(fonts, "NOTO_DIR", tmp_path)
    with caplog.at_level(logging.WARNING, logger="audit.reports.fonts"):
        first = _pdf([f"{BURMESE} {THAI}"])
        second = _pdf([BENGALI])
    assert first.startswith(b"%PDF") and second.startswith(b"%PDF")
    warnings = [r.getMessage() for r in caplog.records if r.name == "audit.reports.fonts"]
    assert len(warnings) == 1
    for shown in ("Burmese", "Thai", "Bengali", "Devanagari"):
        assert shown in warnings[0]
    assert fonts.fonts().missing == [
        "Latin Extended, Greek and Cyrillic letters",
        "Burmese",
        "Thai",
        "Bengali",
        "Devanagari",
    ]
    assert fonts.fonts().runs(THAI) == [Run(FONT, THAI)]
    reader = PdfReader(io.BytesIO(first))
    assert not any("Noto" in font for font in _embedded(reader))
