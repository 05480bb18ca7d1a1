"""Offset pagination shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")

MAX_PAGE_SIZE = 500


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (1-500).")
    ] = 50,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """A slice of a longer list; ``total`` counts every match, not just this page."""

    items: list[T]
    total: int
    limit: int
    offset: int


def page_of(items: Sequence[object], total: int, params: PageParams, schema: type[T]) -> Page[T]:
    validate = getattr(schema, "model_validate")  # noqa: B009
    return Page[schema](  # type: ignore[valid-type]
        items=[validate(item, from_attributes=True) for item in items],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )
