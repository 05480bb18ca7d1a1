"""Which organisations' data a caller may touch.

Every organisation-owned row hangs off a network or an organisation, so one scope object, built
once per request from the caller's identity, is all a service needs to filter its queries. Rows
outside the scope are reported as missing, never as forbidden, so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.sql import Select

from core.errors import NotFound

S = TypeVar("S", bound=Select[Any])
T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """The caller's reach: their own organisation, or every organisation for programme staff."""

    organisation_id: int | None
    all_organisations: bool = False

    @classmethod
    def everything(cls) -> Scope:
        """For trusted callers such as the CLI and the demo."""
        return cls(organisation_id=None, all_organisations=True)

    def allows(self, organisation_id: int | None) -> bool:
        return self.all_organisations or (
            organisation_id is not None and organisation_id == self.organisation_id
        )

    def filter(self, statement: S, organisation_column: Any) -> S:
        """Restrict a SELECT to the organisations in scope."""
        if self.all_organisations:
            return statement
        return statement.where(organisation_column == self.organisation_id)

    def require(self, row: T | None, organisation_id: int | None, what: str, ident: object) -> T:
        """The row, if it exists and is in scope; otherwise the same "not found" either way, so
        that another organisation's ids cannot be told apart from ids that do not exist."""
        if row is None or not self.allows(organisation_id):
            raise NotFound(f"{what} {ident} was not found")
        return row
