"""The compliance dashboard: sign in, see networks, scores, findings, the plan and reports.

Pages read through the same domain functions and organisation scoping as the API, so a user of
one organisation gets "not found" for another's network here too, and roles apply the same way
(viewers see no buttons, and a forged post from a viewer is refused).
"""

from __future__ import annotations

import functools
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.accounts import service as accounts
from api.accounts.models import Role, User
from api.accounts.signin import sign_in
from api.deps import Principal, SessionDep, SettingsDep
from api.settings import Settings
from api.web.signing import sign, unsign
from audit import findings as findings_service
from audit import heatmap, heatmap_data, plan_views, score_views
from audit import plans as plans_service
from audit.models import ActionStatus
from audit.render_html import render_html
from audit.render_pdf import render_pdf
from audit.report import build_report, heatmaps
from audit.scores import scoring_context
from questionnaires import service as assessments
from questionnaires import views as assessment_views
from supplychain import analysis
from supplychain import service as networks
from supplychain.errors import FairpathError, NotAuthenticated, TooManyRequests
from supplychain.models import Network
from templates import environment

router = APIRouter(include_in_schema=False)
SESSION_COOKIE = "fp_session"
LOGIN_COOKIE = "fp_login"
SESSION_SECONDS = 8 * 60 * 60
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
}


class NeedsSignIn(Exception):
    pass


class PageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    body = environment().get_template(f"dashboard/{name}").render(**context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _now() -> datetime:
    return datetime.now(UTC)


def signed_in(request: Request, session: Session, settings: Settings) -> tuple[Principal, str]:
    raw = request.cookies.get(SESSION_COOKIE)
    payload = unsign(raw, settings.secret_key, max_age=SESSION_SECONDS) if raw else None
    if payload is None:
        raise NeedsSignIn
    user = session.get(User, payload.get("uid"))
    if user is None or not user.is_active:
        raise NeedsSignIn
    return Principal(user=user, scope=accounts.scope_for(user)), str(payload.get("csrf", ""))


def check_csrf(expected: str, submitted: str | None) -> None:
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise PageError(403, "The form expired or came from another site; reload and retry.")


def guarded(handler: Any) -> Any:
    """Turn sign-in needs and domain errors into pages instead of JSON problems."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)  # type: ignore[no-any-return]
        except NeedsSignIn:
            request: Request = kwargs["request"]
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        except PageError as error:
            return page("error.html", error.status, message=error.message, user=None)
        except FairpathError as error:
            return page("error.html", error.status, message=error.detail, user=None)

    return wrapper


# Sign-in ----------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(settings: SettingsDep, next: str = "/dashboard") -> Response:
    token = secrets.token_urlsafe(24)
    response = page("login.html", csrf=token, next=_safe_next(next), error=None, user=None)
    response.set_cookie(
        LOGIN_COOKIE,
        sign({"csrf": token}, settings.secret_key),
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
    expected = unsign(raw, settings.secret_key, max_age=1800) if raw else None
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
    value = sign({"uid": user.id, "csrf": secrets.token_urlsafe(24)}, settings.secret_key)
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
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# Pages ------------------------------------------------------------------------------------------


def _network(session: Session, principal: Principal, network_id: int) -> Network:
    return networks.get_network(session, scope=principal.scope, network_id=network_id)


def _base(principal: Principal, csrf: str, **extra: Any) -> dict[str, Any]:
    return {
        "user": principal.user,
        "csrf": csrf,
        "can_write": principal.can_write,
        "is_admin": principal.role == Role.admin,
        **extra,
    }


@router.get("/dashboard", response_class=HTMLResponse)
@guarded
def networks_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    principal, csrf = signed_in(request, session, settings)
    rows, _total = networks.list_networks(session, scope=principal.scope, limit=500)
    return page("networks.html", **_base(principal, csrf, networks=rows))


@router.get("/dashboard/networks/{network_id}", response_class=HTMLResponse)
@guarded
def overview_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    context = scoring_context(session, network, now=_now())
    scores = context.scores
    stats = analysis.statistics(context.graph)
    company = scores.company
    worst = sorted(
        (s for s in scores.nodes.values() if s.node.kind in ("supplier", "recruiter")),
        key=lambda s: (
            -score_views.BAND_ORDER[scores.exposure_band(s.node.id)],
            -scores.exposure(s.node.id),
        ),
    )[:5]
    chains = [
        [
            scores.nodes[n]
            for n in (scores.critical_chain(s.node.id) or scores.riskiest_chain(s.node.id))
        ]
        for s in worst
    ]
    svg = heatmap.to_svg(heatmap_data.corridor_heatmap(context), "corridors").decode()
    return page(
        "overview.html",
        **_base(
            principal,
            csrf,
            network=network,
            stats=stats,
            company=score_views.summary(scores, company) if company is not None else None,
            bands=score_views.band_counts(scores),
            chains=chains,
            gaps=analysis.visibility_gaps(context.graph)[:25],
            graph=context.graph,
            corridor_svg=svg[svg.find("<svg") :],
        ),
    )


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
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    context = scoring_context(session, network, now=_now())
    rows = score_views.filtered(
        context.scores, band=band or None, kind=kind or None, country=country or None
    )
    return page(
        "nodes.html",
        **_base(
            principal,
            csrf,
            network=network,
            rows=rows[:500],
            total=len(rows),
            kind=kind or "",
            band=band or "",
            country=country or "",
        ),
    )


@router.get("/dashboard/networks/{network_id}/nodes/{node_id}", response_class=HTMLResponse)
@guarded
def node_page(
    network_id: int, node_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    node = networks.get_node(session, network=network, node_id=node_id)
    context = scoring_context(session, network, now=_now())
    return page(
        "node.html",
        **_base(
            principal, csrf, network=network, score=score_views.explanation(context, node.id or 0)
        ),
    )


@router.get("/dashboard/networks/{network_id}/assessments", response_class=HTMLResponse)
@guarded
def assessments_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    rows, total = assessments.list_assessments(
        session, network=network, filters=assessments.AssessmentFilters(), limit=500, offset=0
    )
    return page(
        "assessments.html",
        **_base(
            principal,
            csrf,
            network=network,
            total=total,
            new_link=None,
            rows=[assessment_views.assessment_read(session, a) for a in rows],
        ),
    )


@router.post(
    "/dashboard/networks/{network_id}/assessments/{assessment_id}/invitation",
    response_class=HTMLResponse,
)
@guarded
def reissue_page(
    network_id: int,
    assessment_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
) -> Response:
    principal, expected = signed_in(request, session, settings)
    check_csrf(expected, csrf)
    if not principal.can_write:
        raise PageError(403, "Viewers cannot issue invitation links.")
    network = _network(session, principal, network_id)
    assessment = assessments.get_assessment(session, network=network, assessment_id=assessment_id)
    invitation, secret = assessments.issue_invitation(
        session,
        assessment=assessment,
        actor=assessments.Actor.user(principal.user.id, principal.role.value),
        days=settings.invitation_days,
    )
    link = assessment_views.invitation_created(invitation, secret, settings.public_base_url).url
    rows, total = assessments.list_assessments(
        session, network=network, filters=assessments.AssessmentFilters(), limit=500, offset=0
    )
    return page(
        "assessments.html",
        **_base(
            principal,
            expected,
            network=network,
            total=total,
            new_link={"assessment": assessment_id, "url": link},
            rows=[assessment_views.assessment_read(session, a) for a in rows],
        ),
    )


@router.post("/dashboard/networks/{network_id}/assessments/{assessment_id}/review")
@guarded
def review_action(
    network_id: int,
    assessment_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    principal, expected = signed_in(request, session, settings)
    check_csrf(expected, csrf)
    if decision not in ("accept", "return"):
        raise PageError(422, "Choose accept or return.")
    network = _network(session, principal, network_id)
    assessment = assessments.get_assessment(session, network=network, assessment_id=assessment_id)
    assessments.review(
        session,
        assessment=assessment,
        decision=decision,
        comment=comment,
        question_comments={},
        actor=assessments.Actor.user(principal.user.id, principal.role.value),
    )
    return RedirectResponse(
        f"/dashboard/networks/{network_id}/assessments#a-{assessment_id}", status_code=303
    )


@router.get("/dashboard/networks/{network_id}/findings", response_class=HTMLResponse)
@guarded
def findings_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    severity: str | None = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    now = _now()
    context = scoring_context(session, network, now=now)
    findings_service.sync_findings(session, network, context, now)
    rows, total = findings_service.list_findings(
        session,
        network=network,
        filters=findings_service.FindingFilters(status="open", severity=severity or None),
        limit=300,
        offset=0,
    )
    return page(
        "findings.html",
        **_base(
            principal,
            csrf,
            network=network,
            total=total,
            severity=severity or "",
            rows=[plan_views.finding_read(f, context) for f in rows],
        ),
    )


@router.get("/dashboard/networks/{network_id}/plan", response_class=HTMLResponse)
@guarded
def plan_page(
    network_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    today = _now().date()
    actions = plans_service.all_actions(session, network)
    return page(
        "plan.html",
        **_base(
            principal,
            csrf,
            network=network,
            metrics=plans_service.metrics(actions, today),
            rows=[plan_views.action_read(session, a, today) for a in actions],
            moves={
                s.value: sorted(
                    t.value
                    for (f, t), who in plans_service.TRANSITIONS.items()
                    if f == s and principal.role.value in who
                )
                for s in ActionStatus
            },
        ),
    )


@router.post("/dashboard/networks/{network_id}/plan/actions/{action_id}/status")
@guarded
def action_status(
    network_id: int,
    action_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    status: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    principal, expected = signed_in(request, session, settings)
    check_csrf(expected, csrf)
    network = _network(session, principal, network_id)
    action = plans_service.get_action(session, network=network, action_id=action_id)
    try:
        target = ActionStatus(status)
    except ValueError as exc:
        raise PageError(422, f"{status!r} is not an action status") from exc
    plans_service.change_status(
        session,
        action=action,
        target=target,
        role=principal.role.value,
        comment=comment,
        user_id=principal.user.id,
    )
    return RedirectResponse(
        f"/dashboard/networks/{network_id}/plan#action-{action_id}", status_code=303
    )


@router.get("/dashboard/networks/{network_id}/download/{name}")
@guarded
def download(
    network_id: int, name: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    principal, _csrf = signed_in(request, session, settings)
    network = _network(session, principal, network_id)
    now = _now()
    stem = f"fairpath-network-{network.id}"
    if name in ("report.pdf", "report.html"):
        report = build_report(session, network, now)
        figures = heatmaps(session, network, now)
        if name == "report.pdf":
            return Response(
                render_pdf(report, figures),
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{stem}-report.pdf"'},
            )
        return HTMLResponse(
            render_html(report, figures),
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )
    if name in ("plan.csv", "plan.xlsx"):
        today = now.date()
        actions = plans_service.all_actions(session, network)
        rows = [plan_views.action_read(session, a, today) for a in actions]
        if name == "plan.csv":
            return Response(
                plan_views.plan_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{stem}-plan.csv"'},
            )
        body = plan_views.plan_xlsx(
            rows, plans_service.metrics(actions, today), f"Remediation plan: {network.name}"
        )
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{stem}-plan.xlsx"'},
        )
    raise PageError(404, f"There is no download called {name!r}.")
