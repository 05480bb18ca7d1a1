"""HTTP endpoints for the questionnaire library and organisations' own questionnaires."""

from __future__ import annotations

import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Query, Request, status

from api.deps import PrincipalDep, SessionDep, WriterDep
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from core.errors import BadRequest, InvalidInput, UnsupportedMediaType
from core.schemas import IdParam, QueryText
from questionnaires import presenters as views
from questionnaires import service
from questionnaires.schemas import QuestionnaireRead, QuestionnaireSummary
from supplychain.vocabulary import NodeKind

router = APIRouter(prefix="/questionnaires", tags=["questionnaires"], responses=AUTH_RESPONSES)


@router.get("", response_model=list[QuestionnaireSummary], operation_id="questionnaires-list")
def list_questionnaires(
    session: SessionDep,
    principal: PrincipalDep,
    key: Annotated[
        QueryText | None, Query(max_length=200, description="Only versions of this questionnaire.")
    ] = None,
    applies_to: Annotated[NodeKind | None, Query(description="Only for this node kind.")] = None,
    latest_only: bool = False,
) -> list[QuestionnaireSummary]:
    """The shipped library and your organisation's own questionnaires, newest version first."""
    service.ensure_library(session)
    rows = service.list_questionnaires(
        session,
        scope=principal.scope,
        key=key,
        applies_to=applies_to.value if applies_to else None,
        latest_only=latest_only,
    )
    return [views.questionnaire_summary(r) for r in rows]


@router.get(
    "/{questionnaire_id}",
    response_model=QuestionnaireRead,
    operation_id="questionnaires-get",
    responses=NOT_FOUND,
)
def get_questionnaire(
    questionnaire_id: IdParam,
    session: SessionDep,
    principal: PrincipalDep,
    language: Annotated[
        QueryText | None, Query(max_length=16, description="e.g. ne, bn, th")
    ] = None,
) -> QuestionnaireRead:
    """The full document: sections, questions, options with points, tags and red flags."""
    record = service.get_questionnaire(
        session, scope=principal.scope, questionnaire_id=questionnaire_id
    )
    return views.questionnaire_read(record, language)


async def _document(request: Request) -> dict[str, Any]:
    body = await request.body()
    content_type = request.headers.get("content-type", "").lower()
    try:
        if "yaml" in content_type:
            document = yaml.safe_load(body)
        elif content_type.startswith("application/json"):
            document = json.loads(body)
        else:
            raise UnsupportedMediaType("Send the questionnaire as application/json or YAML")
    except (json.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The questionnaire could not be parsed: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidInput(
            "A questionnaire is a mapping",
            errors=[{"field": "document", "message": "expected an object at the top level"}],
        )
    return document


@router.post(
    "",
    response_model=QuestionnaireSummary,
    status_code=status.HTTP_201_CREATED,
    operation_id="questionnaires-create",
    responses={**CONFLICT, **INVALID, 415: {"description": "Not JSON or YAML"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/yaml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def create_questionnaire(
    request: Request, session: SessionDep, principal: WriterDep
) -> QuestionnaireSummary:
    """Publish your organisation's own questionnaire version (same schema as the library).

    Published versions are immutable: to change one, publish it with a higher `version`.
    """
    document = await _document(request)
    record = service.create_questionnaire(
        session, organisation_id=principal.user.organisation_id, document=document
    )
    return views.questionnaire_summary(record)
