"""Dashboard pages for findings and the remediation plan.

Analysts dismiss findings that do not hold (with the reason kept), build the plan from the
remediation library, and follow each action through to verification: edit its owner and
deadline, comment, attach proof and move its status. Viewers see everything and change
nothing. Every change goes through ``audit.findings`` and ``audit.remediation``, as the API's do.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import Principal, SessionDep, SettingsDep
from api.files import stored_file_response, upload_chunks
from api.settings import Settings
from api.web.dashboard_session import (
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    utc_now,
    writer,
)
from api.web.pagination import pager, read_paging
from audit.findings import service as findings_service
from audit.findings.freshness import findings_state
from audit.findings.models import FindingStatus
from audit.findings.presenters import finding_read
from audit.remediation import presenters as plan_views
from audit.remediation import repayments
from audit.remediation import service as plans_service
from audit.remediation.models import ActionStatus, RemediationAction
from audit.scores.service import ScoringContext, scoring_context
from core.memo import derived
from core.severity import SEVERITIES
from supplychain.models import Network

router = APIRouter(include_in_schema=False)
NETWORK = "/dashboard/networks/{network_id}"
READ_ONLY = "Viewers cannot change findings or the remediation plan."


def _choice(raw: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        raise PageError(422, f"{raw!r} is not a {what} (one of {', '.join(allowed)}).")
    return raw


@router.get(NETWORK + "/findings", response_class=HTMLResponse)
@guarded
def findings_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    severity: str | None = None,
    status: str = "open",
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    paging = read_paging(request)
    chosen_severity = _choice(severity, SEVERITIES, "severity")
    chosen_status = _choice(status, tuple(s.value for s in FindingStatus), "finding status")
    now = utc_now()
    context = scoring_context(session, network, now=now)
    freshness = findings_state(session, network, now)
    rows, total = findings_service.list_findings(
        session,
        network=network,
        filters=findings_service.FindingFilters(
            status=chosen_status, severity=chosen_severity, q=paging.q or None
        ),
        limit=paging.limit,
        offset=paging.offset,
    )
    return page(
        "findings.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="findings",
            total=total,
            pager=pager(request, paging, total=total, shown=len(rows)),
            q=paging.q,
            severity=chosen_severity or "",
            status_filter=chosen_status or "",
            statuses=[s.value for s in FindingStatus],
            severities=SEVERITIES,
            rows=[finding_read(f, context) for f in rows],
            kinds={f.id: finding_kind(context, f.code) for f in rows},
            freshness=freshness,
            mapped=context.graph.number_of_nodes() > 0,
        ),
    )


FINDING_KINDS = {
    "WEAK_PRINCIPLE": "Weak principle",
    "VERIFY_UNCONFIRMED": "Unverified answer",
    "DQ_FEE_USD_MISMATCH": "Fee figures disagree",
    "GAP_UNASSESSED_RECRUITER": "Recruiter not assessed",
    "GAP_STALE_ASSESSMENT": "Assessment out of date",
    "GAP_UNLICENSED_RECRUITER": "Recruiter without a licence",
    "GAP_UNMAPPED_RECRUITMENT": "Recruitment not mapped",
}


def finding_kind(context: ScoringContext, code: str) -> str:
    """A finding's code in words: a red flag by its title in the questionnaire, the other
    rules by name; an unknown code is shown as it is rather than hidden."""
    if code in FINDING_KINDS:
        return FINDING_KINDS[code]
    titles = derived(
        context.scores,
        "dashboard-red-flag-titles",
        lambda: {
            f.code: f.title for score in context.scores.nodes.values() for f in score.red_flags
        },
    )
    if code in titles:
        return f"Red flag: {titles[code]}"
    return code.replace("_", " ").capitalize()


@router.post(NETWORK + "/findings/refresh")
@guarded
def refresh_findings(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    findings_service.sync_findings(session, network, utc_now())
    return RedirectResponse(f"/dashboard/networks/{network_id}/findings", status_code=303)


@router.post(NETWORK + "/findings/{finding_id}/status")
@guarded
def finding_status(
    network_id: int,
    finding_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    status: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    _choice(status, tuple(s.value for s in FindingStatus), "finding status")
    finding = findings_service.get_finding(session, network=network, finding_id=finding_id)
    findings_service.set_status(
        session, finding=finding, status=status, reason=reason, user_id=principal.user.id
    )
    back = "open" if status == FindingStatus.open else status
    return RedirectResponse(
        f"/dashboard/networks/{network_id}/findings?status={back}#f-{finding_id}", status_code=303
    )


@router.get(NETWORK + "/plan", response_class=HTMLResponse)
@guarded
def plan_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    status: str | None = None,
    created: int | None = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    paging = read_paging(request)
    chosen = _choice(status, tuple(s.value for s in ActionStatus), "action status")
    today = utc_now().date()
    shown, total = plans_service.list_actions(
        session,
        network=network,
        filters=plans_service.ActionFilters(status=chosen, q=paging.q or None),
        today=today,
        limit=paging.limit,
        offset=paging.offset,
    )
    open_findings, _ = findings_service.list_findings(
        session,
        network=network,
        filters=findings_service.FindingFilters(status=FindingStatus.open.value),
        limit=1,
        offset=0,
    )
    return page(
        "plan.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="plan",
            # Counted by the database: a 100,000-node network's plan has ~280,000 actions.
            metrics=plans_service.network_metrics(session, network, today),
            rows=plan_views.actions_read(session, shown, today),
            pager=pager(request, paging, total=total, shown=len(shown), drop=("created",)),
            q=paging.q,
            status_filter=chosen or "",
            statuses=[s.value for s in ActionStatus],
            created=created,
            moves=_moves(principal.role.value),
            has_open_findings=bool(open_findings),
        ),
    )


def _moves(role: str) -> dict[str, list[str]]:
    """The status changes this role may make from each status (as the API enforces them), in
    lifecycle order so the likeliest next step comes first and "cancelled" last."""
    return {
        current.value: [
            target.value
            for target in ActionStatus
            if role in plans_service.TRANSITIONS.get((current, target), frozenset())
        ]
        for current in ActionStatus
    }


@router.post(NETWORK + "/plan")
@guarded
def build_plan(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    created = plans_service.plan_new_findings(
        session, network=network, now=utc_now(), user_id=principal.user.id
    )
    return RedirectResponse(
        f"/dashboard/networks/{network_id}/plan?created={len(created)}", status_code=303
    )


@router.get(NETWORK + "/plan/actions/{action_id}", response_class=HTMLResponse)
@guarded
def action_page(
    network_id: int,
    action_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    action = plans_service.get_action(session, network=network, action_id=action_id)
    today = utc_now().date()
    return page(
        "action.html",
        **base_context(
            principal,
            csrf,
            network=network,
            a=plan_views.action_read(session, action, today),
            editable=action.status not in (ActionStatus.verified, ActionStatus.cancelled),
            history=plans_service.history(session, action),
            files=plans_service.evidence_of(session, action),
            payments=plan_views.payments_read(session, action).items,
            moves=_moves(principal.role.value),
        ),
    )


def _writable_action(
    request: Request,
    session: Session,
    settings: Settings,
    csrf: str,
    network_id: int,
    action_id: int,
) -> tuple[Principal, Network, RemediationAction]:
    """The action a form post changes, after the CSRF and role checks every change needs."""
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    action = plans_service.get_action(session, network=network, action_id=action_id)
    return principal, network, action


def _to_action(network_id: int, action_id: int) -> RedirectResponse:
    target = f"/dashboard/networks/{network_id}/plan/actions/{action_id}"
    return RedirectResponse(target, status_code=303)


@router.post(NETWORK + "/plan/actions/{action_id}/status")
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
    back: Annotated[str, Form()] = "plan",
) -> Response:
    principal, _network, action = _writable_action(
        request, session, settings, csrf, network_id, action_id
    )
    chosen = _choice(status, tuple(s.value for s in ActionStatus), "action status")
    if chosen is None:
        raise PageError(422, "Choose the action's new status.")
    target = ActionStatus(chosen)
    plans_service.change_status(
        session,
        action=action,
        target=target,
        role=principal.role.value,
        comment=comment,
        user_id=principal.user.id,
    )
    if back == "action":
        return _to_action(network_id, action_id)
    return RedirectResponse(
        f"/dashboard/networks/{network_id}/plan#action-{action_id}", status_code=303
    )


@router.post(NETWORK + "/plan/actions/{action_id}/edit")
@guarded
def edit_action(
    network_id: int,
    action_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    title: Annotated[str, Form(min_length=5, max_length=300)],
    owner_name: Annotated[str, Form(min_length=1, max_length=300)],
    due_date: Annotated[str, Form()],
    owed_amount: Annotated[str, Form(max_length=40)] = "",
    owed_currency: Annotated[str, Form(max_length=3)] = "",
    owed_workers: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    principal, network, action = _writable_action(
        request, session, settings, csrf, network_id, action_id
    )
    try:
        due = date.fromisoformat(due_date)
    except ValueError as exc:
        raise PageError(422, f"{due_date!r} is not a date (YYYY-MM-DD).") from exc
    wanted: dict[str, object] = {
        "title": title.strip(),
        "owner_name": owner_name.strip(),
        "due_date": due,
        "owed_amount": _amount(owed_amount, "Amount owed", required=False),
        "owed_currency": owed_currency.strip().upper() or None,
    }
    if owed_workers.strip():
        if not owed_workers.strip().isdigit():
            raise PageError(422, f"Workers owed: {owed_workers!r} is not a whole number.")
        wanted["owed_workers"] = int(owed_workers.strip())
    changes = {k: v for k, v in wanted.items() if getattr(action, k) != v}
    if "owed_amount" in changes or "owed_currency" in changes:
        changes["owed_amount"], changes["owed_currency"] = (
            wanted["owed_amount"],
            wanted["owed_currency"],
        )
    changes = repayments.owed_changes(session, action=action, changes=changes, year=utc_now().year)
    if changes:
        plans_service.edit_action(
            session, network=network, action=action, changes=changes, user_id=principal.user.id
        )
    return _to_action(network_id, action_id)


@router.post(NETWORK + "/plan/actions/{action_id}/comment")
@guarded
def comment_action(
    network_id: int,
    action_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    principal, _network, action = _writable_action(
        request, session, settings, csrf, network_id, action_id
    )
    plans_service.comment(session, action=action, text=comment, user_id=principal.user.id)
    return _to_action(network_id, action_id)


@router.post(NETWORK + "/plan/actions/{action_id}/evidence")
@guarded
def upload_evidence(
    network_id: int,
    action_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    principal, _network, action = _writable_action(
        request, session, settings, csrf, network_id, action_id
    )
    _stored_proof(session, settings, action, file, principal.user.id)
    return _to_action(network_id, action_id)


def _stored_proof(
    session: Session,
    settings: Settings,
    action: RemediationAction,
    file: UploadFile,
    user: int | None,
) -> int:
    """Keep an uploaded file as the action's evidence; its id, to attach it to a payment."""
    evidence = plans_service.add_evidence(
        session,
        action=action,
        filename=file.filename or "",
        chunks=upload_chunks(file),
        max_bytes=settings.max_evidence_bytes,
        user_id=user,
    )
    return evidence.id or 0


