"""The self-assessment form behind an invitation link, for a phone, without an account.

The link's token is exchanged once for a short-lived, HttpOnly, SameSite=Strict cookie and the
browser moves on to a URL without the token, so it does not linger in history, logs or
``Referer`` headers. Every form post carries a CSRF token bound to that cookie. Answers go
through the same service functions as the JSON API, so the rules are enforced in one place.

Pages speak the assessment's language: the questionnaire from its translation, everything around
it from the message catalogues of ``templates.messages``. Problems and answer errors are therefore
raised as catalogue keys, never as English sentences.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep, SettingsDep
from api.files import receive_evidence
from api.settings import Settings
from api.web.answer_errors import answer_errors
from api.web.signing import sign, unsign
from audit.campaigns import service as campaigns
from core.clock import utcnow
from core.errors import (
    Conflict,
    FairpathError,
    Forbidden,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from questionnaires import answers as answer_rules
from questionnaires import lifecycle, sharing
from questionnaires import presenters as views
from questionnaires import service as assessments
from questionnaires.definition import Questionnaire
from questionnaires.library import library_translations
from questionnaires.models import Assessment, Invitation
from templates import environment, messages

router = APIRouter(prefix="/respond", include_in_schema=False)
COOKIE = "fp_respond"
SESSION_SECONDS = 2 * 60 * 60
RESPONDENT = assessments.Actor.respondent()
REVIEWED = "reviewed_by_native_speaker"
NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


class PageProblem(Exception):
    """Shown as a friendly page instead of a JSON error: the respondent is not a developer.

    ``key`` names the catalogue messages ``{key}.title`` and ``{key}.message``; ``language`` is
    the assessment's, when the problem is found after the assessment is known.
    """

    def __init__(
        self, status: int, key: str, *, language: str | None = None, **params: Any
    ) -> None:
        super().__init__(key)
        self.status, self.key, self.language, self.params = status, key, language, params


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A respondent page; ``t`` speaks the page's ``language``."""
    template = environment().get_template(f"respond/{name}")
    body = template.render(t=messages.translator(context["language"]), **context)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _problem_language(problem: PageProblem, request: Request, hint: str | None) -> str:
    """The assessment's language if known, else the page's the form came from, else the
    browser's preference: a respondent whose session ended still reads their own language."""
    preferred = messages.negotiate(request.headers.get("accept-language"))
    return messages.pick(problem.language, hint, preferred)


def problem_page(problem: PageProblem, request: Request, hint: str | None = None) -> HTMLResponse:
    return render(
        "problem.html",
        problem.status,
        title=f"{problem.key}.title",
        message=f"{problem.key}.message",
        params=problem.params,
        language=_problem_language(problem, request, hint),
    )


def problem_json(problem: PageProblem, request: Request, hint: str | None) -> JSONResponse:
    """The autosave script's answer: the same problem, one sentence in the page's language."""
    t = messages.translator(_problem_language(problem, request, hint))
    text = t.text(f"{problem.key}.message", **problem.params)
    return JSONResponse({"saved": False, "message": text}, status_code=problem.status)


# Session ----------------------------------------------------------------------------------------


def _cookie(response: Response, settings: Settings, invitation: Invitation, csrf: str) -> None:
    value = sign({"inv": invitation.id, "csrf": csrf}, settings.signing_key())
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
    payload = unsign(raw, settings.signing_key(), max_age=SESSION_SECONDS) if raw else None
    if payload is None:
        raise PageProblem(401, "problem.session_ended")
    invitation = session.get(Invitation, payload.get("inv"))
    if invitation is None:
        raise PageProblem(410, "problem.link_withdrawn")
    assessment = session.get(Assessment, invitation.assessment_id)
    assert assessment is not None
    if invitation.revoked_at is not None:
        raise PageProblem(410, "problem.link_withdrawn", language=assessment.language)
    if invitation.expires_at <= utcnow():
        raise PageProblem(410, "problem.link_expired", language=assessment.language)
    return assessment, str(payload.get("csrf", ""))


def check_origin(request: Request, language: str | None) -> None:
    origin = request.headers.get("origin")
    # "null" is what browsers send under Referrer-Policy: no-referrer; the token still decides.
    if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise PageProblem(403, "problem.other_site", language=language)


def check_csrf(
    request: Request, expected: str, submitted: str | None, *, language: str | None = None
) -> None:
    check_origin(request, language)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise PageProblem(403, "problem.form_expired", language=language)


