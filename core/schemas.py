"""What every request body has in common, and the integers ids and counts are validated as.

A number the database cannot hold must be refused as invalid input (422), never reach the
database and fail there: ids and counts live in INTEGER columns, 32 bits on PostgreSQL (SQLite
holds 64), and offsets and limits are 64-bit on both. And a JSON ``true`` is not the number 1:
integers in request bodies are strict.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Lt
from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Strict as StrictType

INT32_LIMIT = 2**31
"""What an INTEGER column holds stays below it (PostgreSQL's INTEGER is 32 bits)."""
INT64_LIMIT = 2**63
"""What a BIGINT (an OFFSET, a LIMIT) holds stays below it, on both databases."""

Id = Annotated[int, StrictType(), Ge(1), Lt(INT32_LIMIT)]
"""A row id in a JSON body: a JSON integer from 1, not a boolean, a float or a string."""
IdParam = Annotated[int, Ge(1), Lt(INT32_LIMIT)]
"""A row id (or any other INTEGER value from 1) in a path or query: text that reads as one."""
Count = Annotated[int, StrictType(), Ge(0), Lt(INT32_LIMIT)]
"""A number of things (workers, days...) in a JSON body: a JSON integer from 0."""

QueryText = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]*$")]
"""Text in a query (a search, a filter): no control characters, which no stored value holds
and PostgreSQL refuses to compare (NUL)."""


class Strict(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error rather than silently lost."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
