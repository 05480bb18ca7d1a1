"""The self-assessment form behind an invitation link, for a phone, without an account.

The link's token is exchanged once for a short-lived, HttpOnly, SameSite=Strict cookie and the
browser moves on to a URL without the token, so it does not linger in history, logs or
``Referer`` headers. Every form post carries a CSRF token bound to that cookie. Answers go
through the same service functions as the JSON API, so the rules are enforced in one place.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep, SettingsDep
from api.routes.files import receive_evidence
from api.settings import Settings
from api.web.signing import sign, unsign
from questionnaires import answers as answer_rules
from questionnaires import lifecycle, views
from questionnaires import service as assessments
from questionnaires.library import library_translations
from questionnaires.models import Assessment, Invitation
from questionnaires.schema import Questionnaire
from supplychain.columns import utcnow
from supplychain.errors import FairpathError, InvalidInput
from supplychain.models import Node
from templates import environment

router = APIRouter(prefix="/respond", include_in_schema=False)
COOKIE = "fp_respond"
SESSION_SECONDS = 2 * 60 * 60
RESPONDENT = assessments.Actor.respondent()
NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


class PageProblem(Exception):
    """Shown as a friendly page instead of a JSON error: the respondent is not a developer."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    body = environment().get_template(f"respond/{name}").render(**context)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def problem_page(problem: PageProblem) -> HTMLResponse:
    return render(
        "problem.html", problem.status, title=problem.title, message=problem.message, language="en"
    )


# Session ----------------------------------------------------------------------------------------


def _cookie(response: Response, settings: Settings, invitation: Invitation, csrf: str) -> None:
    value = sign({"inv": invitation.id, "csrf": csrf}, settings.secret_key)
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        path="/respond",
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
    )


def current(request: Request, session: Session, settings: Settings) -> tuple[Assessment, str]:
    """The assessment this browser's cookie opens, and its CSRF token; or a friendly refusal."""
    raw = request.cookies.get(COOKIE)
    payload = unsign(raw, settings.secret_key, max_age=SESSION_SECONDS) if raw else None
    if payload is None:
        raise PageProblem(
            401,
            "Your session has ended",
            "For your security, the form closes after two hours. Open the link you "
            "were sent again to continue: your saved answers are kept.",
        )
    invitation = session.get(Invitation, payload.get("inv"))
    if invitation is None or invitation.revoked_at is not None:
        raise PageProblem(
            410,
            "This link no longer works",
            "The company replaced or withdrew this invitation. Ask them for a new link.",
        )
    if invitation.expires_at <= utcnow():
        raise PageProblem(
            410,
            "This link has expired",
            "Ask the company that sent it for a new link; your saved answers are kept.",
        )
    assessment = session.get(Assessment, invitation.assessment_id)
    assert assessment is not None
    return assessment, str(payload.get("csrf", ""))


def check_csrf(request: Request, expected: str, submitted: str | None) -> None:
    origin = request.headers.get("origin")
    # "null" is what browsers send under Referrer-Policy: no-referrer; the token still decides.
    if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise PageProblem(
            403,
            "This form cannot be sent from another site",
            "Open the form from the link you were sent and try again.",
        )
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise PageProblem(
            403,
            "The form expired",
            "The page was open for too long or came from somewhere else. Go "
            "back, reload the page and send it again; saved answers are kept.",
        )


# Pages -----------------------------------------------------------------------------------------


def _language_names(assessment_key: str, version: int) -> dict[str, tuple[str, str]]:
    names = {"en": ("English", "reviewed_by_native_speaker")}
    for code, translation in library_translations(assessment_key, version).items():
        names[code] = (translation.language_name, translation.review_status)
    return names


