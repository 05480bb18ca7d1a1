"""HTTP endpoints for organisations, users and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.accounts import service
from api.accounts.models import Role
from api.accounts.schemas import (
    MeRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from api.deps import AdminDep, PrincipalDep, SessionDep
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.pagination import Page, PageDep, page_of
from core.errors import Forbidden
from core.organisations import service as organisations
from core.organisations.schemas import OrganisationCreate, OrganisationRead, OrganisationUpdate
from core.schemas import IdParam

router = APIRouter(responses=AUTH_RESPONSES)


@router.get("/me", response_model=MeRead, tags=["accounts"], operation_id="accounts-me")
def read_me(session: SessionDep, principal: PrincipalDep) -> MeRead:
    """Who the token belongs to, and their organisation."""
    organisation = organisations.get_organisation(
        session, scope=principal.scope, organisation_id=principal.user.organisation_id
    )
    return MeRead(
        user=UserRead.model_validate(principal.user, from_attributes=True),
        organisation=OrganisationRead.model_validate(organisation, from_attributes=True),
    )


@router.post(
    "/organisations",
    response_model=OrganisationRead,
    status_code=status.HTTP_201_CREATED,
    tags=["organisations"],
    operation_id="organisations-create",
    responses={**CONFLICT, **INVALID},
)
def create_organisation(
    data: OrganisationCreate, session: SessionDep, _admin: AdminDep
) -> OrganisationRead:
    """Register a company (or programme) doing due diligence. Admins only."""
    organisation = organisations.create_organisation(session, data)
    return OrganisationRead.model_validate(organisation, from_attributes=True)


@router.get(
    "/organisations",
    response_model=Page[OrganisationRead],
    tags=["organisations"],
    operation_id="organisations-list",
)
def list_organisations(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[OrganisationRead]:
    """Admins see every organisation; everyone else sees their own."""
    rows, total = organisations.list_organisations(
        session, scope=principal.scope, limit=page.limit, offset=page.offset
    )
    return page_of(rows, total, page, OrganisationRead)


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationRead,
    tags=["organisations"],
    operation_id="organisations-get",
    responses=NOT_FOUND,
)
def get_organisation(
    organisation_id: IdParam, session: SessionDep, principal: PrincipalDep
) -> OrganisationRead:
    organisation = organisations.get_organisation(
        session, scope=principal.scope, organisation_id=organisation_id
    )
    return OrganisationRead.model_validate(organisation, from_attributes=True)


@router.patch(
    "/organisations/{organisation_id}",
    response_model=OrganisationRead,
    tags=["organisations"],
    operation_id="organisations-update",
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
def update_organisation(
    organisation_id: IdParam, data: OrganisationUpdate, session: SessionDep, principal: AdminDep
) -> OrganisationRead:
    organisation = organisations.get_organisation(
        session, scope=principal.scope, organisation_id=organisation_id
    )
    organisation = organisations.update_organisation(session, organisation=organisation, data=data)
    return OrganisationRead.model_validate(organisation, from_attributes=True)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    tags=["users"],
    operation_id="users-create",
    responses={**CONFLICT, **INVALID},
)
def create_user(data: UserCreate, session: SessionDep, _admin: AdminDep) -> UserRead:
    """Add a user to an organisation. Issue them a token with `POST /users/{id}/tokens`."""
    user = service.create_user(session, data)
    return UserRead.model_validate(user, from_attributes=True)


@router.get("/users", response_model=Page[UserRead], tags=["users"], operation_id="users-list")
def list_users(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    organisation_id: Annotated[IdParam | None, Query(description="Only this organisation.")] = None,
    role: Annotated[Role | None, Query(description="Only users with this role.")] = None,
) -> Page[UserRead]:
    """Admins see every user; others see the users of their own organisation."""
    rows, total = service.list_users(
        session,
        scope=principal.scope,
        organisation_id=organisation_id,
        role=role,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of(rows, total, page, UserRead)


@router.get(
    "/users/{user_id}",
    response_model=UserRead,
    tags=["users"],
    operation_id="users-get",
    responses=NOT_FOUND,
)
def get_user(user_id: IdParam, session: SessionDep, principal: PrincipalDep) -> UserRead:
    user = service.get_user(session, scope=principal.scope, user_id=user_id)
    return UserRead.model_validate(user, from_attributes=True)


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    tags=["users"],
    operation_id="users-update",
    responses={**NOT_FOUND, **INVALID},
)
def update_user(
    user_id: IdParam, data: UserUpdate, session: SessionDep, principal: AdminDep
) -> UserRead:
    """Change a user's role, name or password, or deactivate them (their tokens stop working)."""
    user = service.get_user(session, scope=principal.scope, user_id=user_id)
    user = service.update_user(session, user=user, data=data)
    return UserRead.model_validate(user, from_attributes=True)


@router.post(
    "/users/{user_id}/tokens",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["tokens"],
    operation_id="tokens-create",
    responses={**NOT_FOUND, **INVALID},
)
def create_token(
    user_id: IdParam, data: TokenCreate, session: SessionDep, principal: PrincipalDep
) -> TokenCreated:
    """Issue an API token. The secret is in the response and is never shown again.

    Users may issue tokens for themselves; admins for anyone.
    """
    user = service.get_user(session, scope=principal.scope, user_id=user_id)
    if user.id != principal.user.id and not principal.is_admin:
        raise Forbidden("Only admins may issue tokens for other users")
    token, secret = service.issue_token(
        session, user=user, name=data.name, expires_in_days=data.expires_in_days
    )
    return TokenCreated(
        **TokenRead.model_validate(token, from_attributes=True).model_dump(), token=secret
    )


@router.get(
    "/users/{user_id}/tokens",
    response_model=list[TokenRead],
    tags=["tokens"],
    operation_id="tokens-list",
    responses=NOT_FOUND,
)
def list_tokens(user_id: IdParam, session: SessionDep, principal: PrincipalDep) -> list[TokenRead]:
    """A user's tokens (never their secrets), with when each was last used."""
    user = service.get_user(session, scope=principal.scope, user_id=user_id)
    if user.id != principal.user.id and not principal.is_admin:
        raise Forbidden("Only admins may list other users' tokens")
    return [
        TokenRead.model_validate(t, from_attributes=True)
        for t in service.list_tokens(session, user=user)
    ]


@router.delete(
    "/tokens/{token_id}",
    response_model=TokenRead,
    tags=["tokens"],
    operation_id="tokens-revoke",
    responses=NOT_FOUND,
)
def revoke_token(token_id: IdParam, session: SessionDep, principal: PrincipalDep) -> TokenRead:
    """Revoke a token at once; requests with it get 401 from now on."""
    token = service.get_token(session, scope=principal.scope, token_id=token_id)
    token = service.revoke_token(session, token=token, by=principal.user)
    return TokenRead.model_validate(token, from_attributes=True)
