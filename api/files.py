"""Receiving evidence uploads and sending stored files back safely."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import FileResponse
from sqlmodel import Session

from api.settings import Settings
from core.errors import NotFound
from core.storage import storage_path
from questionnaires import service as assessments
from questionnaires.models import Assessment, EvidenceFile


def stored_file_response(
    sha256: str, filename: str, media_type: str, data_dir: Path
) -> FileResponse:
    """Always a download with the detected type, never rendered inline by the browser."""
    path = storage_path(data_dir, sha256)
    if not path.exists():
        raise NotFound(f"The file {filename!r} is missing from storage")
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def evidence_response(evidence: EvidenceFile, data_dir: Path) -> FileResponse:
    return stored_file_response(evidence.sha256, evidence.filename, evidence.media_type, data_dir)


# Shared by the staff and the respondent upload endpoints; the size cap is read before the file
# is, so an oversized upload never fills memory.
UPLOAD_RESPONSES: dict[int | str, dict[str, str]] = {
    413: {"description": "File too large"},
    415: {"description": "File type not accepted"},
}


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
        data=file.file.read(settings.max_evidence_bytes + 1),
        data_dir=settings.data_dir,
        max_bytes=settings.max_evidence_bytes,
        actor=actor,
    )
