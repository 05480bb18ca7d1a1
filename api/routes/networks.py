"""HTTP endpoints for networks, nodes, edges, bulk import and export."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import (
    NetworkDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    WritableNetworkDep,
    WriterDep,
)
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.import_form import (
    either,
    form_mapping,
    form_uploads,
    import_mapping,
    unsupported_media_type,
    upload_name,
)
from api.jobs import imports
from api.jobs.handlers import NETWORK_EXPORT
from api.jobs.submit import accepted, start_network_job
from api.pagination import Page, PageDep, page_of
from api.prefer import wants_async
from core.errors import BadRequest
from core.jobs.schemas import JobRead
from core.schemas import IdParam, QueryText
from supplychain import export
from supplychain import service as networks
from supplychain.models import Edge, Network
from supplychain.schemas import (
    MAPPING_NAME_PATTERN,
    EdgeCreate,
    EdgeRead,
    EdgeUpdate,
    ExportFormat,
    ExportJobCreate,
    ImportMode,
    ImportResult,
    NetworkCreate,
    NetworkRead,
    NetworkUpdate,
    NodeCreate,
    NodeRead,
    NodeUpdate,
)
from supplychain.uploads import read_document, read_files
from supplychain.vocabulary import EdgeKind, NodeKind, RecruiterRole

router = APIRouter(prefix="/networks", responses=AUTH_RESPONSES)


def _network(network: Network) -> NetworkRead:
    return NetworkRead.model_validate(network, from_attributes=True)


# Networks ------------------------------------------------------------------------------------


@router.post(
    "",
    response_model=NetworkRead,
    status_code=status.HTTP_201_CREATED,
    tags=["networks"],
    operation_id="networks-create",
    responses={**CONFLICT, **INVALID},
)
def create_network(data: NetworkCreate, session: SessionDep, principal: WriterDep) -> NetworkRead:
    """Create an empty network; fill it with `POST /networks/{id}/import` or node/edge calls."""
    network = networks.create_network(
        session,
        scope=principal.scope,
        own_organisation_id=principal.user.organisation_id,
        data=data,
    )
    return _network(network)


@router.get("", response_model=Page[NetworkRead], tags=["networks"], operation_id="networks-list")
def list_networks(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    organisation_id: Annotated[
        IdParam | None, Query(description="Admins: one organisation.")
    ] = None,
    q: Annotated[QueryText | None, Query(max_length=200, description="Name contains.")] = None,
) -> Page[NetworkRead]:
    rows, total = networks.list_networks(
        session,
        scope=principal.scope,
        organisation_id=organisation_id,
        q=q,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of(rows, total, page, NetworkRead)


@router.get(
    "/{network_id}",
    response_model=NetworkRead,
    tags=["networks"],
    operation_id="networks-get",
    responses=NOT_FOUND,
)
def get_network(network: NetworkDep) -> NetworkRead:
    return _network(network)


@router.patch(
    "/{network_id}",
    response_model=NetworkRead,
    tags=["networks"],
    operation_id="networks-update",
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def update_network(
    data: NetworkUpdate, session: SessionDep, network: WritableNetworkDep
) -> NetworkRead:
    return _network(networks.update_network(session, network=network, data=data))


@router.delete(
    "/{network_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["networks"],
    operation_id="networks-delete",
    responses={**NOT_FOUND, **CONFLICT},
)
def delete_network(session: SessionDep, network: WritableNetworkDep) -> Response:
    """Delete a network with its nodes and edges (refused while assessments refer to it)."""
    networks.delete_network(session, network=network)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Nodes ---------------------------------------------------------------------------------------


@router.get(
    "/{network_id}/nodes",
    response_model=Page[NodeRead],
    tags=["nodes"],
    operation_id="nodes-list",
    responses=NOT_FOUND,
)
def list_nodes(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    kind: NodeKind | None = None,
    country: Annotated[QueryText | None, Query(min_length=2, max_length=2)] = None,
    sector: Annotated[QueryText | None, Query(max_length=200)] = None,
    role: RecruiterRole | None = None,
    tier: Annotated[IdParam | None, Query(description="Declared tier, from 1.")] = None,
    external_id: Annotated[QueryText | None, Query(max_length=200)] = None,
    q: Annotated[QueryText | None, Query(max_length=200, description="Name contains.")] = None,
) -> Page[NodeRead]:
    filters = networks.NodeFilters(
        kind=kind,
        country=country,
        sector=sector,
        role=role.value if role else None,
        tier=tier,
        external_id=external_id,
        q=q,
    )
    rows, total = networks.list_nodes(
        session, network=network, filters=filters, limit=page.limit, offset=page.offset
    )
    return page_of(rows, total, page, NodeRead)


@router.post(
    "/{network_id}/nodes",
    response_model=NodeRead,
    status_code=status.HTTP_201_CREATED,
    tags=["nodes"],
    operation_id="nodes-create",
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def create_node(data: NodeCreate, session: SessionDep, network: WritableNetworkDep) -> NodeRead:
    node = networks.create_node(session, network=network, data=data)
    return NodeRead.model_validate(node, from_attributes=True)


@router.get(
    "/{network_id}/nodes/{node_id}",
    response_model=NodeRead,
    tags=["nodes"],
    operation_id="nodes-get",
    responses=NOT_FOUND,
)
def get_node(node_id: IdParam, session: SessionDep, network: NetworkDep) -> NodeRead:
    node = networks.get_node(session, network=network, node_id=node_id)
    return NodeRead.model_validate(node, from_attributes=True)


@router.patch(
    "/{network_id}/nodes/{node_id}",
    response_model=NodeRead,
    tags=["nodes"],
    operation_id="nodes-update",
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def update_node(
    node_id: IdParam, data: NodeUpdate, session: SessionDep, network: WritableNetworkDep
) -> NodeRead:
    node = networks.get_node(session, network=network, node_id=node_id)
    node = networks.update_node(session, network=network, node=node, data=data)
    return NodeRead.model_validate(node, from_attributes=True)


@router.delete(
    "/{network_id}/nodes/{node_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["nodes"],
    operation_id="nodes-delete",
    responses={**NOT_FOUND, **CONFLICT},
)
def delete_node(node_id: IdParam, session: SessionDep, network: WritableNetworkDep) -> Response:
    """Delete a node and the edges that touch it."""
    node = networks.get_node(session, network=network, node_id=node_id)
    networks.delete_node(session, network=network, node=node)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Edges ---------------------------------------------------------------------------------------


def _edge_reads(session: SessionDep, edges: list[Edge]) -> list[EdgeRead]:
    ids = networks.external_ids(
        session, {e.source_id for e in edges} | {e.target_id for e in edges}
    )
    return [
        EdgeRead(
            **{k: v for k, v in e.model_dump().items() if k in EdgeRead.model_fields},
            source=ids[e.source_id],
            target=ids[e.target_id],
        )
        for e in edges
    ]


@router.get(
    "/{network_id}/edges",
    response_model=Page[EdgeRead],
    tags=["edges"],
    operation_id="edges-list",
    responses=NOT_FOUND,
)
def list_edges(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    kind: EdgeKind | None = None,
    source_id: IdParam | None = None,
    target_id: IdParam | None = None,
    origin: Annotated[QueryText | None, Query(min_length=2, max_length=2)] = None,
    destination: Annotated[QueryText | None, Query(min_length=2, max_length=2)] = None,
) -> Page[EdgeRead]:
    filters = networks.EdgeFilters(
        kind=kind,
        source_id=source_id,
        target_id=target_id,
        origin=origin,
        destination=destination,
    )
    rows, total = networks.list_edges(
        session, network=network, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page[EdgeRead](
        items=_edge_reads(session, list(rows)), total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/{network_id}/edges",
    response_model=EdgeRead,
    status_code=status.HTTP_201_CREATED,
    tags=["edges"],
    operation_id="edges-create",
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def create_edge(data: EdgeCreate, session: SessionDep, network: WritableNetworkDep) -> EdgeRead:
    """Link two nodes by their external ids; kind rules and acyclicity are enforced."""
    edge = networks.create_edge(session, network=network, data=data)
    return _edge_reads(session, [edge])[0]


@router.get(
    "/{network_id}/edges/{edge_id}",
    response_model=EdgeRead,
    tags=["edges"],
    operation_id="edges-get",
    responses=NOT_FOUND,
)
def get_edge(edge_id: IdParam, session: SessionDep, network: NetworkDep) -> EdgeRead:
    return _edge_reads(session, [networks.get_edge(session, network=network, edge_id=edge_id)])[0]


@router.patch(
    "/{network_id}/edges/{edge_id}",
    response_model=EdgeRead,
    tags=["edges"],
    operation_id="edges-update",
    responses={**NOT_FOUND, **INVALID},
)
def update_edge(
    edge_id: IdParam, data: EdgeUpdate, session: SessionDep, network: WritableNetworkDep
) -> EdgeRead:
    edge = networks.get_edge(session, network=network, edge_id=edge_id)
    edge = networks.update_edge(session, network=network, edge=edge, data=data)
    return _edge_reads(session, [edge])[0]


@router.delete(
    "/{network_id}/edges/{edge_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["edges"],
    operation_id="edges-delete",
    responses=NOT_FOUND,
)
def delete_edge(edge_id: IdParam, session: SessionDep, network: WritableNetworkDep) -> Response:
    edge = networks.get_edge(session, network=network, edge_id=edge_id)
    networks.delete_edge(session, network=network, edge=edge)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Import / export -----------------------------------------------------------------------------

_NETWORK_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "nodes": {"type": "array", "items": {"type": "object"}},
        "edges": {"type": "array", "items": {"type": "object"}},
    },
    "example": {
        "nodes": [
            {"id": "CO-1", "kind": "company", "name": "Northwind Seafood", "country": "GB"},
            {
                "id": "SUP-1",
                "kind": "supplier",
                "name": "Gulf Processing",
                "country": "TH",
                "sector": "seafood_processing",
                "tier": 1,
                "migrant_workers": 800,
            },
            {
                "id": "REC-1",
                "kind": "recruiter",
                "name": "Mekong Manpower",
                "country": "TH",
                "role": "destination_agency",
                "licence": "TH-DOE-1234",
            },
        ],
        "edges": [
            {"source": "SUP-1", "target": "CO-1", "kind": "supplies"},
            {
                "source": "REC-1",
                "target": "SUP-1",
                "kind": "recruits_for",
                "origin": "MM",
                "destination": "TH",
                "workers": 450,
            },
        ],
    },
}
_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "nodes": {"type": "string", "format": "binary", "description": "nodes.csv"},
                        "edges": {"type": "string", "format": "binary", "description": "edges.csv"},
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "One ZIP (nodes.csv + edges.csv), XLSX "
                            "(sheets nodes, edges), JSON or GraphML file",
                        },
                    },
                }
            },
            "application/json": {"schema": _NETWORK_FILE_SCHEMA},
        },
    }
}


async def _read_import_payload(
    request: Request,
) -> tuple[dict[str, Any], str, tuple[str | None, str | None]]:
    """The uploaded files, or the JSON document; ('files', ...) or ('json', ...); and the
    form's mapping fields (``mapping``, ``mapping_name``)."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("application/json"):
        body = await request.body()
        try:
            return {"document": json.loads(body)}, "json", (None, None)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"The request body is not valid JSON: {exc}") from exc
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=5, max_fields=20)
        uploads = form_uploads(form)
        files = {
            name: (upload_name(name, upload), await upload.read())
            for name, upload in uploads.items()
        }
        return files, "files", form_mapping(form)
    raise unsupported_media_type()


