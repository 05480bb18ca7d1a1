"""Assemble response schemas from stored rows (shared by the API and the web pages)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from sqlmodel import Session

from questionnaires import service
from questionnaires.definition import Questionnaire, localise
from questionnaires.library import library_translations
from questionnaires.models import Assessment, EvidenceFile, Invitation, QuestionnaireRecord
from questionnaires.schemas import (
    AnswersSaved,
    AssessmentRead,
    EvidenceRead,
    InvitationCreated,
    InvitationRead,
    NodeRef,
    Progress,
    QuestionnaireRead,
    QuestionnaireRef,
    QuestionnaireSummary,
    RespondentView,
)
from supplychain.models import Node


def questionnaire_summary(record: QuestionnaireRecord) -> QuestionnaireSummary:
    document = service.parsed(record)
    return QuestionnaireSummary(
        id=record.id or 0,
        key=record.key,
        version=record.version,
        title=record.title,
        organisation_id=record.organisation_id,
        applies_to=document.applies_to.model_dump(mode="json", exclude_none=True),
        sections=len(document.sections),
        questions=len(document.questions()),
        languages=service.languages(record),
        content_hash=record.content_hash,
        created_at=record.created_at,
    )


def localised(record: QuestionnaireRecord, language: str | None) -> Questionnaire:
    """The questionnaire in the requested language (English when there is no translation)."""
    document = service.parsed(record)
    if language and language != document.language and record.organisation_id is None:
        translation = library_translations(record.key, record.version).get(language)
        if translation is not None:
            document = localise(document, translation)
    return document


def localised_document(record: QuestionnaireRecord, language: str | None) -> dict:
    """The document in the requested language, as stored (for the JSON API)."""
    return service.stored_document(localised(record, language))


# What decides a score, kept from respondents so that they cannot answer to the scale: option
# points and red flags, question weights, scoring bands and rules, and the principles each
# question evidences. Analysts read the full document through /questionnaires.
_SCORING_KEYS = {
    "questionnaire": ("red_flags",),
    "question": ("weight", "multi_scoring", "bands", "evidences", "data_key"),
    "option": ("points", "red_flag"),
}


def respondent_document(document: dict[str, Any]) -> dict[str, Any]:
    """The questionnaire as a respondent needs it to answer: questions, options, limits and
    conditions, without anything that tells how an answer scores."""
    public = {k: v for k, v in document.items() if k not in _SCORING_KEYS["questionnaire"]}
    public["sections"] = [
        {
            **section,
            "questions": [_respondent_question(q) for q in section.get("questions", [])],
        }
        for section in document.get("sections", [])
    ]
    return public


def _respondent_question(question: dict[str, Any]) -> dict[str, Any]:
    public = {k: v for k, v in question.items() if k not in _SCORING_KEYS["question"]}
    if question.get("options") is not None:
        public["options"] = [
            {k: v for k, v in option.items() if k not in _SCORING_KEYS["option"]}
            for option in question["options"]
        ]
    return public


def questionnaire_read(
    record: QuestionnaireRecord, language: str | None = None
) -> QuestionnaireRead:
    return QuestionnaireRead(
        **questionnaire_summary(record).model_dump(),
        document=localised_document(record, language),
    )


def progress_of(session: Session, assessment: Assessment) -> Progress:
    answered, required, missing = service.progress(session, assessment)
    return Progress(answered=answered, required=required, missing_required=missing)


def assessment_read(
    session: Session, assessment: Assessment, today: date | None = None
) -> AssessmentRead:
    node = session.get(Node, assessment.node_id)
    record = service.questionnaire_of(session, assessment)
    assert node is not None
    return AssessmentRead(
        id=assessment.id or 0,
        network_id=assessment.network_id,
        node=NodeRef(
            id=node.id or 0,
            external_id=node.external_id,
            name=node.name,
            kind=node.kind,
            role=node.role.value if node.role else None,
        ),
        questionnaire=QuestionnaireRef(
            id=record.id or 0, key=record.key, version=record.version, title=record.title
        ),
        status=assessment.status,
        due_date=assessment.due_date,
        overdue=service.is_overdue(assessment, today),
        language=assessment.language,
        answers=assessment.answers,
        review_comment=assessment.review_comment,
        question_comments=assessment.question_comments,
        progress=progress_of(session, assessment),
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
        reviewed_at=assessment.reviewed_at,
    )


def invitation_read(invitation: Invitation) -> InvitationRead:
    return InvitationRead.model_validate(invitation, from_attributes=True)


def invitation_created(invitation: Invitation, secret: str, base_url: str) -> InvitationCreated:
    return InvitationCreated(
        **invitation_read(invitation).model_dump(),
        token=secret,
        api_hint=f"Authorization: Bearer {secret} on {base_url.rstrip('/')}/api/v1/respond/...",
        url=f"{base_url.rstrip('/')}/respond/{secret}",
    )


def evidence_read(evidence: EvidenceFile) -> EvidenceRead:
    return EvidenceRead.model_validate(evidence, from_attributes=True)


_respondent_documents: dict[tuple[int, str, str], dict[str, Any]] = {}
_respondent_documents_lock = threading.Lock()
_KEEP_DOCUMENTS = 128  # versions x languages in use; each is tens of kilobytes


def respondent_questionnaire(record: QuestionnaireRecord, language: str) -> dict[str, Any]:
    """The respondent's document of a version in a language, built once per process: a
    published version never changes, and rebuilding it took a third of every autosave. The
    dict is shared, so it is only ever serialised, never changed."""
    key = (record.id or 0, record.content_hash, language)
    with _respondent_documents_lock:
        cached = _respondent_documents.get(key)
    if cached is None:
        cached = respondent_document(localised_document(record, language))
        with _respondent_documents_lock:
            _respondent_documents[key] = cached
            while len(_respondent_documents) > _KEEP_DOCUMENTS:  # the oldest go first
                del _respondent_documents[next(iter(_respondent_documents))]
    return cached


def answers_saved(session: Session, assessment: Assessment) -> AnswersSaved:
    return AnswersSaved(
        assessment_id=assessment.id or 0,
        status=assessment.status,
        answers=assessment.answers,
        progress=progress_of(session, assessment),
        updated_at=assessment.updated_at,
    )


def respondent_view(
    session: Session, assessment: Assessment, language: str | None = None
) -> RespondentView:
    record = service.questionnaire_of(session, assessment)
    requested_by, respondent = service.names_shown(session, assessment)
    chosen = language or assessment.language
    return RespondentView(
        assessment_id=assessment.id or 0,
        requested_by=requested_by,
        respondent=respondent,
        status=assessment.status,
        due_date=assessment.due_date,
        language=chosen,
        languages=service.languages(record),
        questionnaire=respondent_questionnaire(record, chosen),
        answers=assessment.answers,
        review_comment=assessment.review_comment,
        question_comments=assessment.question_comments,
        progress=progress_of(session, assessment),
        evidence=[evidence_read(e) for e in service.list_evidence(session, assessment=assessment)],
    )
