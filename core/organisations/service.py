"""Organisations: creating, finding and renaming the tenants."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.errors import Conflict
from core.organisations.models import Organisation, OrganisationKind
from core.organisations.schemas import OrganisationCreate, OrganisationUpdate
from core.tenancy import Scope


def create_organisation(session: Session, data: OrganisationCreate) -> Organisation:
    if session.exec(select(Organisation).where(Organisation.name == data.name)).first():
        raise Conflict(f"An organisation named {data.name!r} already exists")
    organisation = Organisation(name=data.name, kind=data.kind)
    session.add(organisation)
    session.flush()
    return organisation


def get_or_create_organisation(session: Session, name: str, kind: OrganisationKind) -> Organisation:
    existing = session.exec(select(Organisation).where(Organisation.name == name)).first()
    return existing or create_organisation(session, OrganisationCreate(name=name, kind=kind))


def similar_names(session: Session, name: str, *, limit: int = 3) -> list[str]:
    """Existing organisations whose names are close to ``name`` (a misspelling of one), best
    first; an exact match is not "similar"."""
    names = [n for n in session.exec(select(Organisation.name)).all() if n != name]
    folded = {n.casefold(): n for n in names}
    matches = difflib.get_close_matches(name.casefold(), list(folded), n=limit, cutoff=0.75)
    return [folded[match] for match in matches]


def list_organisations(
    session: Session, *, scope: Scope, limit: int, offset: int
) -> tuple[Sequence[Organisation], int]:
    query = scope.filter(select(Organisation), Organisation.id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Organisation.id)).limit(limit).offset(offset)).all()
    return rows, total


def get_organisation(session: Session, *, scope: Scope, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    return scope.require(organisation, organisation_id, "Organisation", organisation_id)


def update_organisation(
    session: Session, *, organisation: Organisation, data: OrganisationUpdate
) -> Organisation:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes and changes["name"] != organisation.name:
        clash = session.exec(select(Organisation).where(Organisation.name == changes["name"]))
        if clash.first():
            raise Conflict(f"An organisation named {changes['name']!r} already exists")
    for key, value in changes.items():
        setattr(organisation, key, value)
    session.add(organisation)
    session.flush()
    return organisation


def organisation_name(session: Session, organisation_id: int) -> str:
    """The name printed on reports and respondent pages; empty if the row has gone."""
    organisation = session.get(Organisation, organisation_id)
    return organisation.name if organisation is not None else ""
