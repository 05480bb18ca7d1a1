"""Offset pagination shared by every list endpoint: the query parameters (the shape of a page
lives in ``core.pagination``, where domain presenters can use it too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from core.pagination import Page, PageParams, page_of
from core.schemas import INT64_LIMIT

__all__ = ["MAX_PAGE_SIZE", "Page", "PageDep", "PageParams", "page_of", "page_params"]

MAX_PAGE_SIZE = 500


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (1-500).")
    ] = 50,
    offset: Annotated[int, Query(ge=0, lt=INT64_LIMIT, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