def _context(session: Session, assessment: Assessment, csrf: str) -> dict[str, Any]:
    record = assessments.questionnaire_of(session, assessment)
    language = assessment.language
    document = views.localised(record, language)
    parsed = assessments.parsed(record)
    languages = (
        _language_names(record.key, record.version)
        if record.organisation_id is None
        else {parsed.language: (parsed.language, "reviewed_by_native_speaker")}
    )
    visible = set(answer_rules.visible_question_ids(parsed, assessment.answers))
    missing = [e.question_id for e in answer_rules.missing_required(parsed, assessment.answers)]
    steps = []
    for section in document.sections:
        ids = [q.id for q in section.questions]
        steps.append(
            {
                "id": section.id,
                "title": section.title,
                "missing": sum(1 for q in ids if q in missing),
                "answered": sum(1 for q in ids if q in assessment.answers and q in visible),
                "asked": sum(1 for q in ids if q in visible),
            }
        )
    return {
        "assessment": assessment,
        "document": document,
        "parsed": parsed,
        "steps": steps,
        "visible": visible,
        "missing": missing,
        "csrf": csrf,
        "language": language,
        "languages": languages,
        "review_status": languages.get(language, ("", ""))[1],
        "requested_by": assessments.requester_name(session, assessment),
        "respondent": node.name if (node := session.get(Node, assessment.node_id)) else "",
        "editable": assessment.status in lifecycle.EDITABLE,
        "evidence": assessments.list_evidence(session, assessment=assessment),
    }


@router.get("/form", response_class=HTMLResponse)
def form_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    step: int | None = None,
    saved: int = 0,
) -> Response:
    try:
        assessment, csrf = current(request, session, settings)
    except PageProblem as problem:
        return problem_page(problem)
    context = _context(session, assessment, csrf)
    if step is None:
        first_missing = next((i for i, s in enumerate(context["steps"]) if s["missing"]), 0)
        step = first_missing
    step = max(0, min(step, len(context["steps"]) - 1))
    return render("form.html", step=step, errors={}, submitted={}, saved=bool(saved), **context)


def _incoming(
    questionnaire: Questionnaire, section_id: str, form: Any, existing: dict[str, Any]
) -> dict[str, Any]:
    """Form fields of one section as answers; blank clears; hidden follow-ups are dropped."""
    incoming: dict[str, Any] = {}
    section = next(s for s in questionnaire.sections if s.id == section_id)
    for question in section.questions:
        name = f"q_{question.id}"
        if question.type == "file" or f"present_{question.id}" not in form:
            continue
        if question.type == "multi_choice":
            values = [v for v in form.getlist(name) if v]
            incoming[question.id] = values or None
        else:
            value = str(form.get(name) or "").strip()
            incoming[question.id] = value or None
    merged = {k: v for k, v in {**existing, **incoming}.items() if v is not None}
    visible = set(answer_rules.visible_question_ids(questionnaire, merged))
    return {k: (v if k in visible else None) for k, v in incoming.items()}


@router.post("/form", response_class=HTMLResponse)
async def save_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    autosave = request.headers.get("x-autosave") == "1"
    try:
        assessment, csrf = current(request, session, settings)
        check_csrf(request, csrf, str(form.get("csrf") or ""))
    except PageProblem as problem:
        if autosave:
            return JSONResponse(
                {"saved": False, "message": problem.message}, status_code=problem.status
            )
        return problem_page(problem)
    record = assessments.questionnaire_of(session, assessment)
    parsed = assessments.parsed(record)
    step = int(str(form.get("step") or 0))
    section_id = parsed.sections[max(0, min(step, len(parsed.sections) - 1))].id
    incoming = _incoming(parsed, section_id, form, assessment.answers)
    try:
        assessments.save_answers(
            session, assessment=assessment, incoming=incoming, actor=RESPONDENT
        )
    except InvalidInput as exc:
        session.rollback()
        errors = {e.get("question"): e.get("message") for e in exc.errors or []}
        if autosave:
            return JSONResponse({"saved": False, "errors": errors}, status_code=422)
        context = _context(session, assessment, csrf)
        return render(
            "form.html",
            422,
            step=step,
            errors=errors,
            submitted={k: v for k, v in incoming.items()},
            saved=False,
            **context,
        )
    except FairpathError as exc:
        if autosave:
            return JSONResponse({"saved": False, "message": exc.detail}, status_code=exc.status)
        return problem_page(
            PageProblem(exc.status, "This assessment cannot be changed now", exc.detail)
        )
    if autosave:
        return JSONResponse({"saved": True})
    move = str(form.get("move") or "stay")
    target = step + 1 if move == "next" else step - 1 if move == "back" else step
    if move == "review":
        return RedirectResponse("/respond/review", status_code=303, headers=NO_STORE)
    return RedirectResponse(
        f"/respond/form?step={max(0, target)}&saved=1", status_code=303, headers=NO_STORE
    )


