"""Receiving an import to run as a job: the upload is streamed into the shared file store (a
chunk at a time, never whole in memory) in the same commit as the job that will read it, so
whichever worker takes the job finds the file."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.import_form import (
    either,
    form_mapping,
    form_uploads,
    import_mapping,
    unsupported_media_type,
    upload_name,
)
from api.jobs.handlers import NETWORK_IMPORT
from api.jobs.submit import queue_of, submit
from api.settings import Settings
from core.filestore.models import CHUNK_BYTES
from core.filestore.service import chunks_of, store_stream
from core.jobs.models import Job
from supplychain.formats import check_upload_fields
from supplychain.models import Network


async def submit_import(
    request: Request,
    session: Session,
    *,
    network: Network,
    principal_user_id: int | None,
    mode: str,
    dry_run: bool,
    mapping: tuple[str | None, str | None] = (None, None),
) -> Job:
    """Store the upload and queue its import. ``mapping`` is the query's ``mapping`` and
    ``mapping_name``; the form may carry them instead. The mapping is resolved now and sent
    with the job, so a saved mapping changed while the job waits does not change the job."""
    queue = queue_of(request)
    settings: Settings = request.app.state.settings
    content_type = request.headers.get("content-type", "").lower()
    form_fields: tuple[str | None, str | None] = (None, None)
    if content_type.startswith("application/json"):
        with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as spool:
            async for chunk in request.stream():
                spool.write(chunk)
            spool.seek(0)
            stored = await run_in_threadpool(_store, session, spool, "body.json", settings)
        files, payload = {"document": stored}, "json"
    elif content_type.startswith("multipart/form-data"):
        files, form_fields = await _store_form(request, session, settings)
        payload = "files"
    else:
        raise unsupported_media_type()
    column_mapping = await run_in_threadpool(
        import_mapping,
        session,
        organisation_id=network.organisation_id,
        text=either(mapping[0], form_fields[0], "mapping"),
        name=either(mapping[1], form_fields[1], "mapping_name"),
    )
    params = {
        "mode": mode,
        "dry_run": dry_run,
        "payload": payload,
        "files": files,
        "mapping": column_mapping.document() if column_mapping else None,
    }
    return await run_in_threadpool(
        submit,
        session,
        queue,
        organisation_id=network.organisation_id,
        kind=NETWORK_IMPORT,
        params=params,
        network_id=network.id,
        created_by=principal_user_id,
    )


async def _store_form(
    request: Request, session: Session, settings: Settings
) -> tuple[dict[str, dict[str, Any]], tuple[str | None, str | None]]:
    form = await request.form(max_files=5, max_fields=20)  # files spool to disk past 1 MB
    try:
        present = form_uploads(form)
        check_upload_fields(present)  # now, not when the job reads them
        fields = form_mapping(form)
        stored: dict[str, dict[str, Any]] = {}
        for name, upload in present.items():
            filename = upload_name(name, upload)
            stored[name] = await run_in_threadpool(_store, session, upload.file, filename, settings)
        return stored, fields
    finally:
        await form.close()


def _store(
    session: Session, source: IO[bytes], filename: str, settings: Settings
) -> dict[str, Any]:
    blob = store_stream(
        session, chunks_of(source), max_bytes=settings.max_request_bytes, what=filename
    )
    return {"filename": filename[:200], "sha256": blob.sha256, "size": blob.size}
