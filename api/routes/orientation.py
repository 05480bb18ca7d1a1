"""CREST pillar 2 orientation sessions of migrant workers: record, list, change, remove, import
sheets, attach evidence files, and the coverage of each corridor and employer."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from api.deps import ClockDep, NetworkDep, PrincipalDep, SessionDep, SettingsDep, WritableNetworkDep
from api.errors import AUTH_RESPONSES, INVALID, NOT_FOUND
from api.files import UPLOAD_RESPONSES, stored_file_response, upload_chunks
from api.openapi import EVIDENCE_DOWNLOAD
from api.pagination import PageDep
from audit.orientation import imports
from audit.orientation import presenters as views
from audit.orientation import service as orientation
from audit.orientation.schemas import (
    OrientationCoverageRead,
    OrientationCreate,
    OrientationEvidenceRead,
    OrientationImportRead,
    OrientationPage,
    OrientationRead,
    OrientationUpdate,
    Stage,
)
from audit.training.schemas import TopicRead
from core.errors import InvalidInput, PayloadTooLarge
from core.schemas import IdParam

router = APIRouter(responses={**AUTH_RESPONSES, **NOT_FOUND}, tags=["orientation"])
SESSIONS = "/networks/{network_id}/orientation-sessions"
CORRIDOR = re.compile(r"^([A-Za-z]{2})-([A-Za-z]{2})$")


@router.get(
    "/orientation-topics", response_model=list[TopicRead], operation_id="orientation-topics"
)
def list_topics(principal: PrincipalDep) -> list[TopicRead]:
    """The curated topics an orientation session may cover, each with its sources."""
    return views.topics_read()


@router.post(
    SESSIONS,
    response_model=OrientationRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="orientation-create",
    responses={**INVALID},
)
def create_session(
    data: OrientationCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> OrientationRead:
    """Record one orientation session: its stage, corridor, employer (required after arrival),
    language, topics, deliverer and the number of workers reached (never their names)."""
    row = orientation.record_session(
        session, network=network, data=data, today=now.date(), user_id=principal.user.id
    )
    return views.session_read(session, row)


@router.get(SESSIONS, response_model=OrientationPage, operation_id="orientation-list")
def list_sessions(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    stage: Stage | None = None,
    corridor: Annotated[
        str | None, Query(max_length=5, description="ORIGIN-DESTINATION, e.g. NP-MY")
    ] = None,
    employer_node_id: IdParam | None = None,
) -> OrientationPage:
    """Sessions, newest first; filtered by stage, corridor and employer."""
    origin = destination = None
    if corridor is not None:
        found = CORRIDOR.match(corridor)
        if found is None:
            raise InvalidInput(
                f"The corridor {corridor!r} is not ORIGIN-DESTINATION",
                errors=[{"in": "query", "field": "corridor", "message": "expected e.g. NP-MY"}],
            )
        origin, destination = found.group(1).upper(), found.group(2).upper()
    rows, total = orientation.list_sessions(
        session,
        network=network,
        filters=orientation.OrientationFilters(
            stage=stage, origin=origin, destination=destination, employer_node_id=employer_node_id
        ),
        limit=page.limit,
        offset=page.offset,
    )
    return views.sessions_page(session, rows, total, page.limit, page.offset)


@router.post(
    f"{SESSIONS}/import",
    response_model=OrientationImportRead,
    operation_id="orientation-import",
    responses={**INVALID, 415: {"description": "Unsupported file type"}},
)
def import_sessions(
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    now: ClockDep,
    file: Annotated[UploadFile, File(description="An orientation sheet, CSV or XLSX")],
    dry_run: Annotated[bool, Query(description="Check every row, write nothing.")] = False,
) -> OrientationImportRead:
    """Import sessions from a sheet; all or nothing. Columns: stage, origin, destination, date
    (YYYY-MM-DD), language, topics (ids separated by `;`), deliverer, workers, and optionally
    employer and recruiter (external ids), info_page_shown (yes/no), notes. Any problem refuses
    the whole file with one 422 naming every row and column."""
    limit = settings.max_evidence_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The orientation sheet is larger than {limit:,} bytes")
    return imports.import_sessions(
        session,
        network=network,
        filename=file.filename or "",
        data=data,
        today=now.date(),
        dry_run=dry_run,
        user_id=principal.user.id,
    )


@router.get(
    f"{SESSIONS}/{{session_id}}", response_model=OrientationRead, operation_id="orientation-get"
)
def get_session(session_id: IdParam, session: SessionDep, network: NetworkDep) -> OrientationRead:
    row = orientation.get_session(session, network=network, session_id=session_id)
    return views.session_read(session, row)


@router.patch(
    f"{SESSIONS}/{{session_id}}",
    response_model=OrientationRead,
    operation_id="orientation-update",
    responses={**INVALID},
)
def update_session(
    session_id: IdParam,
    data: OrientationUpdate,
    session: SessionDep,
    network: WritableNetworkDep,
    now: ClockDep,
) -> OrientationRead:
    row = orientation.get_session(session, network=network, session_id=session_id)
    orientation.update_session(
        session,
        network=network,
        row=row,
        changes=data.model_dump(exclude_unset=True),
        today=now.date(),
    )
    return views.session_read(session, row)


@router.delete(
    f"{SESSIONS}/{{session_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="orientation-delete",
)
def delete_session(session_id: IdParam, session: SessionDep, network: WritableNetworkDep) -> None:
    """Remove a session recorded by mistake, with its evidence records."""
    row = orientation.get_session(session, network=network, session_id=session_id)
    orientation.delete_session(session, row=row)


@router.post(
    f"{SESSIONS}/{{session_id}}/evidence",
    response_model=OrientationEvidenceRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="orientation-evidence-upload",
    responses={**INVALID, **UPLOAD_RESPONSES},
)
def upload_evidence(
    session_id: IdParam,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="Attendance count, materials (PDF, image)")],
) -> OrientationEvidenceRead:
    row = orientation.get_session(session, network=network, session_id=session_id)
    evidence = orientation.add_evidence(
        session,
        row=row,
        filename=file.filename or "",
        chunks=upload_chunks(file),
        max_bytes=settings.max_evidence_bytes,
        user_id=principal.user.id,
    )
    return OrientationEvidenceRead.model_validate(evidence)


@router.get(
    f"{SESSIONS}/{{session_id}}/evidence/{{evidence_id}}",
    operation_id="orientation-evidence-download",
    response_class=FileResponse,
    responses=EVIDENCE_DOWNLOAD,
)
def download_evidence(
    session_id: IdParam,
    evidence_id: IdParam,
    request: Request,
    session: SessionDep,
    network: NetworkDep,
) -> Response:
    row = orientation.get_session(session, network=network, session_id=session_id)
    evidence = orientation.get_evidence(session, row=row, evidence_id=evidence_id)
    return stored_file_response(
        request, evidence.sha256, evidence.filename, evidence.media_type, session=session
    )


@router.get(
    "/networks/{network_id}/orientation-coverage",
    response_model=OrientationCoverageRead,
    operation_id="orientation-coverage",
)
def orientation_coverage(session: SessionDep, network: NetworkDep) -> OrientationCoverageRead:
    """Per corridor and per employer: workers recruited (from the network's labour edges) and
    oriented before departure and after arrival, with the share (null, "unknown", when the
    workers recruited are not known; never 0 %)."""
    return views.coverage_read(orientation.orientation_coverage(session, network=network))
