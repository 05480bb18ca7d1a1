"""The one severity vocabulary: red flags, findings, actions, reports and pages all grade with it.

Ordered most severe first, which is the order every list and report shows them in.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
