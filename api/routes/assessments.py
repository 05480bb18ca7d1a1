"""HTTP endpoints for assigning, answering, reviewing and auditing assessments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse, Response

from api.deps import NetworkDep, PrincipalDep, SessionDep, SettingsDep, WritableNetworkDep
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.files import UPLOAD_RESPONSES, evidence_response, receive_evidence
from api.jobs.campaigns import links_of
from api.openapi import EVIDENCE_DOWNLOAD
from api.pagination import Page, PageDep
from audit.campaigns import service as campaigns
from core.schemas import IdParam, QueryText
from questionnaires import presenters as views
from questionnaires import service, sharing
from questionnaires.models import AssessmentStatus
from questionnaires.schemas import (
    AnswersUpdate,
    AssessmentCreate,
    AssessmentCreated,
    AssessmentRead,
    EventRead,
    EvidenceRead,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    ReviewRequest,
    SharedAnswersRead,
)
from supplychain import service as networks

router = APIRouter(
    prefix="/networks/{network_id}/assessments",
    tags=["assessments"],
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)


def _actor(principal: PrincipalDep) -> service.Actor:
    return service.Actor.user(principal.user.id, principal.role.value)


@router.post(
    "",
    response_model=AssessmentCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="assessments-create",
    responses={**INVALID},
)
def assign_assessment(
    data: AssessmentCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> AssessmentCreated:
    """Assign a questionnaire to a recruiter or supplier. The response holds the respondent's
    invitation token and link; they are shown only once (re-issue them if lost)."""
    service.ensure_library(session)
    node = networks.get_node(session, network=network, node_id=data.node_id)
    questionnaire = (
        service.get_questionnaire(
            session, scope=principal.scope, questionnaire_id=data.questionnaire_id
        )
        if data.questionnaire_id
        else None
    )
    assessment, invitation, secret = service.assign(
        session,
        scope=principal.scope,
        network=network,
        node=node,
        questionnaire=questionnaire,
        due_date=data.due_date,
        language=data.language,
        actor=_actor(principal),
        invitation_days=settings.invitation_days,
    )
    return AssessmentCreated(
        **views.assessment_read(session, assessment).model_dump(),
        invitation=views.invitation_created(invitation, secret, settings.invitation_base_url()),
    )


@router.get("", response_model=Page[AssessmentRead], operation_id="assessments-list")
def list_assessments(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    status_: Annotated[AssessmentStatus | None, Query(alias="status")] = None,
    node_id: IdParam | None = None,
    questionnaire: Annotated[
        QueryText | None, Query(max_length=200, description="Questionnaire key.")
    ] = None,
    overdue: Annotated[bool | None, Query(description="Open and past the due date.")] = None,
) -> Page[AssessmentRead]:
    rows, total = service.list_assessments(
        session,
        network=network,
        filters=service.AssessmentFilters(
            status=status_, node_id=node_id, questionnaire_key=questionnaire, overdue=overdue
        ),
        limit=page.limit,
        offset=page.offset,
    )
    return Page[AssessmentRead](
        items=[views.assessment_read(session, a) for a in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{assessment_id}", response_model=AssessmentRead, operation_id="assessments-get")
def get_assessment(
    assessment_id: IdParam, session: SessionDep, network: NetworkDep
) -> AssessmentRead:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    return views.assessment_read(session, assessment)


@router.put(
    "/{assessment_id}/answers",
    response_model=AssessmentRead,
    operation_id="assessments-save-answers",
    responses={**CONFLICT, **INVALID},
)
def save_answers(
    assessment_id: IdParam,
    data: AnswersUpdate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> AssessmentRead:
    """Answer on the respondent's behalf (e.g. from a paper form). Partial saves are fine."""
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    service.save_answers(
        session,
        assessment=assessment,
        incoming=data.answers,
        actor=_actor(principal),
        language=data.language,
    )
    return views.assessment_read(session, assessment)


