"""Dashboard pages for assessments: the list, one assessment's answers, review and links.

A reviewer reads the answers before accepting or returning, and may leave a comment beside any
question; the respondent then sees those comments beside the questions on their form. All
changes go through ``questionnaires.service``, the same functions the JSON API calls.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import Principal, SessionDep, SettingsDep
from api.files import evidence_response
from api.jobs.campaigns import links_of
from api.web.dashboard_session import (
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    writer,
)
from api.web.pagination import Paging, pager, read_paging
from audit.campaigns import service as campaigns
from questionnaires import presenters as assessment_views
from questionnaires import service as assessments
from questionnaires import sharing
from questionnaires.answer_sheet import AttachedFile, build_sheet
from questionnaires.models import AssessmentStatus
from supplychain import service as networks
from supplychain.models import Network

router = APIRouter(include_in_schema=False)
COMMENT_LIMIT = 4000
BASE = "/dashboard/networks/{network_id}/assessments"


@router.get(BASE, response_class=HTMLResponse)
@guarded
def assessments_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    status: str | None = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    chosen = _status(status)
    return _listing(request, session, principal, csrf, network, chosen, new_link=None)


def _listing(
    request: Request,
    session: Session,
    principal: Principal,
    csrf: str,
    network: Network,
    status: AssessmentStatus | None,
    new_link: dict[str, object] | None,
) -> Response:
    """One page of the list; after a new invitation link (a post), the first page."""
    paging = read_paging(request) if new_link is None else Paging()
    rows, total = assessments.list_assessments(
        session,
        network=network,
        filters=assessments.AssessmentFilters(status=status, q=paging.q or None),
        limit=paging.limit,
        offset=paging.offset,
    )
    listed = pager(
        request,
        paging,
        total=total,
        shown=len(rows),
        path=BASE.format(network_id=network.id),
    )
    return page(
        "assessments.html",
        **base_context(
            principal,
            csrf,
            network=network,
            tab="assessments",
            total=total,
            pager=listed,
            q=paging.q,
            mapped=bool(
                networks.list_nodes(
                    session, network=network, filters=networks.NodeFilters(), limit=1, offset=0
                )[0]
            ),
            status_filter=status.value if status else "",
            statuses=[s.value for s in AssessmentStatus],
            new_link=new_link,
            rows=[assessment_views.assessment_read(session, a) for a in rows],
        ),
    )


def _status(raw: str | None) -> AssessmentStatus | None:
    if not raw:
        return None
    try:
        return AssessmentStatus(raw)
    except ValueError as exc:
        known = ", ".join(s.value for s in AssessmentStatus)
        raise PageError(422, f"{raw!r} is not an assessment status (one of {known}).") from exc


@router.get(BASE + "/{assessment_id}", response_class=HTMLResponse)
@guarded
def assessment_page(
    network_id: int,
    assessment_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    assessment = assessments.get_assessment(session, network=network, assessment_id=assessment_id)
    record = assessments.questionnaire_of(session, assessment)
    files = [
        AttachedFile(e.id or 0, e.filename, e.size)
        for e in assessments.list_evidence(session, assessment=assessment)
    ]
    sheet = build_sheet(
        assessments.parsed(record),
        assessment.answers,
        evidence=files,
        comments=assessment.question_comments,
    )
    shared = sharing.current_share(session, assessment)
    shared_sheet = None
    if shared is not None:
        view = sharing.shared_view(session, assessment)
        shared_sheet = {
            "accepted_at": view["accepted_at"],
            "consented_at": view["consented_at"],
            "accepted_by": view["accepted_by"],
            # The same questionnaire version (sharing requires it): laid out as the own answers.
            "sheet": build_sheet(
                assessments.parsed(record), view["answers"], evidence=[], comments={}
            ),
        }
    return page(
        "assessment.html",
        **base_context(
            principal,
            csrf,
            network=network,
            a=assessment_views.assessment_read(session, assessment),
            sheet=sheet,
            shared=shared_sheet,
            events=assessments.events(session, assessment=assessment),
            reviewable=assessment.status == AssessmentStatus.submitted,
        ),
    )


@router.get(BASE + "/{assessment_id}/evidence/{evidence_id}")
@guarded
def evidence_file(
    network_id: int,
    assessment_id: int,
    evidence_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    principal, _csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    assessment = assessments.get_assessment(session, network=network, assessment_id=assessment_id)
    evidence = assessments.get_evidence(session, assessment=assessment, evidence_id=evidence_id)
    return evidence_response(request, evidence, session=session)


@router.post(BASE + "/{assessment_id}/invitation", response_class=HTMLResponse)
@guarded
def reissue_page(
    network_id: int,
    assessment_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
) -> Response:
    principal = writer(request, session, settings, csrf, "Viewers cannot issue invitation links.")
    network = network_for(session, principal, network_id)
    assessment = assessments.get_assessment(session, network=network, assessment_id=assessment_id)
    invitation, secret = assessments.issue_invitation(
        session,
        assessment=assessment,
        actor=assessments.Actor.user(principal.user.id, principal.role.value),
        days=settings.invitation_days,
        secret=campaigns.renewed_secret(session, assessment, links_of(settings)),
    )
    link = assessment_views.invitation_created(
        invitation, secret, settings.invitation_base_url()
    ).url
    new_link = {"assessment": assessment_id, "url": link, "expires": invitation.expires_at}
    return _listing(request, session, principal, csrf, network, None, new_link=new_link)


@router.post(BASE + "/{assessment_id}/review")
@guarded
def review_action(
    network_id: int,
    assessment_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
    question: Annotated[list[str] | None, Form()] = None,
    question_comment: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Accept or return; ``question``/``question_comment`` pairs carry per-question comments."""
    principal = writer(request, session, settings, csrf, "Viewers cannot review assessments.")
    if decision not in ("accept", "return"):
        raise PageError(422, "Choose accept or return.")
    comments = _paired(question or [], question_comment or [])
    if len(comment) > COMMENT_LIMIT:
        raise PageError(422, f"The comment is longer than {COMMENT_LIMIT} characters.")
    network = network_for(session, principal, network_id)
    assessment = assessments.get_assessment(session, network=network, assessment_id=assessment_id)
    assessments.review(
        session,
        assessment=assessment,
        decision=decision,
        comment=comment,
        question_comments=comments,
        actor=assessments.Actor.user(principal.user.id, principal.role.value),
    )
    target = f"/dashboard/networks/{network_id}/assessments/{assessment_id}"
    return RedirectResponse(target, status_code=303)


def _paired(questions: list[str], comments: list[str]) -> dict[str, str]:
    """Per-question comments from the review form, which sends one field of each per question."""
    if len(questions) != len(comments):
        raise PageError(422, "The review form was incomplete; reload the page and retry.")
    paired: dict[str, str] = {}
    for question_id, text in zip(questions, comments, strict=True):
        if len(text) > COMMENT_LIMIT:
            raise PageError(
                422, f"The comment on {question_id} is longer than {COMMENT_LIMIT} characters."
            )
        if text.strip():
            paired[question_id] = text
    return paired
