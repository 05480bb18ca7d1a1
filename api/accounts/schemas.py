"""Request and response bodies for organisations, users and tokens."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from api.accounts.models import Role
from core.organisations.schemas import OrganisationRead
from core.schemas import Id, Strict

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("not a valid e-mail address")
    return value


class UserCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "compliance@northwind.example",
                    "name": "Amina Rahman",
                    "organisation_id": 2,
                    "role": "analyst",
                }
            ]
        }
    )
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    organisation_id: Id
    role: Role
    password: str | None = Field(
        default=None,
        min_length=12,
        max_length=256,
        description="Optional: lets the user sign in to the web pages.",
    )

    _email = field_validator("email")(lambda cls, v: normalise_email(v))


class UserUpdate(Strict):
    name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    is_active: StrictBool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=256)


class UserRead(BaseModel):
    id: int
    email: str
    name: str
    organisation_id: int
    role: Role
    is_active: bool
    created_at: datetime


class TokenCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "supplier-import-script", "expires_in_days": 90}]}
    )
    name: str = Field(default="", max_length=100)
    expires_in_days: StrictInt | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    id: int
    user_id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret bearer token. It is shown only this once.")


class MeRead(BaseModel):
    user: UserRead
    organisation: OrganisationRead
