"""Receiving an import to run as a job: the upload is streamed into the shared file store (a
chunk at a time, never whole in memory) in the same commit as the job that will read it, so
whichever worker takes the job finds the file."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.datastructures import UploadFile

from api.jobs.handlers import NETWORK_IMPORT
from api.jobs.submit import queue_of, submit
from api.settings import Settings
from core.errors import BadRequest, UnsupportedMediaType
from core.filestore.models import CHUNK_BYTES
from core.filestore.service import store_stream
from core.jobs.models import Job
from supplychain.models import Network

FIELDS = ("nodes", "edges", "file")


async def submit_import(
    request: Request,
    session: Session,
    *,
    network: Network,
    principal_user_id: int | None,
    mode: str,
    dry_run: bool,
) -> Job:
    queue = queue_of(request)
    settings: Settings = request.app.state.settings
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("application/json"):
        with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as spool:
            async for chunk in request.stream():
                spool.write(chunk)
            spool.seek(0)
            stored = await run_in_threadpool(_store, session, spool, "body.json", settings)
        files, payload = {"document": stored}, "json"
    elif content_type.startswith("multipart/form-data"):
        files, payload = await _store_form(request, session, settings), "files"
    else:
        raise UnsupportedMediaType(
            "Send multipart/form-data (nodes/edges CSV or one file) or application/json"
        )
    params = {"mode": mode, "dry_run": dry_run, "payload": payload, "files": files}
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
) -> dict[str, dict[str, Any]]:
    form = await request.form(max_files=5, max_fields=20)  # files spool to disk past 1 MB
    try:
        unexpected = sorted(set(form.keys()) - set(FIELDS))
        if unexpected:
            raise BadRequest(f"Unexpected form fields: {', '.join(unexpected)}")
        uploads = {name: form.get(name) for name in FIELDS}
        present = {
            name: upload for name, upload in uploads.items() if isinstance(upload, UploadFile)
        }
        if "file" in present and {"nodes", "edges"} & set(present):
            raise BadRequest("send either one 'file' or the 'nodes'/'edges' CSV pair, not both")
        if not present:
            raise BadRequest(
                "no network file received: upload 'nodes' and 'edges' CSV files, or one 'file' "
                "(ZIP, XLSX or JSON)"
            )
        stored: dict[str, dict[str, Any]] = {}
        for name, upload in present.items():
            filename = upload.filename or (f"{name}.csv" if name != "file" else "upload")
            stored[name] = await run_in_threadpool(_store, session, upload.file, filename, settings)
        return stored
    finally:
        await form.close()


def _store(
    session: Session, source: IO[bytes], filename: str, settings: Settings
) -> dict[str, Any]:
    blob = store_stream(
        session, _chunks(source), max_bytes=settings.max_request_bytes, what=filename
    )
    return {"filename": filename[:200], "sha256": blob.sha256, "size": blob.size}


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    return iter(lambda: source.read(CHUNK_BYTES), b"")
