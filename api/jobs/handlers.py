"""What each kind of job does. A handler does its work in one transaction (all or nothing, as
in a request) and returns the result a client reads from the job; a refused input raises the
same error the API would have answered inline."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.jobs.campaigns import links_of, run_campaigns
from api.settings import Settings
from api.work import transaction
from audit.campaigns import service as campaigns
from audit.campaigns.schemas import CampaignCreate
from audit.findings.presenters import refreshed_findings
from audit.reports.data import build_report_with_figures
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from core.clock import utcnow
from core.errors import BadRequest, NotFound
from core.filestore.models import CHUNK_BYTES
from core.filestore.service import (
    StoredBlob,
    copy_to_file,
    read_chunks,
    store_bytes,
    store_stream,
)
from core.progress import Progress
from core.tenancy import Scope
from questionnaires.service import Actor
from supplychain import export
from supplychain import service as networks
from supplychain.column_mapping import parse_mapping
from supplychain.models import Network
from supplychain.uploads import read_document, read_files

NETWORK_IMPORT = "network-import"
REPORT = "report"
NETWORK_EXPORT = "network-export"
FINDINGS_REFRESH = "findings-refresh"
CAMPAIGN_SEND = "campaign-send"
CAMPAIGN_CREATE = "campaign-create"
API = "/api/v1"
REPORT_MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class JobContext:
    job_id: int
    engine: Engine
    settings: Settings
    organisation_id: int
    network_id: int | None
    params: dict[str, Any]
    progress: Progress


Handler = Callable[[JobContext], dict[str, Any]]


def _network(session: Session, context: JobContext) -> Network:
    network = session.get(Network, context.network_id) if context.network_id else None
    if network is None or network.organisation_id != context.organisation_id:
        raise NotFound(f"Network {context.network_id} was not found (deleted after the job began?)")
    return network


def _file_bytes(session: Session, stored: dict[str, Any]) -> bytes:
    return b"".join(read_chunks(session, str(stored["sha256"])))


@contextmanager
def _spooled(session: Session, stored: dict[str, Any]) -> Iterator[IO[bytes]]:
    """The stored upload in a temporary file (in memory up to one chunk, on disk past it), so
    that a CSV is parsed as a stream and never held whole."""
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as spool:
        copy_to_file(session, str(stored["sha256"]), spool)  # type: ignore[arg-type]
        spool.seek(0)
        yield spool


def network_import(context: JobContext) -> dict[str, Any]:
    params = context.params
    context.progress("reading", 0, None)
    stored_mapping = params.get("mapping")  # resolved when the job was submitted
    mapping = parse_mapping(stored_mapping) if stored_mapping else None
    with transaction(context.engine, context.progress) as session:
        network = _network(session, context)
        uploads: dict[str, dict[str, Any]] = params["files"]
        if params["payload"] == "json":
            data = _file_bytes(session, uploads["document"])
            try:
                document = json.loads(data)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise BadRequest(f"The request body is not valid JSON: {exc}") from exc
            del data
            raw, problems = read_document(document, mapping=mapping)
        else:
            with ExitStack() as spools:
                files: dict[str, tuple[str, bytes | IO[bytes]]] = {
                    field: (
                        str(stored["filename"]),
                        spools.enter_context(_spooled(session, stored)),
                    )
                    for field, stored in uploads.items()
                }
                raw, problems = read_files(files, mapping=mapping, progress=context.progress)
        result = networks.import_network(
            session,
            network=network,
            raw=raw,
            mode=params["mode"],
            dry_run=bool(params["dry_run"]),
            problems=problems,
            progress=context.progress,
        )
        context.progress("saving", 0, None)
    network_id = network.id
    return {
        "import": result.model_dump(mode="json"),
        "links": {
            "network": f"{API}/networks/{network_id}",
            "scores": f"{API}/networks/{network_id}/scores",
            "findings": f"{API}/networks/{network_id}/findings",
        },
    }


def report(context: JobContext) -> dict[str, Any]:
    format_ = str(context.params.get("format", "pdf"))
    now: datetime = utcnow()
    with transaction(context.engine) as session:
        network = _network(session, context)
        bundle = build_report_with_figures(session, network, now, progress=context.progress)
        if format_ == "pdf":
            body = render_pdf(bundle.report, bundle.figures, progress=context.progress)
        else:
            body = render_html(bundle.report, bundle.figures).encode()
        stored = store_bytes(session, body)
        filename = f"fairpath-report-network-{network.id}-{now.date().isoformat()}.{format_}"
    return _file_result(context, stored, filename, REPORT_MEDIA[format_])


def network_export(context: JobContext) -> dict[str, Any]:
    format_ = str(context.params.get("format", "json"))
    with transaction(context.engine) as session:
        network = _network(session, context)
        context.progress("reading the network", 0, None)
        state = networks.load_state(session, network.id or 0)
        context.progress("writing the file", 0, None)
        media, extension = export.EXPORT_FORMATS[format_]
        if format_ == "json":
            stored = store_stream(session, export.stream_json(network, state))
        else:
            content, media, extension = export.render(network, state, format_)
            stored = store_bytes(session, content)
        filename = f"network-{network.id}-v{network.version}.{extension}"
    return _file_result(context, stored, filename, media)


def _file_result(
    context: JobContext, stored: StoredBlob, filename: str, media_type: str
) -> dict[str, Any]:
    """A job that made a file: what it is, and where ``GET /jobs/{id}/result`` sends it."""
    return {
        "file": {
            "sha256": stored.sha256,
            "size": stored.size,
            "filename": filename,
            "media_type": media_type,
        },
        "links": {"download": f"{API}/jobs/{context.job_id}/result"},
    }


def findings_refresh(context: JobContext) -> dict[str, Any]:
    with transaction(context.engine) as session:
        network = _network(session, context)
        context.progress("refreshing findings", 0, 1)
        read = refreshed_findings(session, network, utcnow())
        context.progress("refreshing findings", 1, 1)
    return {
        "findings": read.model_dump(mode="json"),
        "links": {"findings": f"{API}/networks/{network.id}/findings"},
    }


def campaign_send(context: JobContext) -> dict[str, Any]:
    """The campaign's owed emails now, rather than at the next periodic run."""
    context.progress("sending emails", 0, None)
    campaign_id = int(context.params["campaign_id"])
    outcome = run_campaigns(context.engine, context.settings, campaign_id=campaign_id)
    network = context.network_id
    return {
        "campaign": {"id": campaign_id, "sending": outcome},
        "links": {"campaign": f"{API}/networks/{network}/campaigns/{campaign_id}"},
    }