_ASYNC_IMPORT_DESCRIPTION = (
    "Accepted: the import runs as a job (bodies over the inline limit, or "
    "`Prefer: respond-async`). Follow `Location` (`GET /api/v1/jobs/{id}`): its `result` "
    "holds these same counts when done, its `problem` the refusal with every row's problem."
)


@router.post(
    "/{network_id}/import",
    response_model=ImportResult,
    tags=["import-export"],
    operation_id="networks-import",
    responses={
        **NOT_FOUND,
        **CONFLICT,
        **INVALID,
        202: {"model": JobRead, "description": _ASYNC_IMPORT_DESCRIPTION},
        415: {"description": "Unsupported file type"},
        503: {"description": "The job queue cannot be reached"},
    },
    openapi_extra=_IMPORT_BODY,
)
async def import_network(
    request: Request,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: WriterDep,
    settings: SettingsDep,
    prefer: Annotated[
        str | None,
        Header(
            max_length=256,
            description="`respond-async` runs even a small import as a job (202); larger "
            "bodies than the server's inline limit (1 MiB by default) always do.",
            examples=["respond-async"],
        ),
    ] = None,
    mode: Annotated[
        ImportMode,
        Query(
            description="upsert: add and update by id; replace: the file becomes the whole "
            "network (nodes and edges missing from it are deleted)"
        ),
    ] = "upsert",
    dry_run: Annotated[bool, Query(description="Validate and count, write nothing.")] = False,
    mapping: Annotated[
        str | None,
        Query(
            max_length=20_000,
            description="A column mapping as JSON, for files whose headers are not Fairpath's: "
            '`{"nodes": {"Supplier ID": "id", ...}, "edges": {...}}`. Also accepted as a form '
            'field, or in a JSON body under `"mapping"`.',
        ),
    ] = None,
    mapping_name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=MAPPING_NAME_PATTERN,
            description="The name of a mapping saved with `PUT /api/v1/import-mappings/{name}` "
            "(also accepted as a form field).",
        ),
    ] = None,
) -> Any:
    """Bulk import nodes and edges; all or nothing.

    Any problem (unknown country, duplicate id, edge to a missing node, forbidden kind
    combination, cycle, bad number) refuses the whole import with one 422 listing every problem
    with its file, row and column (at most 200). Small files are imported in the request (200);
    large ones, or any with `Prefer: respond-async`, answer 202 with a job to follow.

    Headers that differ from Fairpath's are matched by a column mapping (`mapping` or
    `mapping_name`); an Open Supply Hub facility list, sent as `nodes`, is recognised by its
    header and read as supplier nodes (its OS IDs become their ids).
    """
    asked = wants_async(prefer)
    if asked or _too_large_to_wait_for(request, settings.inline_import_bytes):
        job = await imports.submit_import(
            request,
            session,
            network=network,
            principal_user_id=principal.user.id,
            mode=mode,
            dry_run=dry_run,
            mapping=(mapping, mapping_name),
        )
        return accepted(job, settings, preference_applied="respond-async" if asked else None)
    payload, kind, (form_text, form_name) = await _read_import_payload(request)

    def run() -> ImportResult:
        column_mapping = import_mapping(
            session,
            organisation_id=network.organisation_id,
            text=either(mapping, form_text, "mapping"),
            name=either(mapping_name, form_name, "mapping_name"),
        )
        if kind == "json":
            raw, problems = read_document(payload["document"], mapping=column_mapping)
        else:
            raw, problems = read_files(payload, mapping=column_mapping)
        return networks.import_network(
            session, network=network, raw=raw, mode=mode, dry_run=dry_run, problems=problems
        )

    return await run_in_threadpool(run)