def _editing_problem(exc: FairpathError, language: str) -> PageProblem:
    """A refused change as the respondent should read it (the detail is for developers)."""
    key = "problem.locked" if isinstance(exc, Conflict | Forbidden) else "problem.failed"
    return PageProblem(exc.status, key, language=language)


def _upload_problem(exc: FairpathError, language: str, settings: Settings) -> PageProblem:
    if isinstance(exc, PayloadTooLarge):
        size = settings.max_evidence_bytes / (1024 * 1024)
        megabytes: int | str = int(size) if size.is_integer() else f"{size:g}"
        return PageProblem(
            exc.status, "problem.upload_too_large", language=language, megabytes=megabytes
        )
    if isinstance(exc, UnsupportedMediaType):
        return PageProblem(exc.status, "problem.upload_type", language=language)
    if isinstance(exc, InvalidInput):
        fields = {e.get("field") for e in exc.errors or []}
        key = "problem.upload_empty" if "file" in fields else "problem.upload_hidden"
        if "question_id" in fields:  # a forged question id: nothing the respondent can fix
            key = "problem.failed"
        return PageProblem(exc.status, key, language=language)
    return _editing_problem(exc, language)


# Pages -----------------------------------------------------------------------------------------


def _language_names(assessment_key: str, version: int) -> dict[str, tuple[str, str]]:
    names = {"en": ("English", REVIEWED)}
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
        else {parsed.language: (parsed.language, REVIEWED)}
    )
    visible = set(answer_rules.visible_question_ids(parsed, assessment.answers))
    missing = [e.question_id for e in answer_rules.missing_required(parsed, assessment.answers)]
    requested_by, respondent = assessments.names_shown(session, assessment)
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
        # The notice about a draft translation covers the page's own words as well.
        "translation_reviewed": languages.get(language, ("", ""))[1] == REVIEWED
        and messages.reviewed(language),
        "requested_by": requested_by,
        "respondent": respondent,
        "editable": assessment.status in lifecycle.EDITABLE,
        "evidence": assessments.list_evidence(session, assessment=assessment),
        "prefilled_on": _prefilled_on(session, assessment),
        **_sharing(session, assessment),
    }


def _sharing(session: Session, assessment: Assessment) -> dict[str, Any]:
    """Whether the form offers to share answers another company accepted (a recruiter linked
    to the registry), or says that they are shared."""
    share = sharing.current_share(session, assessment)
    found = (
        sharing.shareable(session, assessment) if assessment.status in lifecycle.EDITABLE else None
    )
    accepted = found.accepted_at.date() if found else None
    if share is not None:
        source = session.get(Assessment, share.source_assessment_id)
        accepted = source.reviewed_at.date() if source and source.reviewed_at else accepted
    return {
        "share_offered_on": accepted if share is None else None,
        "shared_on": accepted if share is not None else None,
    }


def _prefilled_on(session: Session, assessment: Assessment) -> date | None:
    """When the previous round whose answers this one starts with was submitted."""
    if assessment.prefilled_from_id is None:
        return None
    previous = session.get(Assessment, assessment.prefilled_from_id)
    if previous is None:
        return None
    moment = previous.submitted_at or previous.reviewed_at or previous.created_at
    return moment.date()


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
        return problem_page(problem, request)
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
    hint = str(form.get("page_language") or "")
    try:
        assessment, csrf = current(request, session, settings)
        check_csrf(request, csrf, str(form.get("csrf") or ""), language=assessment.language)
    except PageProblem as problem:
        if autosave:
            return problem_json(problem, request, hint)
        return problem_page(problem, request, hint)
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
        context = _context(session, assessment, csrf)
        t = messages.translator(assessment.language)
        errors = answer_errors(t, context["document"], exc.errors or [], incoming)
        if autosave:
            return JSONResponse({"saved": False, "errors": errors}, status_code=422)
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
        editing_problem = _editing_problem(exc, assessment.language)
        if autosave:
            return problem_json(editing_problem, request, hint)
        return problem_page(editing_problem, request)
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
    page_language: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf, language=assessment.language)
    except PageProblem as problem:
        return problem_page(problem, request, page_language)
    record = assessments.questionnaire_of(session, assessment)
    if language in assessments.languages(record) and assessment.language != language:
        assessment.language = language
        session.add(assessment)
        assessments.record_event(
            session, assessment, RESPONDENT, "language_changed", details={"language": language}
        )
    return RedirectResponse(f"/respond/form?step={step}", status_code=303, headers=NO_STORE)


