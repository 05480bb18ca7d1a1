"""Receiving evidence uploads and sending stored files back safely."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from fastapi import Request, UploadFile
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.settings import Settings
from core.errors import NotFound
from core.filestore import service as filestore
from core.jobs.models import Job, JobState
from core.storage import legacy_path
from questionnaires import service as assessments
from questionnaires.models import Assessment, EvidenceFile


def stored_file_response(
    request: Request,
    sha256: str,
    filename: str,
    media_type: str,
    *,
    session: Session | None = None,
) -> Response:
    """Always a download with the detected type, never rendered inline by the browser.

    The bytes come from the database every server shares, a chunk at a time, each chunk in a
    short session of its own: the request's session is closed before the body is sent. A file
    stored before files moved into the database is still read from this server's disk.

    Pass the request's ``session`` when there is one: without it, finding the file takes a
    second connection from the pool while the request holds its own.
    """
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    headers = {
        "Content-Disposition": f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    engine: Engine = request.app.state.engine
    if session is None:
        with Session(engine) as own:
            stored = filestore.find(own, sha256)
    else:
        stored = filestore.find(session, sha256)
    if stored is not None:
        return StreamingResponse(
            filestore.stream_chunks(engine, sha256),
            media_type=media_type,
            headers={**headers, "Content-Length": str(stored.size)},
        )
    settings: Settings = request.app.state.settings
    path = legacy_path(settings.data_dir, sha256)
    if not path.is_file():
        raise NotFound(f"The file {filename!r} is missing from storage")
    return FileResponse(path, media_type=media_type, headers=headers)


def job_file_response(request: Request, job: Job, *, session: Session) -> Response | None:
    """The file a finished job produced (a report, an export); None while it has none."""
    file = (job.result or {}).get("file") if job.state == JobState.done else None
    if file is None:
        return None
    return stored_file_response(
        request,
        str(file["sha256"]),
        str(file["filename"]),
        str(file["media_type"]),
        session=session,
    )


def evidence_response(request: Request, evidence: EvidenceFile, *, session: Session) -> Response:
    return stored_file_response(
        request, evidence.sha256, evidence.filename, evidence.media_type, session=session
    )


# Shared by the staff and the respondent upload endpoints; the size cap is enforced while the
# file is read, so an oversized upload never fills memory.
UPLOAD_RESPONSES: dict[int | str, dict[str, str]] = {
    413: {"description": "File too large"},
    415: {"description": "File type not accepted"},
}


def upload_chunks(file: UploadFile) -> Iterator[bytes]:
    """An upload as a stream of chunks, read only as far as the one consuming it asks."""
    return filestore.chunks_of(file.file)


def receive_evidence(
    session: Session,
    *,
    assessment: Assessment,
    question_id: str,
    file: UploadFile,
    settings: Settings,
    actor: assessments.Actor,
) -> EvidenceFile:
    return assessments.add_evidence(
        session,
        assessment=assessment,
        question_id=question_id,
        filename=file.filename or "",
        chunks=upload_chunks(file),
        max_bytes=settings.max_evidence_bytes,
        actor=actor,
    )
