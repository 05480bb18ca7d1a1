"""What an import request may carry, checked the same way whether the import then runs in the
request or as a job: JSON, or a multipart form of `nodes`/`edges` CSV files or one `file`."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from core.errors import BadRequest, UnsupportedMediaType
from supplychain.formats import UPLOAD_FIELDS

MEDIA_TYPES = "Send multipart/form-data (nodes/edges CSV or one file) or application/json"


def unsupported_media_type() -> UnsupportedMediaType:
    return UnsupportedMediaType(MEDIA_TYPES)


def form_uploads(form: FormData) -> dict[str, UploadFile]:
    """The form's files by field; any field but those an import knows is refused."""
    unexpected = sorted(set(form.keys()) - set(UPLOAD_FIELDS))
    if unexpected:
        raise BadRequest(f"Unexpected form fields: {', '.join(unexpected)}")
    uploads = {name: form.get(name) for name in UPLOAD_FIELDS}
    return {name: upload for name, upload in uploads.items() if isinstance(upload, UploadFile)}


def upload_name(field: str, upload: UploadFile) -> str:
    return upload.filename or f"{field}.csv"