@router.post("/share")
async def share_answers(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    action: Annotated[str, Form(pattern="^(share|stop)$")] = "share",
) -> Response:
    """The form's buttons for the respondent's consent: give it for this company, or withdraw it."""
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf, language=assessment.language)
    except PageProblem as problem:
        return problem_page(problem, request)
    try:
        if action == "share":
            sharing.consent(session, assessment, utcnow())
        else:
            sharing.revoke(session, assessment, utcnow())
    except FairpathError:  # already shared, or nothing to withdraw: the form shows the state
        session.rollback()
    return RedirectResponse("/respond/form", status_code=303, headers=NO_STORE)


@router.post("/evidence")
async def upload_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    question_id: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    step: Annotated[int, Form()] = 0,
    page_language: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf, language=assessment.language)
        receive_evidence(
            session,
            assessment=assessment,
            question_id=question_id,
            file=file,
            settings=settings,
            actor=RESPONDENT,
        )
    except PageProblem as problem:
        return problem_page(problem, request, page_language)
    except FairpathError as exc:
        session.rollback()
        return problem_page(_upload_problem(exc, assessment.language, settings), request)
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
        return problem_page(problem, request)
    context = _context(session, assessment, csrf)
    return render("review.html", **context)


@router.post("/submit", response_class=HTMLResponse)
async def submit_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    page_language: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        assessment, expected = current(request, session, settings)
        check_csrf(request, expected, csrf, language=assessment.language)
    except PageProblem as problem:
        return problem_page(problem, request, page_language)
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
        return problem_page(problem, request)
    return render("done.html", **_context(session, assessment, csrf))


def _opened(session: Session, token: str) -> tuple[Invitation, Assessment]:
    """The invitation and assessment a link opens, or the page saying why it no longer does."""
    state, invitation = assessments.invitation_state(session, token)
    if state == assessments.InvitationState.unknown or invitation is None:
        raise PageProblem(401, "problem.invalid_link")
    assessment = session.get(Assessment, invitation.assessment_id)
    assert assessment is not None
    if state != assessments.InvitationState.valid:
        key = (
            "problem.link_expired"
            if state == assessments.InvitationState.expired
            else "problem.link_withdrawn"
        )
        raise PageProblem(410, key, language=assessment.language)
    return invitation, assessment


@router.get("/{token}/reminders", response_class=HTMLResponse)
def reminders_page(request: Request, token: str, session: SessionDep) -> Response:
    """Where a reminder email's "no more reminders" link lands: a button, because opening a
    link (a mail scanner does) must not change anything."""
    try:
        _invitation, assessment = _opened(session, token)
    except PageProblem as problem:
        return problem_page(problem, request)
    done = campaigns.reminders_stopped(session, assessment)
    return render("stop.html", token=token, done=done, **_stop_context(session, assessment))


@router.post("/{token}/reminders", response_class=HTMLResponse)
def stop_reminders(request: Request, token: str, session: SessionDep) -> Response:
    try:
        _invitation, assessment = _opened(session, token)
        check_origin(request, assessment.language)
    except PageProblem as problem:
        return problem_page(problem, request)
    campaigns.stop_reminders(session, assessment=assessment, now=utcnow())
    session.commit()
    return render("stop.html", token=token, done=True, **_stop_context(session, assessment))


def _stop_context(session: Session, assessment: Assessment) -> dict[str, Any]:
    """Which assessment the page is about (a recruiter may be asked by several companies),
    in the respondent's language, with the draft-translation notice the form shows."""
    record = assessments.questionnaire_of(session, assessment)
    requested_by, _respondent = assessments.names_shown(session, assessment)
    language = assessment.language
    return {
        "language": language,
        "questionnaire": views.localised(record, language).title,
        "requested_by": requested_by,
        "translation_reviewed": messages.reviewed(language),
    }


@router.get("/{token}", response_class=HTMLResponse)
def open_link(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Exchange the link's token for a session cookie, then leave the token behind."""
    try:
        invitation, assessment = _opened(session, token)
    except PageProblem as problem:
        return problem_page(problem, request)
    assessments.resolve_invitation(session, token)  # records the visit
    response = render("continue.html", language=assessment.language)
    _cookie(response, settings, invitation, secrets.token_urlsafe(24))
    return response
