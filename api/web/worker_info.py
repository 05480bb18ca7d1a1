"""Safe-migration information for workers: one public page per corridor, no account, no script.

The page is read on a worker's phone, often after scanning a poster's QR code, so it speaks the
language asked for in ``?lang=`` (else the browser's, else English), is plain HTML with links
for the language switcher, and is safe to cache. What it says comes from the read-only library
of ``audit.worker_info``; this module only picks the language and renders.
"""

from __future__ import annotations

import io
from typing import Annotated, Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SettingsDep
from api.settings import Settings
from audit.worker_info import presenters
from audit.worker_info.library import shipped_library
from templates import environment, messages

router = APIRouter(prefix="/info", include_in_schema=False)
# No script at all, no forms, no framing; images (the QR code) and styles from here only.
HEADERS = {
    "Cache-Control": "public, max-age=300",
    "Vary": "Accept-Language",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; "
    "script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}
LangQuery = Annotated[str | None, Query(alias="lang", max_length=16)]


def _language(request: Request, lang: str | None) -> tuple[str, str | None]:
    """The page's language, and the asked-for code when it is not one the library speaks."""
    available = shipped_library().translations
    if lang:
        if lang in available:
            return lang, None
        return shipped_library().source_language, lang
    preferred = messages.negotiate(request.headers.get("accept-language"))
    return (preferred if preferred in available else shipped_library().source_language), None


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    words = presenters.Words(shipped_library(), context["language"])
    body = environment().get_template(f"info/{name}").render(t=words, **context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def page_url(settings: Settings, slug: str, language: str) -> str:
    """The page's absolute address on the configured public base URL, as a poster prints it."""
    return f"{settings.invitation_base_url()}/info/{slug}?{urlencode({'lang': language})}"


@router.get("", response_class=HTMLResponse)
def corridors(request: Request, lang: LangQuery = None) -> HTMLResponse:
    language, unknown = _language(request, lang)
    library = shipped_library()
    words = presenters.Words(library, language)
    return _render(
        "index.html",
        language=language,
        requested_language=unknown,
        corridors=presenters.corridor_links(library, words),
        languages=presenters.language_links(library, language),
        path="/info",
    )


@router.get("/{slug}", response_class=HTMLResponse)
def corridor(slug: str, request: Request, lang: LangQuery = None) -> HTMLResponse:
    language, unknown = _language(request, lang)
    library = shipped_library()
    if slug not in library.corridors:
        words = presenters.Words(library, language)
        return _render(
            "not_found.html",
            404,
            language=language,
            requested_language=unknown,
            corridors=presenters.corridor_links(library, words),
            languages=presenters.language_links(library, language),
            path="/info",
        )
    view = presenters.page(library, slug, language, requested_language=unknown)
    return _render(
        "corridor.html",
        language=language,
        page=view,
        languages=view.languages,
        requested_language=unknown,
        path=f"/info/{slug}",
    )


def _qr(settings: Settings, slug: str, lang: str | None) -> tuple[segno.QRCode, str] | None:
    """The code for a corridor page in a language (English when it has none), and its URL."""
    library = shipped_library()
    if slug not in library.corridors:
        return None
    language = lang if lang in library.translations else library.source_language
    url = page_url(settings, slug, language)
    return segno.make_qr(url, error="m"), url


@router.get("/{slug}/qr.svg")
def qr_svg(slug: str, settings: SettingsDep, lang: LangQuery = None) -> Response:
    """An SVG for printing at any size; its title carries the address it encodes."""
    made = _qr(settings, slug, lang)
    if made is None:
        return Response("No such corridor", status_code=404, media_type="text/plain")
    code, url = made
    out = io.BytesIO()
    code.save(out, kind="svg", scale=8, border=4, title=url, xmldecl=True, svgns=True)
    return Response(out.getvalue(), media_type="image/svg+xml", headers=HEADERS)


@router.get("/{slug}/qr.png")
def qr_png(slug: str, settings: SettingsDep, lang: LangQuery = None) -> Response:
    made = _qr(settings, slug, lang)
    if made is None:
        return Response("No such corridor", status_code=404, media_type="text/plain")
    out = io.BytesIO()
    made[0].save(out, kind="png", scale=10, border=4)
    return Response(out.getvalue(), media_type="image/png", headers=HEADERS)