def campaign_create(context: JobContext) -> dict[str, Any]:
    """A campaign too large to write in the request: checked again (the network may have
    changed since it was queued), written in one transaction, then its invitations sent."""
    params = context.params
    data = CampaignCreate.model_validate(params["campaign"])
    now = utcnow()
    with transaction(context.engine, context.progress) as session:
        network = _network(session, context)
        context.progress("choosing the nodes", 0, None)
        campaign = campaigns.create_campaign(
            session,
            scope=Scope.everything(),
            network=network,
            data=data,
            actor=Actor.user(params.get("user_id"), str(params.get("role", "analyst"))),
            links=links_of(context.settings),
            today=now.date(),
            invitation_days=context.settings.invitation_days,
            progress=context.progress,
        )
        campaign_id = campaign.id or 0
    sent: dict[str, Any] | None = None
    if context.settings.smtp() is not None:
        context.progress("sending the invitations", 0, None)
        sent = run_campaigns(context.engine, context.settings, campaign_id=campaign_id)
    return {
        "campaign": {"id": campaign_id, "sending": sent},
        "links": {"campaign": f"{API}/networks/{network.id}/campaigns/{campaign_id}"},
    }


HANDLERS: dict[str, Handler] = {
    CAMPAIGN_CREATE: campaign_create,
    CAMPAIGN_SEND: campaign_send,
    FINDINGS_REFRESH: findings_refresh,
    NETWORK_IMPORT: network_import,
    REPORT: report,
    NETWORK_EXPORT: network_export,
}
