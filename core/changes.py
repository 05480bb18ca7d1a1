"""Which networks a unit of work changed, so derived data can be refreshed after it commits.

Findings are derived from a network, its assessments and its organisation's settings. Rather
than regenerate them when someone reads them (a GET must never write), each write records here
what it changed; whoever commits the session (the API's request session, the CLI's
transaction) refreshes the findings of those networks afterwards, in their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

_KEY = "fairpath.changes"


@dataclass
class Changes:
    networks: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.networks or self.organisations)


def _pending(session: Session) -> Changes:
    changes = session.info.get(_KEY)
    if changes is None:
        changes = session.info[_KEY] = Changes()
    return changes


def network_changed(session: Session, network_id: int | None) -> None:
    if network_id is not None:
        _pending(session).networks.add(network_id)


def organisation_changed(session: Session, organisation_id: int | None) -> None:
    """Settings that apply to every network of the organisation changed."""
    if organisation_id is not None:
        _pending(session).organisations.add(organisation_id)


def take(session: Session) -> Changes:
    """What the committed unit of work changed; the record starts afresh."""
    return session.info.pop(_KEY, None) or Changes()


def discard(session: Session) -> None:
    """After a rollback nothing changed."""
    session.info.pop(_KEY, None)


# Derived rows that point at nodes (generated findings) must not stop a node or a network being
# deleted. The packages that own them register here what to do first; ``supplychain`` calls
# these hooks without knowing who listens, so the layers keep pointing downwards.
NodesRemoved = Callable[[Session, int, Sequence[int]], None]
NetworkRemoved = Callable[[Session, int], None]
_nodes_removed: list[NodesRemoved] = []
_network_removed: list[NetworkRemoved] = []


def on_nodes_removed(hook: NodesRemoved) -> NodesRemoved:
    _nodes_removed.append(hook)
    return hook


def on_network_removed(hook: NetworkRemoved) -> NetworkRemoved:
    _network_removed.append(hook)
    return hook


def removing_nodes(session: Session, network_id: int, node_ids: Sequence[int]) -> None:
    """Call before deleting nodes, inside the same transaction."""
    if node_ids:
        for hook in _nodes_removed:
            hook(session, network_id, node_ids)


def removing_network(session: Session, network_id: int) -> None:
    """Call before deleting a network, inside the same transaction."""
    for hook in _network_removed:
        hook(session, network_id)
