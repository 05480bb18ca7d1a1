"""Collecting every problem in an input, with where it is, instead of stopping at the first.

A compliance officer fixing a 2,000-row spreadsheet wants the whole list at once; but a file
that is wrong on every row should not produce a megabyte of errors, so the list is capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import InvalidInput
from core.numbers import counted

MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Location:
    """Where a value came from: a file row, a JSON array index, or a request body."""

    file: str | None = None
    row: int | None = None
    index: int | None = None
    label: str | None = None  # e.g. "existing edge SUP-1 -> CO-1 (supplies)"

    def item(self, column: str | None, message: str, value: Any = None) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if self.file is not None:
            entry["file"] = self.file
        if self.row is not None:
            entry["row"] = self.row
        if self.index is not None:
            entry["index"] = self.index
        if self.label is not None:
            entry["where"] = self.label
        if column is not None:
            entry["column" if self.file is not None else "field"] = column
        if value is not None and value != "":
            entry["value"] = str(value)[:100]
        entry["message"] = message
        return entry


BODY = Location()


@dataclass
class Problems:
    items: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, location: Location, column: str | None, message: str, value: Any = None) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(location.item(column, message, value))

    @property
    def full(self) -> bool:
        """Past the cap nothing more is recorded, so expensive checks may stop early."""
        return len(self.items) >= MAX_PROBLEMS

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self, what: str) -> None:
        if not self.count:
            return
        shown = "" if self.count <= MAX_PROBLEMS else f" (showing the first {MAX_PROBLEMS})"
        found = counted(self.count, "problem", "problems")
        raise InvalidInput(f"{what}: {found} found{shown}; nothing was written", errors=self.items)
