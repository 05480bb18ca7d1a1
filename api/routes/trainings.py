"""CREST pillar 1 trainings of a network: record, list, change, remove, import attendance
sheets, attach evidence files, and the coverage of suppliers and recruiters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from api.deps import (
    ClockDep,
    NetworkDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    WritableNetworkDep,
)
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.files import UPLOAD_RESPONSES, stored_file_response, upload_chunks
from api.openapi import EVIDENCE_DOWNLOAD
from api.pagination import PageDep
from api.settings import Settings
from audit.training import imports
from audit.training import presenters as views
from audit.training import service as trainings
from audit.training.schemas import (
    CoverageRead,
    TopicRead,
    TrainingCreate,
    TrainingEvidenceRead,
    TrainingImportRead,
    TrainingPage,
    TrainingRead,
    TrainingUpdate,
)
from audit.training.topics import training_topics
from core.errors import InvalidInput, PayloadTooLarge
from core.schemas import IdParam

router = APIRouter(responses={**AUTH_RESPONSES, **NOT_FOUND})
NETWORK = "/networks/{network_id}"
ValidityQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=120,
        description="Months a training counts as current; default the server's setting "
        "(FAIRPATH_TRAINING_VALIDITY_MONTHS, 24)",
    ),
]


def _validity(settings: Settings, override: int | None = None) -> int:
    return override or settings.training_validity_months


@router.get(
    "/training-topics",
    response_model=list[TopicRead],
    tags=["trainings"],
    operation_id="training-topics",
)
def list_topics(principal: PrincipalDep) -> list[TopicRead]:
    """The curated topics a training may cover, each with the standards it teaches."""
    return views.topics_read()


@router.post(
    f"{NETWORK}/trainings",
    response_model=TrainingRead,
    status_code=status.HTTP_201_CREATED,
    tags=["trainings"],
    operation_id="trainings-create",
    responses={**CONFLICT, **INVALID},
)
def create_training(
    data: TrainingCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    now: ClockDep,
) -> TrainingRead:
    """Record a training of one node's staff. A current training completes the node's open
    training actions in the remediation plan (listed in `closed_actions`)."""
    validity = _validity(settings)
    training, closed = trainings.record_training(
        session,
        network=network,
        data=data,
        today=now.date(),
        validity_months=validity,
        role=principal.role.value,
        user_id=principal.user.id,
    )
    return views.training_read(session, training, now.date(), validity, closed)


@router.get(
    f"{NETWORK}/trainings",
    response_model=TrainingPage,
    tags=["trainings"],
    operation_id="trainings-list",
)
def list_trainings(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    settings: SettingsDep,
    now: ClockDep,
    node_id: IdParam | None = None,
    topic: Annotated[str | None, Query(max_length=64)] = None,
    current: bool | None = None,
    validity_months: ValidityQuery = None,
) -> TrainingPage:
    """Trainings, newest first; filtered by node, topic and whether current today."""
    if topic is not None and topic not in training_topics().ids():
        raise InvalidInput(
            f"Unknown topic {topic!r}",
            errors=[{"in": "query", "field": "topic", "message": "not a training topic"}],
        )
    validity = _validity(settings, validity_months)
    rows, total = trainings.list_trainings(
        session,
        network=network,
        filters=trainings.TrainingFilters(node_id=node_id, topic=topic, current=current),
        today=now.date(),
        validity_months=validity,
        limit=page.limit,
        offset=page.offset,
    )
    return views.trainings_page(session, rows, total, now.date(), validity, page.limit, page.offset)


@router.post(
    f"{NETWORK}/trainings/import",
    response_model=TrainingImportRead,
    tags=["trainings"],
    operation_id="trainings-import",
    responses={**INVALID, 415: {"description": "Unsupported file type"}},
)
def import_trainings(
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    now: ClockDep,
    file: Annotated[UploadFile, File(description="An attendance sheet, CSV or XLSX")],
    dry_run: Annotated[bool, Query(description="Check every row, write nothing.")] = False,
) -> TrainingImportRead:
    """Import trainings from an attendance sheet; all or nothing. Columns: node (external id),
    date (YYYY-MM-DD), provider, topics (ids separated by `;`), participants, and optionally
    audience (roles separated by `;`), language, notes. Any problem refuses the whole file
    with one 422 naming every row and column."""
    limit = settings.max_evidence_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The attendance sheet is larger than {limit:,} bytes")
    return imports.import_trainings(
        session,
        network=network,
        filename=file.filename or "",
        data=data,
        today=now.date(),
        validity_months=_validity(settings),
        dry_run=dry_run,
        role=principal.role.value,
        user_id=principal.user.id,
    )


@router.get(
    f"{NETWORK}/trainings/{{training_id}}",
    response_model=TrainingRead,
    tags=["trainings"],
    operation_id="trainings-get",
)
def get_training(
    training_id: IdParam,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    now: ClockDep,
) -> TrainingRead:
    training = trainings.get_training(session, network=network, training_id=training_id)
    return views.training_read(session, training, now.date(), _validity(settings))


@router.patch(
    f"{NETWORK}/trainings/{{training_id}}",
    response_model=TrainingRead,
    tags=["trainings"],
    operation_id="trainings-update",
    responses={**CONFLICT, **INVALID},
)
def update_training(
    training_id: IdParam,
    data: TrainingUpdate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    now: ClockDep,
) -> TrainingRead:
    validity = _validity(settings)
    training = trainings.get_training(session, network=network, training_id=training_id)
    closed = trainings.update_training(
        session,
        network=network,
        training=training,
        changes=data.model_dump(exclude_unset=True),
        today=now.date(),
        validity_months=validity,
        role=principal.role.value,
        user_id=principal.user.id,
    )
    return views.training_read(session, training, now.date(), validity, closed)


@router.delete(
    f"{NETWORK}/trainings/{{training_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["trainings"],
    operation_id="trainings-delete",
)
def delete_training(training_id: IdParam, session: SessionDep, network: WritableNetworkDep) -> None:
    """Remove a training recorded by mistake; plan actions it completed stay completed."""
    training = trainings.get_training(session, network=network, training_id=training_id)
    trainings.delete_training(session, training=training)


@router.post(
    f"{NETWORK}/trainings/{{training_id}}/evidence",
    response_model=TrainingEvidenceRead,
    status_code=status.HTTP_201_CREATED,
    tags=["trainings"],
    operation_id="trainings-evidence-upload",
    responses={**INVALID, **UPLOAD_RESPONSES},
)
def upload_training_evidence(
    training_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="Attendance sheet, materials (PDF, image)")],
) -> TrainingEvidenceRead:
    training = trainings.get_training(session, network=network, training_id=training_id)
    evidence = trainings.add_evidence(
        session,
        training=training,
        filename=file.filename or "",
        chunks=upload_chunks(file),
        max_bytes=settings.max_evidence_bytes,
        user_id=principal.user.id,
    )
    return TrainingEvidenceRead.model_validate(evidence)


@router.get(
    f"{NETWORK}/trainings/{{training_id}}/evidence/{{evidence_id}}",
    tags=["trainings"],
    operation_id="trainings-evidence-download",
    response_class=FileResponse,
    responses=EVIDENCE_DOWNLOAD,
)
def download_training_evidence(
    training_id: IdParam,
    evidence_id: IdParam,
    request: Request,
    session: SessionDep,
    network: NetworkDep,
) -> Response:
    training = trainings.get_training(session, network=network, training_id=training_id)
    evidence = trainings.get_evidence(session, training=training, evidence_id=evidence_id)
    return stored_file_response(
        request, evidence.sha256, evidence.filename, evidence.media_type, session=session
    )


@router.get(
    f"{NETWORK}/training-coverage",
    response_model=CoverageRead,
    tags=["trainings"],
    operation_id="trainings-coverage",
)
def training_coverage(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    settings: SettingsDep,
    now: ClockDep,
    validity_months: ValidityQuery = None,
    required_only: Annotated[
        bool, Query(description="Only suppliers with migrant workers and recruiters")
    ] = False,
) -> CoverageRead:
    """Per company, supplier and recruiter node: its latest training and whether it is current;
    and the share of suppliers with migrant workers, and of recruiters, with current training.
    The nodes come a page at a time, by id (``limit``, ``offset``; ``total`` counts them all)."""
    today, validity = now.date(), _validity(settings, validity_months)
    summary = trainings.coverage_summary(
        session, network=network, today=today, validity_months=validity
    )
    lines = trainings.coverage_page(
        session,
        network=network,
        today=today,
        validity_months=validity,
        order=trainings.CoverageOrder.by_id,
        required_only=required_only,
        limit=page.limit,
        offset=page.offset,
    )
    return views.coverage_read(
        summary, lines, required_only=required_only, limit=page.limit, offset=page.offset
    )