@router.post("/language")
async def choose_language(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    language: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    step: Annotated[int, Form()] = 0,
) -> Response:
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf)
    except PageProblem as problem:
        return problem_page(problem)
    record = assessments.questionnaire_of(session, assessment)
    if language in assessments.languages(record) and assessment.language != language:
        assessment.language = language
        session.add(assessment)
        assessments.record_event(
            session, assessment, RESPONDENT, "language_changed", details={"language": language}
        )
    return RedirectResponse(f"/respond/form?step={step}", status_code=303, headers=NO_STORE)


@router.post("/evidence")
async def upload_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    question_id: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    step: Annotated[int, Form()] = 0,
) -> Response:
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf)
        receive_evidence(
            session,
            assessment=assessment,
            question_id=question_id,
            file=file,
            settings=settings,
            actor=RESPONDENT,
        )
    except PageProblem as problem:
        return problem_page(problem)
    except FairpathError as exc:
        session.rollback()
        return problem_page(PageProblem(exc.status, "The file was not accepted", exc.detail))
    return RedirectResponse(
        f"/respond/form?step={step}&saved=1#q-{quote(question_id)}",
        status_code=303,
        headers=NO_STORE,
    )


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        assessment, csrf = current(request, session, settings)
    except PageProblem as problem:
        return problem_page(problem)
    context = _context(session, assessment, csrf)
    return render("review.html", **context)


@router.post("/submit", response_class=HTMLResponse)
async def submit_page(
    request: Request, session: SessionDep, settings: SettingsDep, csrf: Annotated[str, Form()]
) -> Response:
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf)
    except PageProblem as problem:
        return problem_page(problem)
    try:
        assessments.submit(session, assessment=assessment, actor=RESPONDENT)
    except FairpathError:
        session.rollback()
        return render("review.html", 422, blocked=True, **_context(session, assessment, expected))
    return RedirectResponse("/respond/done", status_code=303, headers=NO_STORE)


@router.get("/done", response_class=HTMLResponse)
def done_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        assessment, csrf = current(request, session, settings)
    except PageProblem as problem:
        return problem_page(problem)
    return render("done.html", **_context(session, assessment, csrf))


@router.get("/{token}", response_class=HTMLResponse)
def open_link(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Exchange the link's token for a session cookie, then leave the token behind."""
    state, invitation = assessments.invitation_state(session, token)
    if state == assessments.InvitationState.unknown or invitation is None:
        return problem_page(
            PageProblem(
                401,
                "This link is not valid",
                "Check that you opened the whole link from the "
                "message you received, or ask the company for a "
                "new one.",
            )
        )
    if state != assessments.InvitationState.valid:
        what = (
            "has expired"
            if state == assessments.InvitationState.expired
            else ("was replaced or withdrawn")
        )
        return problem_page(
            PageProblem(
                410,
                f"This link {what}",
                "Ask the company that sent it for a new link. Answers you already saved are kept.",
            )
        )
    assessments.resolve_invitation(session, token)  # records the visit
    response = render("continue.html", language="en")
    _cookie(response, settings, invitation, secrets.token_urlsafe(24))
    return response
