"""The public safe-migration pages for workers: every corridor in every language, honest about
unreviewed and unsourced text, and QR codes of the exact address a poster should carry."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import segno
import yaml
from fastapi.testclient import TestClient

from audit.worker_info.library import CURRENT, LibraryError, load_library, shipped_library

LANGUAGES = ("en", "my", "th", "bn", "ne", "id")
LIBRARY = shipped_library()
CORRIDORS = sorted(LIBRARY.corridors)


def test_the_library_speaks_the_six_languages_of_the_respondent_form() -> None:
    assert set(LIBRARY.translations) == set(LANGUAGES)
    assert {"mm-th", "np-my"} <= set(LIBRARY.corridors)
    for language in LANGUAGES[1:]:
        assert LIBRARY.translations[language].review.status == "machine-draft"


@pytest.mark.parametrize("slug", CORRIDORS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_corridor_renders_in_every_language(
    client: TestClient, slug: str, language: str
) -> None:
    response = client.get(f"/info/{slug}", params={"lang": language})
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{language}">' in html
    assert 'id="sources"' in html
    corridor = LIBRARY.corridors[slug]
    cited = {
        LIBRARY.facts[f].source
        for f in (
            *LIBRARY.general,
            *LIBRARY.countries[corridor.origin].facts,
            *LIBRARY.countries[corridor.destination].facts,
        )
    }
    for source_id in cited - {None}:
        assert source_id is not None
        assert LIBRARY.sources[source_id].url in html, source_id
    draft = 'id="machine-draft"' in html
    assert draft == (language != "en")
    if draft:  # in the page's language and in English
        assert LIBRARY.translations[language].messages["notice.machine_draft"] in html
        assert "This translation has not yet been reviewed." in html
    assert "<script" not in html.lower()


def test_a_reviewed_translation_shows_no_draft_notice(tmp_path: Path) -> None:
    from audit.worker_info import presenters

    copy = _copy_library(tmp_path)
    path = copy / "i18n" / "th.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["review"] = {"status": "reviewed", "reviewer": "A. Reviewer", "reviewed_on": "2026-11-30"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    library = load_library(copy)
    assert not presenters.page(library, "mm-th", "th").machine_draft
    assert presenters.page(library, "mm-th", "my").machine_draft


def test_unsourced_and_untranslated_points_are_marked(client: TestClient) -> None:
    html = client.get("/info/np-my", params={"lang": "th"}).text
    assert 'id="unsourced"' in html
    # keep-receipts is `source: null`: marked beside the point itself.
    receipts = re.search(r'<li id="fact-keep-receipts" class="unsourced">(.*?)</li>', html, re.S)
    assert receipts and LIBRARY.translations["th"].messages["fact.unsourced"] in receipts.group(1)
    # The Nepal facts have no Thai text yet: shown in English, marked as such.
    assert 'id="untranslated"' in html
    fact = re.search(r'<li id="fact-np-free-visa-ticket">(.*?)</li>', html, re.S)
    assert fact and '<span lang="en">' in fact.group(1)
    assert LIBRARY.translations["th"].messages["fact.untranslated"] in fact.group(1)
    nepali = client.get("/info/np-my", params={"lang": "ne"}).text
    assert 'id="untranslated"' not in nepali


def test_a_number_to_call_is_a_tel_link(client: TestClient) -> None:
    html = client.get("/info/mm-th", params={"lang": "my"}).text
    assert 'href="tel:1694"' in html
    assert "tel:" not in client.get("/info/np-my").text  # no sourced number on that corridor


def test_worker_paid_costs_from_the_reference_data_show_source_year_and_quality(
    client: TestClient,
) -> None:
    html = client.get("/info/bd-my").text
    assert "BDT 404,000" in html
    assert "thedailystar.net" in html and "2020" in html
    assert "a summary by others" in html  # its source quality: secondary


def test_the_language_comes_from_the_query_then_the_browser(client: TestClient) -> None:
    assert (
        '<html lang="ne">' in client.get("/info/np-my", headers={"Accept-Language": "ne-NP"}).text
    )
    html = client.get("/info/np-my?lang=th", headers={"Accept-Language": "ne"}).text
    assert '<html lang="th">' in html
    for language in LANGUAGES:  # the switcher: plain links
        assert (
            f'href="/info/np-my?lang={language}"' in html
            or f'lang="{language}" aria-current' in html
        )


def test_an_unknown_language_falls_back_to_english_with_a_note(client: TestClient) -> None:
    response = client.get("/info/mm-th", params={"lang": "xx"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "The language you asked for (xx) is not available" in response.text


def test_an_unknown_corridor_is_a_friendly_404_listing_the_corridors(client: TestClient) -> None:
    response = client.get("/info/zz-yy", params={"lang": "id"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert LIBRARY.translations["id"].messages["notfound.heading"] in response.text
    for slug in CORRIDORS:
        assert f'href="/info/{slug}?lang=id"' in response.text


def test_the_index_lists_every_corridor(client: TestClient) -> None:
    html = client.get("/info", params={"lang": "bn"}).text
    assert '<html lang="bn">' in html
    for slug in CORRIDORS:
        assert f"/info/{slug}?lang=bn" in html


def test_pages_set_a_csp_without_scripts(client: TestClient) -> None:
    for path in ("/info", "/info/mm-th", "/info/nowhere"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "<script" not in response.text.lower()


def _expected_matrix(url: str) -> list[tuple[int, ...]]:
    return [tuple(row) for row in segno.make_qr(url, error="m").matrix]


def test_the_qr_svg_encodes_the_pages_absolute_url(client: TestClient) -> None:
    client.app.state.settings.public_base_url = "https://fairpath.example.org"  # type: ignore[attr-defined]
    response = client.get("/info/np-my/qr.svg", params={"lang": "ne"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    title = root.find("svg:title", ns)
    url = "https://fairpath.example.org/info/np-my?lang=ne"
    assert title is not None and title.text == url
    assert root.find("svg:path", ns) is not None
    expected = segno.make_qr(url, error="m")
    out = io.BytesIO()
    expected.save(out, kind="svg", scale=8, border=4, title=url, xmldecl=True, svgns=True)
    assert response.content == out.getvalue()
    assert _expected_matrix(url) != _expected_matrix(url.replace("ne", "en"))


def test_the_qr_png_is_the_same_code(client: TestClient) -> None:
    client.app.state.settings.public_base_url = "https://fairpath.example.org"  # type: ignore[attr-defined]
    response = client.get("/info/mm-th/qr.png", params={"lang": "my"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    out = io.BytesIO()
    segno.make_qr("https://fairpath.example.org/info/mm-th?lang=my", error="m").save(
        out, kind="png", scale=10, border=4
    )
    assert response.content == out.getvalue()
    assert client.get("/info/zz-yy/qr.png").status_code == 404


def _copy_library(tmp_path: Path) -> Path:
    copy = tmp_path / "v1"
    shutil.copytree(CURRENT, copy)
    return copy


def _edit_corridors(copy: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = copy / "corridors.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_loader_refuses_a_fact_citing_a_source_that_does_not_exist(tmp_path: Path) -> None:
    copy = _copy_library(tmp_path)
    load_library(copy)  # the copy itself is fine

    def cite_nothing(data: dict[str, Any]) -> None:
        data["facts"]["employer-pays"]["source"] = "no-such-source"

    _edit_corridors(copy, cite_nothing)
    with pytest.raises(LibraryError, match=r"employer-pays.*no-such-source"):
        load_library(copy)


def test_the_loader_refuses_a_number_to_call_without_a_source(tmp_path: Path) -> None:
    copy = _copy_library(tmp_path)

    def unsourced_number(data: dict[str, Any]) -> None:
        data["facts"]["th-hotline-1694"]["source"] = None

    _edit_corridors(copy, unsourced_number)
    with pytest.raises(LibraryError, match="number to call without a source"):
        load_library(copy)


@pytest.mark.parametrize(
    "review",
    [{"status": "reviewed"}, {"status": "checked-by-a-friend"}, None],
)
def test_every_language_states_its_review_status(tmp_path: Path, review: object) -> None:
    copy = _copy_library(tmp_path)
    path = copy / "i18n" / "bn.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if review is None:
        del data["review"]
    else:
        data["review"] = review
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LibraryError):
        load_library(copy)


def test_a_translation_keeps_the_placeholders(tmp_path: Path) -> None:
    copy = _copy_library(tmp_path)
    path = copy / "i18n" / "id.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["messages"]["page.heading"] = "Dari {asal}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LibraryError, match="placeholders"):
        load_library(copy)
