"""Paging and search for every dashboard list: one reading of ``?page=&per_page=&q=`` and one
model of the links under a table, so that every list counts, pages and searches alike.

Bad parameters are refused with a 400 page that names the parameter, never clamped: a link
that says ``page=abc`` is a broken link, and quietly showing page 1 would hide that. A page past
the end is not an error (rows disappear while someone reads); it says there is nothing on it and
links back to page 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Request

from api.web.dashboard_session import PageError

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_QUERY = 100
PAGE_WINDOW = 2  # page numbers shown on each side of the current one

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """What a list request asked for: a 1-based page, its size and the search text."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    q: str = ""

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def limit(self) -> int:
        return self.per_page


def _whole(raw: str, name: str, low: int, high: int) -> int:
    text = raw.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise PageError(
            400, f"The {name} parameter must be a whole number from {low} to {high:,}, not {raw!r}."
        )
    return int(text)


def read_paging(request: Request, *, default_per_page: int = DEFAULT_PER_PAGE) -> Paging:
    """The list parameters of this request, or a 400 page naming the one that is wrong.

    Read from the request inside the handler rather than as a dependency, so that the refusal
    is the dashboard's error page (``guarded``) and not the API's JSON problem."""
    params = request.query_params
    page = _whole(params["page"], "page", 1, 1_000_000) if params.get("page") else 1
    per_page = (
        _whole(params["per_page"], "per_page", 1, MAX_PER_PAGE)
        if params.get("per_page")
        else default_per_page
    )
    q = params.get("q", "").strip()
    if len(q) > MAX_QUERY:
        raise PageError(400, f"The q parameter (search) is longer than {MAX_QUERY} characters.")
    return Paging(page=page, per_page=per_page, q=q)


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass(frozen=True)
class Pager:
    """The links and the "Showing 51-100 of 1,234" line under a list. ``links`` holds the page
    numbers around the current one, with None where numbers are left out."""

    total: int
    page: int
    per_page: int
    pages: int
    shown: int
    q: str
    first_href: str
    previous_href: str | None
    next_href: str | None
    links: tuple[PageLink | None, ...]

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.shown else 0

    @property
    def last_row(self) -> int:
        return self.first_row + self.shown - 1 if self.shown else 0

    @property
    def past_the_end(self) -> bool:
        """Nothing on this page although the list has rows: a page number beyond the last."""
        return self.shown == 0 and self.total > 0

    @property
    def showing(self) -> str:
        if self.total == 0:
            return "Nothing to show"
        if self.shown == 0:
            return f"No results on page {self.page:,} of {self.pages:,} ({self.total:,} in all)"
        return f"Showing {self.first_row:,}\u2013{self.last_row:,} of {self.total:,}"


def _href(request: Request, page: int, path: str, drop: tuple[str, ...]) -> str:
    """This page's address with another page number, keeping every other parameter (empty
    ones dropped, so links stay short, and those in ``drop``, which say what a post did)."""
    dropped = {"page", *drop}
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in dropped and v]
    if page > 1:
        kept.append(("page", str(page)))
    query = urlencode(kept)
    return f"{path}?{query}" if query else path


def pager(
    request: Request,
    paging: Paging,
    *,
    total: int,
    shown: int,
    path: str | None = None,
    drop: tuple[str, ...] = (),
) -> Pager:
    """The links for one page of ``total`` rows; ``path`` when the list is shown in answer to
    a post to another address."""
    where = path or request.url.path

    def href(number: int) -> str:
        return _href(request, number, where, drop)

    pages = max(1, -(-total // paging.per_page))
    current = paging.page
    numbers = sorted(
        {1, pages, *range(max(1, current - PAGE_WINDOW), min(pages, current + PAGE_WINDOW) + 1)}
    )
    links: list[PageLink | None] = []
    for number in numbers:
        if links and (last := links[-1]) is not None and number > last.number + 1:
            links.append(None)
        links.append(PageLink(number, href(number), number == current))
    return Pager(
        total=total,
        page=current,
        per_page=paging.per_page,
        pages=pages,
        shown=shown,
        q=paging.q,
        first_href=href(1),
        previous_href=href(min(current, pages + 1) - 1) if current > 1 else None,
        next_href=href(current + 1) if current < pages else None,
        links=tuple(links) if pages > 1 or current > 1 else (),
    )


def page_slice(items: Sequence[T], paging: Paging) -> list[T]:
    """One page of a list that is already in memory and cached (scores, corridors): the
    cached list is sliced; nothing else is built for the rows off the page."""
    return list(items[paging.offset : paging.offset + paging.per_page])


def searched(items: Sequence[T], q: str, text: Callable[[T], str]) -> Sequence[T]:
    """The items whose text contains the search, ignoring case; all of them without one."""
    if not q:
        return items
    wanted = q.casefold()
    return [item for item in items if wanted in text(item).casefold()]
