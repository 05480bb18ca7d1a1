"""Request and response bodies for organisations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.organisations.models import OrganisationKind
from core.schemas import Strict


class OrganisationCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Northwind Seafood Ltd", "kind": "company"}]}
    )
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind = OrganisationKind.company


class OrganisationUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: OrganisationKind | None = None


class OrganisationRead(BaseModel):
    id: int
    name: str
    kind: OrganisationKind
    created_at: datetime