def _amount(raw: str, field: str, required: bool = True) -> float | None:
    text = raw.strip().replace(",", "")
    if not text and not required:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise PageError(
            422, f"{field}: {raw!r} is not an amount such as 1500 or 1,500.50."
        ) from exc


@router.post(NETWORK + "/plan/actions/{action_id}/payments")
@guarded
def record_payment(
    network_id: int,
    action_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    amount: Annotated[str, Form(max_length=40)],
    currency: Annotated[str, Form(max_length=3)],
    paid_on: Annotated[str, Form(max_length=10)],
    usd_amount: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    accept_overpayment: Annotated[str, Form()] = "",
    proof: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A payment with its proof file in one form; if the payment is refused, the file is not
    kept either (the page's error rolls the whole request back)."""
    principal, _network, action = _writable_action(
        request, session, settings, csrf, network_id, action_id
    )
    try:
        day = date.fromisoformat(paid_on)
    except ValueError as exc:
        raise PageError(422, f"Paid on: {paid_on!r} is not a date (YYYY-MM-DD).") from exc
    proof_id = (
        _stored_proof(session, settings, action, proof, principal.user.id)
        if proof is not None and proof.filename
        else None
    )
    repayments.record_payment(
        session,
        action=action,
        role=principal.role.value,
        amount=_amount(amount, "Amount") or 0.0,
        currency=currency.strip().upper(),
        paid_on=day,
        usd_amount=_amount(usd_amount, "USD amount", required=False),
        proof_evidence_id=proof_id,
        note=note,
        accept_overpayment=accept_overpayment == "yes",
        today=utc_now().date(),
        user_id=principal.user.id,
    )
    return _to_action(network_id, action_id)


@router.post(NETWORK + "/plan/actions/{action_id}/payments/{payment_id}/proof")
@guarded
def payment_proof(
    network_id: int,
    action_id: int,
    payment_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    proof: Annotated[UploadFile, File()],
) -> Response:
    principal, _network, action = _writable_action(
        request, session, settings, csrf, network_id, action_id
    )
    proof_id = _stored_proof(session, settings, action, proof, principal.user.id)
    repayments.attach_proof(
        session,
        action=action,
        payment_id=payment_id,
        proof_evidence_id=proof_id,
        role=principal.role.value,
        user_id=principal.user.id,
    )
    return _to_action(network_id, action_id)


@router.get(NETWORK + "/plan/actions/{action_id}/evidence/{evidence_id}")
@guarded
def evidence_file(
    network_id: int,
    action_id: int,
    evidence_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    principal, _csrf = signed_in(request, session, settings)
    network: Network = network_for(session, principal, network_id)
    action = plans_service.get_action(session, network=network, action_id=action_id)
    evidence = plans_service.get_evidence(session, action=action, evidence_id=evidence_id)
    return stored_file_response(
        request, evidence.sha256, evidence.filename, evidence.media_type, session=session
    )
