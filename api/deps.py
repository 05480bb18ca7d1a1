"""Dependencies routers declare: the session, the caller and what the caller may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.accounts import service as accounts
from api.accounts.models import Role, User
from api.clock import clock
from api.db import get_session
from api.settings import Settings
from core.errors import Forbidden, NotAuthenticated
from core.schemas import IdParam
from core.tenancy import Scope
from questionnaires import service as assessments
from questionnaires.models import Assessment
from supplychain import service as networks
from supplychain.models import Network

# "function" scope: the session commits when the endpoint returns, before the response is sent,
# so a failed commit becomes an error response instead of a silent loss.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An API token (`fpu_...`).")


async def get_settings_dep(request: Request) -> Settings:
    """Async: it only reads the app's state, so it need not take a worker thread."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of this request."""

    user: User
    scope: Scope

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def is_admin(self) -> bool:
        return self.user.role == Role.admin

    @property
    def can_write(self) -> bool:
        return self.user.role in (Role.admin, Role.analyst)


def current_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise NotAuthenticated("Send an API token as 'Authorization: Bearer <token>'")
    user = accounts.authenticate_token(session, credentials.credentials)
    return Principal(user=user, scope=accounts.scope_for(user))


PrincipalDep = Annotated[Principal, Depends(current_principal, scope="function")]


def writer(principal: PrincipalDep) -> Principal:
    if not principal.can_write:
        raise Forbidden("Viewers have read-only access; ask an analyst or admin to make changes")
    return principal


def admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only programme administrators may do this")
    return principal


WriterDep = Annotated[Principal, Depends(writer, scope="function")]
AdminDep = Annotated[Principal, Depends(admin, scope="function")]


def readable_network(network_id: IdParam, session: SessionDep, principal: PrincipalDep) -> Network:
    return networks.get_network(session, scope=principal.scope, network_id=network_id)


def writable_network(network_id: IdParam, session: SessionDep, principal: WriterDep) -> Network:
    return networks.get_network(session, scope=principal.scope, network_id=network_id)


NetworkDep = Annotated[Network, Depends(readable_network, scope="function")]
WritableNetworkDep = Annotated[Network, Depends(writable_network, scope="function")]


_invitation_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="InvitationToken",
    description="A respondent's invitation token (`fpi_...`).",
)


async def invitation_secret(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_invitation_bearer)],
) -> str:
    """The invitation token the respondent sent. Async: it reads a header, so it need not
    take a worker thread (the autosave resolves the token itself, see ``api.routes.respond``)."""
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("Send your invitation token as 'Authorization: Bearer fpi_...'")
    return credentials.credentials


InvitationSecretDep = Annotated[str, Depends(invitation_secret)]


def current_assessment(session: SessionDep, secret: InvitationSecretDep) -> Assessment:
    """The one assessment the respondent's invitation opens."""
    return assessments.resolve_invitation(session, secret)


RespondentDep = Annotated[Assessment, Depends(current_assessment, scope="function")]


ClockDep = Annotated[datetime, Depends(clock)]
