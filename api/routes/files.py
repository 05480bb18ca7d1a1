"""Sending stored evidence files back safely."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.responses import FileResponse

from questionnaires.evidence import storage_path
from questionnaires.models import EvidenceFile
from supplychain.errors import NotFound


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
