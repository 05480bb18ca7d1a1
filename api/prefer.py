"""The ``Prefer`` request header (RFC 7240): which preferences a client asked for.

Only ``return=minimal`` and ``return=representation`` mean anything to Fairpath; unknown
preferences are ignored, as the RFC requires.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

PREFER_DESCRIPTION = (
    "`return=minimal` answers with a short receipt instead of the whole representation "
    "(RFC 7240); the response then carries `Preference-Applied: return=minimal`."
)


def wants_minimal(prefer: str | None) -> bool:
    """Whether ``prefer`` asks for ``return=minimal``; a preference given twice counts the
    first time only (RFC 7240, section 2)."""
    for preference in (prefer or "").split(","):
        name, _, value = preference.split(";", 1)[0].partition("=")
        if name.strip().lower() == "return":
            return value.strip().strip('"').lower() == "minimal"
    return False


PreferHeader = Annotated[
    str | None,
    Header(max_length=256, description=PREFER_DESCRIPTION, examples=["return=minimal"]),
]


def wants_async(prefer: str | None) -> bool:
    """Whether ``prefer`` asks for ``respond-async``: answer 202 with a job at once."""
    return any(
        preference.split(";", 1)[0].strip().lower() == "respond-async"
        for preference in (prefer or "").split(",")
    )
