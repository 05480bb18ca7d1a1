"""A dashboard form's refused fields, named as the API names them, for the page to list."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as the API names them: the field, and the message without the
    "Value error, " pydantic puts before a validator's own words."""
    items = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "Invalid value")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "Unknown field: not part of this resource"
        items.append({"field": where or "body", "message": message})
    return items