def _too_large_to_wait_for(request: Request, inline_limit: int) -> bool:
    """A body over the inline limit, or of unknown length (streamed), runs as a job."""
    declared = request.headers.get("content-length", "")
    return not declared.isdigit() or int(declared) > inline_limit


@router.post(
    "/{network_id}/exports",
    status_code=202,
    response_model=JobRead,
    tags=["import-export"],
    operation_id="networks-export-job",
    responses={**INVALID, **NOT_FOUND, 503: {"description": "The job queue cannot be reached"}},
)
def create_export(
    data: ExportJobCreate,
    request: Request,
    session: SessionDep,
    network: NetworkDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """Produce the network file as a job: 202 with the job to follow; when it is done,
    `links.download` sends the file (the same file `GET .../export` sends)."""
    return start_network_job(
        request,
        session,
        network=network,
        user_id=principal.user.id,
        kind=NETWORK_EXPORT,
        params={"format": data.format},
    )


@router.get(
    "/{network_id}/export",
    tags=["import-export"],
    operation_id="networks-export",
    responses={
        **NOT_FOUND,
        200: {
            "description": "The network file",
            "content": {media: {} for media, _ext in export.EXPORT_FORMATS.values()},
        },
    },
)
def export_network(
    session: SessionDep,
    network: NetworkDep,
    format: Annotated[
        ExportFormat,
        Query(description="json, csv (a ZIP of nodes.csv and edges.csv), xlsx or graphml"),
    ] = "json",
) -> Response:
    """Download the network in a format it can be imported from (GraphML for Gephi/yEd)."""
    state = networks.load_state(session, network.id or 0)
    media, extension = export.EXPORT_FORMATS[format]
    filename = f"network-{network.id}-v{network.version}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "json":  # streamed: the file is sent as it is encoded
        return StreamingResponse(
            export.stream_json(network, state), media_type=media, headers=headers
        )
    content, media, extension = export.render(network, state, format)
    return Response(content, media_type=media, headers=headers)
