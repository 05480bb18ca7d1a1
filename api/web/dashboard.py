"""The compliance dashboard: sign in, see networks, scores and reports.

Pages read through the same domain functions and organisation scoping as the API. Assessment
review lives in ``dashboard_assessments``, findings and the plan in ``dashboard_plan``; what they
share (sign-in, CSRF, error pages) in ``dashboard_session``.
"""

from __future__ import annotations

import heapq
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.accounts import web_sessions
from api.accounts.signin import sign_in
from api.deps import SessionDep, SettingsDep
from api.web.dashboard_heatmaps import cell_filter
from api.web.dashboard_import import mapping_names
from api.web.dashboard_session import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    utc_now,
)
from api.web.pagination import page_slice, pager, read_paging, searched
from api.web.signing import sign, unsign
from audit.remediation.exports import plan_export
from audit.reports import heatmap, heatmap_data
from audit.reports.data import build_report_with_figures
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from audit.scores import presenters as score_views
from audit.scores.service import scoring_context
from core.errors import NotAuthenticated, TooManyRequests
from core.memo import derived
from scoring.network import BANDS, INSUFFICIENT, NetworkScores
from supplychain import analysis
from supplychain import service as networks
from supplychain.vocabulary import NodeKind

router = APIRouter(include_in_schema=False)
__all__ = ["SESSION_COOKIE", "SESSION_SECONDS", "router"]
GAPS_SHOWN = 25  # the overview's summary; it says how many more there are


# Sign-in ----------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(settings: SettingsDep, next: str = "/dashboard") -> Response:
    token = secrets.token_urlsafe(24)
    response = page("login.html", csrf=token, next=_safe_next(next), error=None, user=None)
    response.set_cookie(
        LOGIN_COOKIE,
        sign({"csrf": token}, settings.signing_key()),
        max_age=1800,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
    )
    return response