@router.post(
    "/{assessment_id}/submit",
    response_model=AssessmentRead,
    operation_id="assessments-submit",
    responses={**CONFLICT, **INVALID},
)
def submit_assessment(
    assessment_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> AssessmentRead:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    service.submit(session, assessment=assessment, actor=_actor(principal))
    return views.assessment_read(session, assessment)


@router.post(
    "/{assessment_id}/review",
    response_model=AssessmentRead,
    operation_id="assessments-review",
    responses={**CONFLICT, **INVALID},
)
def review_assessment(
    assessment_id: IdParam,
    data: ReviewRequest,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> AssessmentRead:
    """Accept a submitted assessment, or return it with comments (overall and per question);
    a returned assessment reopens for the respondent."""
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    service.review(
        session,
        assessment=assessment,
        decision=data.decision,
        comment=data.comment,
        question_comments=data.question_comments,
        actor=_actor(principal),
    )
    return views.assessment_read(session, assessment)


@router.get(
    "/{assessment_id}/events", response_model=list[EventRead], operation_id="assessments-events"
)
def assessment_events(
    assessment_id: IdParam, session: SessionDep, network: NetworkDep
) -> list[EventRead]:
    """The audit trail: every change, who made it and when."""
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    return [
        EventRead.model_validate(e, from_attributes=True)
        for e in service.events(session, assessment=assessment)
    ]


@router.get(
    "/{assessment_id}/shared",
    response_model=SharedAnswersRead,
    operation_id="assessments-shared",
)
def shared_answers(
    assessment_id: IdParam, session: SessionDep, network: NetworkDep
) -> SharedAnswersRead:
    """The answers the recruiter shares with you, accepted by another organisation (never
    named), with their dates; 404 when it shares none or withdrew its consent. Ask for a
    fresh assessment at any time: this one stays open for its own answers."""
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    return SharedAnswersRead(**sharing.shared_view(session, assessment))


@router.get(
    "/{assessment_id}/invitations",
    response_model=list[InvitationRead],
    operation_id="invitations-list",
)
def list_invitations(
    assessment_id: IdParam, session: SessionDep, network: NetworkDep
) -> list[InvitationRead]:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    return [
        views.invitation_read(i) for i in service.list_invitations(session, assessment=assessment)
    ]


@router.post(
    "/{assessment_id}/invitations",
    response_model=InvitationCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="invitations-create",
    responses=INVALID,
)
def reissue_invitation(
    assessment_id: IdParam,
    data: InvitationCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> InvitationCreated:
    """A new invitation link for the respondent; earlier links stop working."""
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    invitation, secret = service.issue_invitation(
        session,
        assessment=assessment,
        actor=_actor(principal),
        days=data.expires_in_days or settings.invitation_days,
        secret=campaigns.renewed_secret(session, assessment, links_of(settings)),
    )
    return views.invitation_created(invitation, secret, settings.invitation_base_url())


@router.delete(
    "/{assessment_id}/invitations/{invitation_id}",
    response_model=InvitationRead,
    operation_id="invitations-revoke",
)
def revoke_invitation(
    assessment_id: IdParam,
    invitation_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
) -> InvitationRead:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    invitation = service.revoke_invitation(
        session, assessment=assessment, invitation_id=invitation_id, actor=_actor(principal)
    )
    return views.invitation_read(invitation)


@router.get(
    "/{assessment_id}/evidence", response_model=list[EvidenceRead], operation_id="evidence-list"
)
def list_evidence(
    assessment_id: IdParam, session: SessionDep, network: NetworkDep
) -> list[EvidenceRead]:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    return [views.evidence_read(e) for e in service.list_evidence(session, assessment=assessment)]


@router.post(
    "/{assessment_id}/evidence",
    response_model=EvidenceRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="evidence-upload",
    responses={**CONFLICT, **INVALID, **UPLOAD_RESPONSES},
)
def upload_evidence(
    assessment_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    question_id: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File(description="PDF, image or office document")],
) -> EvidenceRead:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    evidence = receive_evidence(
        session,
        assessment=assessment,
        question_id=question_id,
        file=file,
        settings=settings,
        actor=_actor(principal),
    )
    return views.evidence_read(evidence)


@router.get(
    "/{assessment_id}/evidence/{evidence_id}",
    operation_id="evidence-download",
    response_class=FileResponse,
    responses=EVIDENCE_DOWNLOAD,
)
def download_evidence(
    assessment_id: IdParam,
    evidence_id: IdParam,
    request: Request,
    session: SessionDep,
    network: NetworkDep,
) -> Response:
    assessment = service.get_assessment(session, network=network, assessment_id=assessment_id)
    evidence = service.get_evidence(session, assessment=assessment, evidence_id=evidence_id)
    return evidence_response(request, evidence, session=session)
