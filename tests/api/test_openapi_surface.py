"""The API's surface stays as clients know it: every path, method and operation id.

``openapi_operations.json`` was written from the OpenAPI document before the re-layout (86
operations); an operation added later is added to it on purpose, one removed or renamed fails
here.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

from tests.api.test_openapi import _operations

SURFACE = Path(__file__).with_name("openapi_operations.json")


def test_paths_methods_and_operation_ids_are_unchanged(app: FastAPI) -> None:
    expected = json.loads(SURFACE.read_text(encoding="utf-8"))
    # 86 before the re-layout, + GET /reference/datasets, + the 4 repayment operations
    assert len(expected) == 91
    actual = sorted(
        (
            {"method": method, "path": path, "operation_id": operation["operationId"]}
            for path, method, operation in _operations(app)
        ),
        key=lambda row: (row["path"], row["method"]),
    )
    assert actual == expected