def _safe_next(target: str) -> str:
    return target if target.startswith("/dashboard") else "/dashboard"


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/dashboard",
) -> Response:
    raw = request.cookies.get(LOGIN_COOKIE)
    expected = unsign(raw, settings.signing_key(), max_age=1800) if raw else None
    if expected is None or not secrets.compare_digest(str(expected.get("csrf", "")), csrf):
        return page(
            "login.html",
            403,
            csrf=csrf,
            next=_safe_next(next),
            user=None,
            error="The sign-in form expired. Reload the page and try again.",
        )
    ip = request.client.host if request.client else "unknown"
    try:
        user = sign_in(session, email=email, password=password, ip=ip)
    except TooManyRequests as exc:
        return page(
            "login.html", 429, csrf=csrf, next=_safe_next(next), error=exc.detail, user=None
        )
    except NotAuthenticated as exc:
        return page(
            "login.html", 401, csrf=csrf, next=_safe_next(next), error=exc.detail, user=None
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    sid = web_sessions.start(
        session, user=user, now=utc_now(), lifetime=timedelta(seconds=SESSION_SECONDS)
    )
    value = sign({"sid": sid, "csrf": secrets.token_urlsafe(24)}, settings.signing_key())
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Ends the session on the server too: a copy of the cookie is worthless afterwards."""
    raw = request.cookies.get(SESSION_COOKIE)
    payload = unsign(raw, settings.signing_key(), max_age=SESSION_SECONDS) if raw else None
    if payload is not None and isinstance(payload.get("sid"), str):
        web_sessions.end(session, payload["sid"], now=utc_now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# Pages ------------------------------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
@guarded
def networks_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    principal, csrf = signed_in(request, session, settings)
    paging = read_paging(request)
    rows, total = networks.list_networks(
        session, scope=principal.scope, q=paging.q or None, limit=paging.limit, offset=paging.offset
    )
    return page(
        "networks.html",
        **base_context(
            principal,
            csrf,
            networks=rows,
            pager=pager(request, paging, total=total, shown=len(rows)),
            q=paging.q,
        ),
    )


def _worst_five(scores: NetworkScores) -> list[Any]:
    """The five most exposed suppliers and recruiters, worst band first: found once per
    scoring result (a 100,000-node network's sort took 0.2 s of every overview)."""
    return heapq.nsmallest(
        5,
        (s for s in scores.nodes.values() if s.node.kind in ("supplier", "recruiter")),
        key=lambda s: (
            -score_views.BAND_ORDER[scores.exposure_band(s.node.id)],
            -scores.exposure(s.node.id),
        ),
    )


@router.get("/dashboard/networks/{network_id}", response_class=HTMLResponse)
@guarded
def overview_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    context = scoring_context(session, network, now=utc_now())
    base = base_context(
        principal, csrf, network=network, tab="overview", mappings=mapping_names(session, network)
    )
    if context.graph.number_of_nodes() == 0:
        return page("overview.html", **base, empty=True)
    scores = context.scores
    stats = analysis.statistics(context.graph)
    company = scores.company
    worst = derived(scores, "overview: worst five", lambda: _worst_five(scores))
    chains = [
        [
            scores.nodes[n]
            for n in (scores.critical_chain(s.node.id) or scores.riskiest_chain(s.node.id))
        ]
        for s in worst
    ]
    svg = heatmap.to_svg(heatmap_data.corridor_heatmap(context), "corridors").decode()
    gaps = analysis.visibility_gaps(context.graph)
    return page(
        "overview.html",
        **base,
        empty=False,
        stats=stats,
        company=score_views.summary(scores, company) if company is not None else None,
        bands=score_views.band_counts(scores),
        chains=chains,
        gaps=gaps[:GAPS_SHOWN],
        gaps_total=len(gaps),
        graph=context.graph,
        corridor_svg=svg[svg.find("<svg") :],
    )


def _choice(raw: str | None, allowed: Sequence[str], name: str) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        raise PageError(
            400, f"The {name} parameter must be one of {', '.join(allowed)}, not {raw!r}."
        )
    return raw


@router.get("/dashboard/networks/{network_id}/nodes", response_class=HTMLResponse)
@guarded
def nodes_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    kind: str | None = None,
    band: str | None = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    corridor: Annotated[str | None, Query(max_length=30)] = None,
    origin: Annotated[str | None, Query(max_length=10)] = None,
    sector: Annotated[str | None, Query(max_length=100)] = None,
    principle: Annotated[str | None, Query(max_length=60)] = None,
    principle_band: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The nodes in the scores' cached order, filtered, searched by name and paged over that
    cached list: only the rows of this page are built. A heatmap cell's link filters to the
    nodes it counts (``dashboard_heatmaps.cell_filter``)."""
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    paging = read_paging(request)
    bands = [*reversed(BANDS), INSUFFICIENT]
    chosen_kind = _choice(kind, [k.value for k in NodeKind], "kind")
    chosen_band = _choice(band, bands, "band")
    context = scoring_context(session, network, now=utc_now())
    scores = context.scores
    cell = cell_filter(
        context,
        corridor=corridor,
        origin=origin,
        sector=sector,
        principle=principle,
        principle_band=principle_band,
    )
    ids: Sequence[int] = score_views.filtered_ids(
        scores, band=chosen_band, kind=chosen_kind, country=country or None
    )
    if cell is not None:
        ids = [n for n in ids if n in cell.members]
    ids = searched(ids, paging.q, lambda n: scores.nodes[n].node.name)
    shown = page_slice(ids, paging)
    return page(
        "nodes.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="nodes",
            rows=[score_views.summary(scores, n) for n in shown],
            flags={n: flag_titles(scores, n) for n in shown},
            pager=pager(request, paging, total=len(ids), shown=len(shown)),
            q=paging.q,
            kind=chosen_kind or "",
            kinds=[k.value for k in NodeKind],
            band=chosen_band or "",
            bands=bands,
            country=country or "",
            cell=cell,
            cell_params={
                k: v
                for k, v in (
                    ("corridor", corridor),
                    ("origin", origin),
                    ("sector", sector),
                    ("principle", principle),
                    ("principle_band", principle_band),
                )
                if v
            },
            clear_cell=_without_cell(request),
            mapped=context.graph.number_of_nodes() > 0,
        ),
    )


def _without_cell(request: Request) -> str:
    cell_keys = {"corridor", "origin", "sector", "principle", "principle_band", "page"}
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in cell_keys and v]
    return f"{request.url.path}?{urlencode(kept)}" if kept else request.url.path


def flag_titles(scores: NetworkScores, node_id: int) -> list[str]:
    """A node's red flags by their titles (as the questionnaire words them), not their codes."""
    score = scores.nodes.get(node_id)
    if score is None:
        return []
    return sorted({f.title for f in score.red_flags})


@router.get("/dashboard/networks/{network_id}/nodes/{node_id}", response_class=HTMLResponse)
@guarded
def node_page(
    network_id: int, node_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    node = networks.get_node(session, network=network, node_id=node_id)
    context = scoring_context(session, network, now=utc_now())
    score = score_views.explanation(context, node.id or 0)
    chain = score.critical_chain or []
    return page(
        "node.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="nodes",
            record=node,
            score=score,
            flags={s.id: flag_titles(context.scores, s.id) for s in chain},
        ),
    )


@router.get("/dashboard/networks/{network_id}/download/{name}")
@guarded
def download(
    network_id: int, name: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, _csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    now = utc_now()
    stem = f"fairpath-network-{network.id}"
    if name in ("report.pdf", "report.html"):
        bundle = build_report_with_figures(session, network, now)
        if name == "report.pdf":
            return Response(
                render_pdf(bundle.report, bundle.figures),
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{stem}-report.pdf"'},
            )
        return HTMLResponse(
            render_html(bundle.report, bundle.figures),
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )
    if name in ("plan.csv", "plan.xlsx"):
        extension: Literal["csv", "xlsx"] = "xlsx" if name == "plan.xlsx" else "csv"
        body, media = plan_export(session, network, now.date(), extension)
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{stem}-{name}"'},
        )
    raise PageError(404, f"There is no download called {name!r}.")
