"""The Prefer header's ``return`` preference, read as RFC 7240 says."""

from __future__ import annotations

import pytest

from api.prefer import wants_minimal


@pytest.mark.parametrize(
    ("header", "minimal"),
    [
        (None, False),
        ("", False),
        ("return=minimal", True),
        ("Return = Minimal", True),
        ('return="minimal"', True),
        ("respond-async, wait=10, return=minimal", True),
        ("return=minimal; foo=bar", True),
        ("return=representation", False),
        ("return=minimal, return=representation", True),  # the first one counts
        ("return=representation, return=minimal", False),
        ("returns=minimal", False),
        ("minimal", False),
        ("handling=lenient", False),
    ],
)
def test_return_preference(header: str | None, minimal: bool) -> None:
    assert wants_minimal(header) is minimal
