"""Remediation plans: building them from findings, actions with their history and proofs, plan
exports and the fee reimbursement owed to workers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse
from sqlmodel import Session

from api.deps import ClockDep, NetworkDep, PrincipalDep, SessionDep, SettingsDep, WritableNetworkDep
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.files import UPLOAD_RESPONSES, stored_file_response, upload_chunks
from api.openapi import EVIDENCE_DOWNLOAD
from api.pagination import PageDep
from audit.remediation import presenters as plan_views
from audit.remediation import repayments
from audit.remediation import service as plans_service
from audit.remediation.exports import plan_export
from audit.remediation.models import ActionStatus
from audit.remediation.schemas import (
    ActionCreate,
    ActionEventRead,
    ActionEvidenceRead,
    ActionRead,
    ActionStatusChange,
    ActionUpdate,
    CommentCreate,
    PaymentCreate,
    PaymentProof,
    PaymentRecorded,
    PaymentsRead,
    PaymentVoid,
    PlanRead,
    ReimbursementRead,
)
from audit.scores.service import scoring_context
from core.schemas import IdParam
from core.severity import Severity
from scoring.reimbursement import reimbursement
from supplychain.models import Network

router = APIRouter(prefix="/networks/{network_id}", responses={**AUTH_RESPONSES, **NOT_FOUND})


def _plan(
    session: Session,
    network: Network,
    page: PageDep,
    today: date,
    filters: plans_service.ActionFilters,
    created: int = 0,
) -> PlanRead:
    rows, total = plans_service.list_actions(
        session,
        network=network,
        filters=filters,
        today=today,
        limit=page.limit,
        offset=page.offset,
    )
    return PlanRead(
        items=plan_views.actions_read(session, rows, today),
        total=total,
        limit=page.limit,
        offset=page.offset,
        # PlanRead.metrics is a free-form object in the API schema: hand it the plain dict.
        metrics=dict(plans_service.network_metrics(session, network, today)),
        created=created,
    )


@router.get("/plan", response_model=PlanRead, tags=["remediation"], operation_id="plan-get")
def get_plan(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    now: ClockDep,
    status_: Annotated[ActionStatus | None, Query(alias="status")] = None,
    owner_kind: Literal["company", "supplier", "recruiter"] | None = None,
    severity: Severity | None = None,
    overdue: bool | None = None,
    finding_id: IdParam | None = None,
) -> PlanRead:
    """The remediation plan: actions by due date, with progress metrics (open, overdue and
    verified by severity and owner)."""
    filters = plans_service.ActionFilters(status_, owner_kind, severity, overdue, finding_id)
    return _plan(session, network, page, now.date(), filters)


@router.post("/plan", response_model=PlanRead, tags=["remediation"], operation_id="plan-build")
def build_plan(
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    page: PageDep,
    now: ClockDep,
) -> PlanRead:
    """Add actions from the remediation library for every open finding that has none yet
    (owner and deadline by severity from the template); existing actions are kept."""
    created = plans_service.plan_new_findings(
        session, network=network, now=now, user_id=principal.user.id
    )
    return _plan(
        session, network, page, now.date(), plans_service.ActionFilters(), created=len(created)
    )


@router.post(
    "/plan/actions",
    response_model=ActionRead,
    status_code=status.HTTP_201_CREATED,
    tags=["remediation"],
    operation_id="actions-create",
    responses=INVALID,
)
def create_action(
    data: ActionCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> ActionRead:
    action = plans_service.add_action(
        session,
        network=network,
        user_id=principal.user.id,
        **data.model_dump(),
    )
    return plan_views.action_read(session, action, now.date())


@router.get(
    "/plan/actions/{action_id}",
    response_model=ActionRead,
    tags=["remediation"],
    operation_id="actions-get",
)
def get_action(
    action_id: IdParam, session: SessionDep, network: NetworkDep, now: ClockDep
) -> ActionRead:
    action = plans_service.get_action(session, network=network, action_id=action_id)
    return plan_views.action_read(session, action, now.date())


@router.patch(
    "/plan/actions/{action_id}",
    response_model=ActionRead,
    tags=["remediation"],
    operation_id="actions-update",
    responses={**CONFLICT, **INVALID},
)
def update_action(
    action_id: IdParam,
    data: ActionUpdate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> ActionRead:
    """Change the owner, due date or wording, or the amount owed to workers (owed_amount with
    owed_currency; its USD value is recomputed at the reference rate); every change is kept in
    the history."""
    action = plans_service.get_action(session, network=network, action_id=action_id)
    changes = repayments.owed_changes(
        session, action=action, changes=data.model_dump(exclude_unset=True), year=now.year
    )
    plans_service.edit_action(
        session,
        network=network,
        action=action,
        changes=changes,
        user_id=principal.user.id,
    )
    return plan_views.action_read(session, action, now.date())


@router.post(
    "/plan/actions/{action_id}/status",
    response_model=ActionRead,
    tags=["remediation"],
    operation_id="actions-status",
    responses={**CONFLICT, **INVALID},
)
def change_action_status(
    action_id: IdParam,
    data: ActionStatusChange,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> ActionRead:
    """open -> in_progress -> completed -> verified (verification: admins only, with evidence
    or a description of the check); cancelled needs a reason."""
    action = plans_service.get_action(session, network=network, action_id=action_id)
    plans_service.change_status(
        session,
        action=action,
        target=ActionStatus(data.status),
        role=principal.role.value,
        comment=data.comment,
        user_id=principal.user.id,
    )
    return plan_views.action_read(session, action, now.date())


@router.post(
    "/plan/actions/{action_id}/comments",
    response_model=ActionEventRead,
    status_code=status.HTTP_201_CREATED,
    tags=["remediation"],
    operation_id="actions-comment",
    responses=INVALID,
)
def comment_action(
    action_id: IdParam,
    data: CommentCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> ActionEventRead:
    action = plans_service.get_action(session, network=network, action_id=action_id)
    event = plans_service.comment(
        session, action=action, text=data.comment, user_id=principal.user.id
    )
    return ActionEventRead.model_validate(event)


@router.get(
    "/plan/actions/{action_id}/history",
    response_model=list[ActionEventRead],
    tags=["remediation"],
    operation_id="actions-history",
)
def action_history(
    action_id: IdParam, session: SessionDep, network: NetworkDep
) -> list[ActionEventRead]:
    action = plans_service.get_action(session, network=network, action_id=action_id)
    return [ActionEventRead.model_validate(e) for e in plans_service.history(session, action)]


@router.post(
    "/plan/actions/{action_id}/evidence",
    response_model=ActionEvidenceRead,
    status_code=status.HTTP_201_CREATED,
    tags=["remediation"],
    operation_id="actions-evidence-upload",
    responses={**CONFLICT, **INVALID, **UPLOAD_RESPONSES},
)
def upload_action_evidence(
    action_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    file: Annotated[
        UploadFile, File(description="Receipts, photos, contracts (PDF, image, office)")
    ],
) -> ActionEvidenceRead:
    action = plans_service.get_action(session, network=network, action_id=action_id)
    evidence = plans_service.add_evidence(
        session,
        action=action,
        filename=file.filename or "",
        chunks=upload_chunks(file),
        max_bytes=settings.max_evidence_bytes,
        user_id=principal.user.id,
    )
    return ActionEvidenceRead.model_validate(evidence)


@router.get(
    "/plan/actions/{action_id}/evidence",
    response_model=list[ActionEvidenceRead],
    tags=["remediation"],
    operation_id="actions-evidence-list",
)
def list_action_evidence(
    action_id: IdParam, session: SessionDep, network: NetworkDep
) -> list[ActionEvidenceRead]:
    action = plans_service.get_action(session, network=network, action_id=action_id)
    return [
        ActionEvidenceRead.model_validate(e) for e in plans_service.evidence_of(session, action)
    ]


@router.get(
    "/plan/actions/{action_id}/evidence/{evidence_id}",
    tags=["remediation"],
    operation_id="actions-evidence-download",
    response_class=FileResponse,
    responses=EVIDENCE_DOWNLOAD,
)
def download_action_evidence(
    action_id: IdParam,
    evidence_id: IdParam,
    request: Request,
    session: SessionDep,
    network: NetworkDep,
) -> Response:
    action = plans_service.get_action(session, network=network, action_id=action_id)
    evidence = plans_service.get_evidence(session, action=action, evidence_id=evidence_id)
    return stored_file_response(
        request, evidence.sha256, evidence.filename, evidence.media_type, session=session
    )


@router.post(
    "/plan/actions/{action_id}/payments",
    response_model=PaymentRecorded,
    status_code=status.HTTP_201_CREATED,
    tags=["remediation"],
    operation_id="actions-payments-record",
    responses={**CONFLICT, **INVALID},
)
def record_payment(
    action_id: IdParam,
    data: PaymentCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> PaymentRecorded:
    """Record a payment made to workers against the amount owed, with its proof file (uploaded
    first with the action's evidence). A payment in another currency is converted to USD at the
    reference rate of the year it was paid and compared in USD; one that would take the total
    above what is owed is refused (409) unless `accept_overpayment` is true."""
    action = plans_service.get_action(session, network=network, action_id=action_id)
    payment, repayment = repayments.record_payment(
        session,
        action=action,
        role=principal.role.value,
        today=now.date(),
        user_id=principal.user.id,
        **data.model_dump(),
    )
    return plan_views.payment_recorded(session, payment, repayment)


@router.get(
    "/plan/actions/{action_id}/payments",
    response_model=PaymentsRead,
    tags=["remediation"],
    operation_id="actions-payments-list",
)
def list_payments(action_id: IdParam, session: SessionDep, network: NetworkDep) -> PaymentsRead:
    """Every payment (voided ones too, marked as not counted) and what is paid and still owed."""
    action = plans_service.get_action(session, network=network, action_id=action_id)
    return plan_views.payments_read(session, action)


@router.post(
    "/plan/actions/{action_id}/payments/{payment_id}/void",
    response_model=PaymentRecorded,
    tags=["remediation"],
    operation_id="actions-payments-void",
    responses={**CONFLICT, **INVALID},
)
def void_payment(
    action_id: IdParam,
    payment_id: IdParam,
    data: PaymentVoid,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> PaymentRecorded:
    """Reverse a mistaken payment, with the reason: it stays listed but no longer counts."""
    action = plans_service.get_action(session, network=network, action_id=action_id)
    payment, repayment = repayments.void_payment(
        session,
        action=action,
        payment_id=payment_id,
        reason=data.reason,
        role=principal.role.value,
        user_id=principal.user.id,
    )
    return plan_views.payment_recorded(session, payment, repayment)


@router.post(
    "/plan/actions/{action_id}/payments/{payment_id}/proof",
    response_model=PaymentRecorded,
    tags=["remediation"],
    operation_id="actions-payments-proof",
    responses={**CONFLICT, **INVALID},
)
def attach_payment_proof(
    action_id: IdParam,
    payment_id: IdParam,
    data: PaymentProof,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> PaymentRecorded:
    """Attach the proof file (uploaded first with the action's evidence) to a payment recorded
    without one; a proof already attached is never replaced."""
    action = plans_service.get_action(session, network=network, action_id=action_id)
    payment, repayment = repayments.attach_proof(
        session,
        action=action,
        payment_id=payment_id,
        proof_evidence_id=data.proof_evidence_id,
        role=principal.role.value,
        user_id=principal.user.id,
    )
    return plan_views.payment_recorded(session, payment, repayment)


@router.get(
    "/plan/export",
    tags=["remediation"],
    operation_id="plan-export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def export_plan(
    session: SessionDep,
    network: NetworkDep,
    now: ClockDep,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    """The whole plan as CSV or XLSX (with a metrics sheet)."""
    body, media = plan_export(session, network, now.date(), format)
    stem = f"remediation-plan-network-{network.id}"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{format}"'},
    )


@router.get(
    "/reimbursement",
    response_model=ReimbursementRead,
    tags=["remediation"],
    operation_id="reimbursement",
)
def fee_reimbursement(session: SessionDep, network: NetworkDep, now: ClockDep) -> ReimbursementRead:
    """Recruitment fees owed to workers, per recruiter, supplier and corridor, in the reported
    currency and USD with every input shown; survey-based estimates are labelled as such."""
    context = scoring_context(session, network, now=now)
    result = reimbursement(context.graph, context.assessments, context.reference)
    return plan_views.reimbursement_read(result, context)
