"""HTTP endpoints for column mappings saved per organisation, named by imports' `mapping_name`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import Principal, PrincipalDep, SessionDep, WriterDep
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from core.errors import NotFound
from core.schemas import IdParam
from supplychain import presenters
from supplychain import service as networks
from supplychain.column_mapping import parse_mapping
from supplychain.schemas import MAPPING_NAME_PATTERN, ImportMappingRead, ImportMappingWrite

router = APIRouter(prefix="/import-mappings", tags=["import-export"], responses=AUTH_RESPONSES)

MappingName = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=MAPPING_NAME_PATTERN,
        description="Letters, digits, spaces, dots, dashes and underscores",
        examples=["erp-export"],
    ),
]
OrganisationParam = Annotated[
    IdParam | None, Query(description="Admins: the organisation (default: your own).")
]


def _organisation(principal: Principal, organisation_id: int | None) -> int:
    """The organisation whose mappings are meant: the caller's own, or for admins any."""
    if organisation_id is None:
        return principal.user.organisation_id
    if not principal.scope.allows(organisation_id):
        raise NotFound(f"Organisation {organisation_id} was not found")
    return organisation_id


@router.get("", response_model=list[ImportMappingRead], operation_id="import-mappings-list")
def list_mappings(
    session: SessionDep, principal: PrincipalDep, organisation_id: OrganisationParam = None
) -> list[ImportMappingRead]:
    rows = networks.list_import_mappings(
        session, organisation_id=_organisation(principal, organisation_id)
    )
    return [presenters.import_mapping(row) for row in rows]


@router.get(
    "/{name}",
    response_model=ImportMappingRead,
    operation_id="import-mappings-get",
    responses=NOT_FOUND,
)
def get_mapping(
    name: MappingName,
    session: SessionDep,
    principal: PrincipalDep,
    organisation_id: OrganisationParam = None,
) -> ImportMappingRead:
    row = networks.get_import_mapping(
        session, organisation_id=_organisation(principal, organisation_id), name=name
    )
    return presenters.import_mapping(row)


@router.put(
    "/{name}",
    response_model=ImportMappingRead,
    operation_id="import-mappings-put",
    responses={**NOT_FOUND, **CONFLICT, **INVALID, 201: {"model": ImportMappingRead}},
)
def put_mapping(
    name: MappingName,
    data: ImportMappingWrite,
    response: Response,
    session: SessionDep,
    principal: WriterDep,
    organisation_id: OrganisationParam = None,
) -> ImportMappingRead:
    """Save the mapping under `name` (replacing one of that name): 201 when new, 200 when
    replaced. Every target must be a Fairpath column of that kind of file, and no two headers
    may be mapped to one column; each problem names its entry (`nodes.Supplier ID`)."""
    mapping = parse_mapping(data.model_dump(), field="")
    row, created = networks.save_import_mapping(
        session,
        organisation_id=_organisation(principal, organisation_id),
        name=name,
        mapping=mapping,
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return presenters.import_mapping(row)


@router.delete(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="import-mappings-delete",
    responses=NOT_FOUND,
)
def delete_mapping(
    name: MappingName,
    session: SessionDep,
    principal: WriterDep,
    organisation_id: OrganisationParam = None,
) -> Response:
    networks.delete_import_mapping(
        session, organisation_id=_organisation(principal, organisation_id), name=name
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
