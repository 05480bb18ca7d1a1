"""Results derived from an immutable object, kept exactly as long as the object lives.

The graph of a network version and the scores of a network state are immutable and cached by
their services; everything the API derives from them (statistics, gaps, sorted score orders,
corridor rows) is computed once per such object instead of once per request, and disappears
with it, so a new version can never be answered from an old one's results.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_store: dict[int, OrderedDict[Hashable, Any]] = {}
_lock = threading.Lock()


def derived(owner: object, key: Hashable, compute: Callable[[], T], *, keep: int = 64) -> T:
    """``compute()`` once per (owner, key); at most ``keep`` keys per owner (least recent go)."""
    ident = id(owner)
    with _lock:
        entries = _store.get(ident)
        if entries is None:
            entries = _store[ident] = OrderedDict()
            weakref.finalize(owner, _forget, ident)
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
    value = compute()
    with _lock:
        entries = _store.get(ident)
        if entries is not None:
            entries[key] = value
            while len(entries) > keep:
                entries.popitem(last=False)
    return value


def _forget(ident: int) -> None:
    with _lock:
        _store.pop(ident, None)
