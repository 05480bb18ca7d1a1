"""The respondent's API: an invitation token opens exactly one assessment and nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import (
    APIRouter,
    BackgroundTasks,
    File,
    Form,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from api.db import unit_of_work
from api.deps import InvitationSecretDep, RespondentDep, SessionDep, SettingsDep
from api.errors import CONFLICT, INVALID, NOT_FOUND, RESPONDENT_AUTH
from api.files import UPLOAD_RESPONSES, evidence_response, receive_evidence
from api.openapi import EVIDENCE_DOWNLOAD
from api.prefer import PreferHeader, wants_minimal
from audit.campaigns import service as campaigns
from core.clock import utcnow
from core.schemas import IdParam, QueryText
from questionnaires import presenters as views
from questionnaires import service, sharing
from questionnaires.schemas import (
    AnswersSaved,
    AnswersUpdate,
    EvidenceRead,
    RemindersStopped,
    RespondentView,
    ShareableRead,
)

router = APIRouter(prefix="/respond", tags=["respond"], responses=RESPONDENT_AUTH)
RESPONDENT = service.Actor.respondent()


@router.get("/assessment", response_model=RespondentView, operation_id="respond-get")
def read_assessment(
    session: SessionDep,
    assessment: RespondentDep,
    language: Annotated[
        QueryText | None, Query(max_length=16, description="e.g. ne, bn, th")
    ] = None,
) -> RespondentView:
    """Your assessment: the questions (in your language), your answers, reviewer comments."""
    return views.respondent_view(session, assessment, language)


@router.put(
    "/answers",
    response_model=RespondentView | AnswersSaved,
    operation_id="respond-save",
    responses={**CONFLICT, **INVALID},
)
async def save_answers(
    data: AnswersUpdate,
    secret: InvitationSecretDep,
    request: Request,
    background: BackgroundTasks,
    prefer: PreferHeader = None,
) -> Response:
    """Save some or all answers; you can come back and continue later. An autosaving client
    sends `Prefer: return=minimal` and gets the stored answers and progress back, not the
    whole questionnaire on every keystroke."""
    # The phone form autosaves every answer, so this is most of the server's traffic: the
    # whole unit of work runs in one worker-thread call rather than one for each dependency,
    # the endpoint and the serialisation (each call hands the GIL between threads twice).
    return await run_in_threadpool(
        _save_answers, request, background, secret, data, wants_minimal(prefer)
    )


def _save_answers(
    request: Request,
    background: BackgroundTasks,
    secret: str,
    data: AnswersUpdate,
    minimal: bool,
) -> Response:
    """What ``SessionDep`` and ``RespondentDep`` do, then the save and its response body,
    serialised before the commit as FastAPI would (a body that fails rolls the save back)."""
    with unit_of_work(request, background) as session:
        assessment = service.resolve_invitation(session, secret, for_update=True)
        service.save_answers(
            session,
            assessment=assessment,
            incoming=data.answers,
            actor=RESPONDENT,
            language=data.language,
        )
        body: RespondentView | AnswersSaved = (
            views.answers_saved(session, assessment)
            if minimal
            else views.respondent_view(session, assessment)
        )
        content = body.model_dump_json(by_alias=True)
    response = Response(content, media_type="application/json", headers={"Vary": "Prefer"})
    if minimal:
        response.headers["Preference-Applied"] = "return=minimal"
    return response


@router.post(
    "/submit",
    response_model=RespondentView,
    operation_id="respond-submit",
    responses={**CONFLICT, **INVALID},
)
def submit(session: SessionDep, assessment: RespondentDep) -> RespondentView:
    """Submit for review; refused with the list of required questions still unanswered."""
    service.submit(session, assessment=assessment, actor=RESPONDENT)
    return views.respondent_view(session, assessment)


@router.get("/share", response_model=ShareableRead, operation_id="respond-shareable")
def shareable(session: SessionDep, assessment: RespondentDep) -> ShareableRead:
    """Whether you can show this company the assessment another company accepted, instead of
    answering again, and whether you do."""
    found = sharing.shareable(session, assessment)
    share = sharing.current_share(session, assessment)
    return ShareableRead(
        available=found is not None,
        accepted_at=found.accepted_at if found else None,
        shared=share is not None,
        consented_at=share.consented_at if share else None,
    )


@router.post(
    "/share",
    response_model=ShareableRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="respond-share",
    responses={**CONFLICT, **NOT_FOUND},
)
def share(session: SessionDep, assessment: RespondentDep) -> ShareableRead:
    """Your consent: this company may see your accepted answers (not whose they were). It
    holds for this company only, and you can withdraw it."""
    given = sharing.consent(session, assessment, utcnow())
    found = sharing.shareable(session, assessment)
    return ShareableRead(
        available=True,
        accepted_at=found.accepted_at if found else None,
        shared=True,
        consented_at=given.consented_at,
    )


@router.delete(
    "/share", response_model=ShareableRead, operation_id="respond-unshare", responses=NOT_FOUND
)
def unshare(session: SessionDep, assessment: RespondentDep) -> ShareableRead:
    """Withdraw your consent: the company no longer sees those answers."""
    sharing.revoke(session, assessment, utcnow())
    found = sharing.shareable(session, assessment)
    return ShareableRead(
        available=found is not None,
        accepted_at=found.accepted_at if found else None,
        shared=False,
        consented_at=None,
    )


@router.post(
    "/reminders/stop",
    response_model=RemindersStopped,
    operation_id="respond-stop-reminders",
)
def stop_reminders(session: SessionDep, assessment: RespondentDep) -> RemindersStopped:
    """No more reminder emails about this assessment; the link keeps working."""
    in_campaign = campaigns.stop_reminders(session, assessment=assessment, now=utcnow())
    return RemindersStopped(stopped=in_campaign)


@router.post(
    "/evidence",
    response_model=EvidenceRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="respond-upload-evidence",
    responses={**CONFLICT, **INVALID, **UPLOAD_RESPONSES},
)
def upload_evidence(
    session: SessionDep,
    assessment: RespondentDep,
    settings: SettingsDep,
    question_id: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File(description="PDF, image or office document")],
) -> EvidenceRead:
    evidence = receive_evidence(
        session,
        assessment=assessment,
        question_id=question_id,
        file=file,
        settings=settings,
        actor=RESPONDENT,
    )
    return views.evidence_read(evidence)


@router.get(
    "/evidence/{evidence_id}",
    operation_id="respond-download-evidence",
    response_class=FileResponse,
    responses={**NOT_FOUND, **EVIDENCE_DOWNLOAD},
)
def download_evidence(
    evidence_id: IdParam, request: Request, session: SessionDep, assessment: RespondentDep
) -> Response:
    evidence = service.get_evidence(session, assessment=assessment, evidence_id=evidence_id)
    return evidence_response(request, evidence, session=session)
