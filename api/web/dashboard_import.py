"""Importing a network from the dashboard: the API's import, behind a form.

The form sends what the API's multipart import takes (``nodes``/``edges`` CSV files, or one
``file``), read by the same functions (``api.import_form``, ``supplychain.formats``) and written
by the same service, so a file refused here is refused there with the same list of problems
(file, row, column), and a refused import writes nothing. Files over the server's inline limit
become an import job, as they do through the API, and the page sends the user to the jobs list.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep, SettingsDep
from api.import_form import upload_name
from api.jobs.handlers import NETWORK_IMPORT
from api.jobs.submit import queue_of, submit
from api.settings import Settings
from api.web.dashboard_session import (
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    writer,
)
from core.errors import InvalidInput
from core.filestore.service import chunks_of, store_stream
from supplychain import formats
from supplychain import service as networks
from supplychain.column_mapping import ColumnMapping
from supplychain.models import Network
from supplychain.schemas import ImportMode, ImportResult
from supplychain.uploads import read_files

router = APIRouter(include_in_schema=False)
READ_ONLY = "Viewers cannot import networks; ask an analyst or an admin."
MODES: tuple[ImportMode, ...] = ("upsert", "replace")


def _uploads(fields: dict[str, UploadFile | None]) -> dict[str, UploadFile]:
    """The files sent, checked as the API checks them (``check_upload_fields``: one file or the
    CSV pair); a file input left blank, which a browser sends without a name, is no file."""
    present = {name: u for name, u in fields.items() if u is not None and u.filename}
    formats.check_upload_fields(present)
    return present


def mapping_names(session: Session, network: Network) -> list[str]:
    """The column mappings the network's organisation has saved, for the form's choice."""
    saved = networks.list_import_mappings(session, organisation_id=network.organisation_id)
    return [row.name for row in saved]


def _mode(raw: object) -> ImportMode:
    for mode in MODES:
        if raw == mode:
            return mode
    raise PageError(400, f"The mode must be one of {', '.join(MODES)}, not {raw!r}.")


def _size(upload: UploadFile) -> int:
    if upload.size is not None:
        return upload.size
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


def _as_job(
    request: Request,
    session: Session,
    settings: Settings,
    network: Network,
    user_id: int | None,
    uploads: dict[str, UploadFile],
    mode: ImportMode,
    dry_run: bool,
    mapping: ColumnMapping | None,
) -> None:
    """Store the files and queue the import, as ``api.jobs.imports`` does for the API (the
    saved mapping copied into the job, so changing it later does not change a queued job)."""
    stored: dict[str, dict[str, Any]] = {}
    for name, upload in uploads.items():
        filename = upload_name(name, upload)
        upload.file.seek(0)
        blob = store_stream(
            session, chunks_of(upload.file), max_bytes=settings.max_request_bytes, what=filename
        )
        stored[name] = {"filename": filename[:200], "sha256": blob.sha256, "size": blob.size}
    submit(
        session,
        queue_of(request),
        organisation_id=network.organisation_id,
        kind=NETWORK_IMPORT,
        params={
            "mode": mode,
            "dry_run": dry_run,
            "payload": "files",
            "files": stored,
            "mapping": mapping.document() if mapping else None,
        },
        network_id=network.id,
        created_by=user_id,
    )


def _inline(
    session: Session,
    network: Network,
    uploads: dict[str, UploadFile],
    mode: ImportMode,
    dry_run: bool,
    mapping: ColumnMapping | None,
) -> ImportResult:
    files = {name: (upload_name(name, u), u.file.read()) for name, u in uploads.items()}
    raw, problems = read_files(files, mapping=mapping)  # the API's reader: mapping, OS Hub lists
    return networks.import_network(
        session, network=network, raw=raw, mode=mode, dry_run=dry_run, problems=problems
    )


@router.post("/dashboard/networks/{network_id}/import", response_class=HTMLResponse)
@guarded
def import_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    mode: Annotated[str, Form(max_length=20)] = "upsert",
    dry_run: Annotated[str, Form(max_length=10)] = "",
    nodes: Annotated[UploadFile | None, File()] = None,
    edges: Annotated[UploadFile | None, File()] = None,
    file: Annotated[UploadFile | None, File()] = None,
    mapping_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    chosen = _mode(mode)
    trial = dry_run == "yes"
    uploads = _uploads({"nodes": nodes, "edges": edges, "file": file})
    context = base_context(
        principal,
        csrf,
        network=network,
        tab="overview",
        mode=chosen,
        mappings=mapping_names(session, network),
        mapping_name=mapping_name,
    )
    try:
        mapping = (
            networks.saved_column_mapping(
                session, organisation_id=network.organisation_id, name=mapping_name
            )
            if mapping_name
            else None
        )
        if sum(_size(u) for u in uploads.values()) > settings.inline_import_bytes:
            user_id = principal.user.id
            _as_job(request, session, settings, network, user_id, uploads, chosen, trial, mapping)
            return RedirectResponse("/dashboard/jobs?queued=import", status_code=303)
        result = _inline(session, network, uploads, chosen, trial, mapping)
    except InvalidInput as refused:
        session.rollback()  # nothing of a refused import is kept
        return page(
            "import.html",
            422,
            **context,
            result=None,
            message=refused.detail,
            problems=refused.errors,
            dry_run=trial,
        )
    return page(
        "import.html", 200, **context, result=result, message="", problems=[], dry_run=trial
    )
