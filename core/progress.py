"""How long work says how far it has gone, whoever is watching.

An import or a report calls ``progress(stage, done, total)`` as it goes; the CLI draws a bar from
it, a job writes it to its row for ``GET /api/v1/jobs/{id}``, and a request that runs the work
inline passes ``no_progress``. The caller decides how often to report; watchers that write
(a job's row) throttle on their side.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int | None) -> None:
        """``stage`` is a short lower-case phrase ("reading", "validating", "writing");
        ``total`` is None while it is not known yet."""


def no_progress(stage: str, done: int, total: int | None) -> None:
    """For work nobody is watching."""
