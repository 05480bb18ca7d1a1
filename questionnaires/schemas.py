"""Request and response bodies for questionnaires, assessments and the respondent API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from core.schemas import Id
from questionnaires.models import AssessmentStatus


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QuestionnaireSummary(BaseModel):
    id: int
    key: str
    version: int
    title: str
    organisation_id: int | None = Field(description="null for the shipped library")
    applies_to: dict[str, Any]
    sections: int
    questions: int
    languages: list[str]
    content_hash: str
    created_at: datetime


class QuestionnaireRead(QuestionnaireSummary):
    document: dict[str, Any]


class AssessmentCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"node_id": 12, "due_date": "2027-01-31"}]}
    )
    node_id: Id
    questionnaire_id: Id | None = Field(
        default=None,
        description="Default: the latest library questionnaire that applies to the node.",
    )
    due_date: date | None = None
    language: str = Field(default="en", max_length=16)


class Progress(BaseModel):
    answered: int
    required: int = Field(description="Required questions currently visible.")
    missing_required: list[str]


class QuestionnaireRef(BaseModel):
    id: int
    key: str
    version: int
    title: str


class NodeRef(BaseModel):
    id: int
    external_id: str
    name: str
    kind: str
    role: str | None


class AssessmentRead(BaseModel):
    id: int
    network_id: int
    node: NodeRef
    questionnaire: QuestionnaireRef
    status: AssessmentStatus
    due_date: date | None
    overdue: bool
    language: str
    answers: dict[str, Any]
    review_comment: str
    question_comments: dict[str, str]
    progress: Progress
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None


class InvitationRead(BaseModel):
    id: int
    assessment_id: int
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class InvitationCreated(InvitationRead):
    token: str = Field(description="Shown only once. Give it to the respondent.")
    api_hint: str = Field(description="How the respondent uses the token with the API.")
    url: str = Field(description="The page the respondent opens to answer.")


class InvitationCreate(Strict):
    expires_in_days: StrictInt | None = Field(default=None, ge=1, le=365)


class AssessmentCreated(AssessmentRead):
    invitation: InvitationCreated


class AnswersUpdate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answers": {
                        "FEE_02": "yes",
                        "FEE_04": 1500000,
                        "FEE_05": "mmk",
                        "FEE_06": 715,
                    }
                }
            ]
        }
    )
    answers: dict[str, Any] = Field(
        description="Question id -> answer; null clears an answer. Partial saves are fine."
    )
    language: str | None = Field(default=None, max_length=16)


class ReviewRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision": "return",
                    "comment": "Please attach the licence and explain the deductions.",
                    "question_comments": {"LIC_04": "The upload is missing."},
                }
            ]
        }
    )
    decision: Literal["accept", "return"]
    comment: str = Field(default="", max_length=4000)
    question_comments: dict[str, str] = Field(default_factory=dict)


class EventRead(BaseModel):
    id: int
    at: datetime
    actor: str
    user_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


class EvidenceRead(BaseModel):
    id: int
    assessment_id: int
    question_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class AnswersSaved(BaseModel):
    """What an autosave needs back (``Prefer: return=minimal``): the answers as stored, so the
    client sees what show_if cleared, and the progress bar; not the whole questionnaire again."""

    assessment_id: int
    status: AssessmentStatus
    answers: dict[str, Any]
    progress: Progress
    updated_at: datetime


class RespondentView(BaseModel):
    """Everything a respondent sees: their own assessment, nothing else of the network."""

    assessment_id: int
    requested_by: str = Field(description="The organisation asking for the assessment.")
    respondent: str = Field(description="The recruiter or supplier the assessment is about.")
    status: AssessmentStatus
    due_date: date | None
    language: str
    languages: list[str]
    questionnaire: dict[str, Any]
    answers: dict[str, Any]
    review_comment: str
    question_comments: dict[str, str]
    progress: Progress
    evidence: list[EvidenceRead]


class RemindersStopped(BaseModel):
    stopped: bool = Field(
        description="true when a campaign was sending reminders about this assessment; it "
        "sends none from now on"
    )


class ShareableRead(BaseModel):
    available: bool = Field(
        description="you have an assessment of this questionnaire accepted by another company"
    )
    accepted_at: datetime | None
    shared: bool = Field(description="you share it with this company now")
    consented_at: datetime | None


class SharedAnswersRead(BaseModel):
    answers: dict[str, Any]
    questionnaire_id: int
    language: str
    accepted_at: datetime
    accepted_by: str = Field(description="never names the organisation")
    consented_at: datetime
