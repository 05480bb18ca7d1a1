"""What every request body has in common."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error rather than silently lost."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
