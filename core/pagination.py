"""A page of a longer list: the shape every list endpoint answers with, shared by the domain
presenters that slice their own results and the API that declares them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int


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
