"""What an import request may carry, checked the same way whether the import then runs in the
request or as a job: JSON, or a multipart form of `nodes`/`edges` CSV files or one `file`, and
the column mapping to read them with (`mapping` or `mapping_name`, in the form or the query)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from core.errors import BadRequest, UnsupportedMediaType
from supplychain import service as networks
from supplychain.column_mapping import ColumnMapping, parse_mapping_text
from supplychain.formats import UPLOAD_FIELDS

MEDIA_TYPES = "Send multipart/form-data (nodes/edges CSV or one file) or application/json"


def unsupported_media_type() -> UnsupportedMediaType:
    return UnsupportedMediaType(MEDIA_TYPES)


MAPPING_FIELDS = ("mapping", "mapping_name")


def form_uploads(form: FormData) -> dict[str, UploadFile]:
    """The form's files by field; any field but those an import knows is refused."""
    unexpected = sorted(set(form.keys()) - set(UPLOAD_FIELDS) - set(MAPPING_FIELDS))
    if unexpected:
        raise BadRequest(f"Unexpected form fields: {', '.join(unexpected)}")
    for name in MAPPING_FIELDS:
        if isinstance(form.get(name), UploadFile):
            raise BadRequest(f"'{name}' is a text field, not a file")
    uploads = {name: form.get(name) for name in UPLOAD_FIELDS}
    return {name: upload for name, upload in uploads.items() if isinstance(upload, UploadFile)}


def upload_name(field: str, upload: UploadFile) -> str:
    return upload.filename or f"{field}.csv"


def form_mapping(form: FormData) -> tuple[str | None, str | None]:
    """The form's ``mapping`` (JSON text) and ``mapping_name`` fields, if sent."""
    values = [form.get(name) for name in MAPPING_FIELDS]
    text, name = (value if isinstance(value, str) and value.strip() else None for value in values)
    return text, name


def import_mapping(
    session: Session,
    *,
    organisation_id: int,
    text: str | None = None,
    name: str | None = None,
) -> ColumnMapping | None:
    """The column mapping an import asks for: given as JSON (``mapping``), or saved by the
    network's organisation (``mapping_name``); one or the other, checked before any file."""
    if text is not None and name is not None:
        raise BadRequest("send either 'mapping' or 'mapping_name', not both")
    if text is not None:
        return parse_mapping_text(text, field="mapping")
    if name is not None:
        return networks.saved_column_mapping(session, organisation_id=organisation_id, name=name)
    return None


def either(query: str | None, form: str | None, field: str) -> str | None:
    """A mapping field sent in the query or in the form, refused if sent in both."""
    if query is not None and form is not None:
        raise BadRequest(f"send '{field}' once: in the query or in the form, not both")
    return query if query is not None else form
