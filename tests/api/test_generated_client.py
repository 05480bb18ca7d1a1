"""A client generated from the OpenAPI document, as an integrator would generate it, speaks to
the service and gets typed errors back.

The server sends its errors as ``application/problem+json``; a document that declared them only
under ``application/json`` (or not at all) gives generated clients untyped bodies, or none, and
an integrator fixing a spreadsheet then has no row and column to show. This test generates the
client with openapi-python-client, imports it, and drives it through the app in process.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.builders import World

NODES = (
    b"node_key,name,type,country\n"
    b"SUP-1,Shrimp plant,supplier,TH\n"
    b"REC-1,Yangon agency,recruiter,Atlantis\n"
)


@pytest.fixture
def generated(app: FastAPI, tmp_path: Path) -> Iterator[ModuleType]:
    """The client package, generated from this app's own document into a fresh directory."""
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(app.openapi()), encoding="utf-8")
    package = f"fairpath_client_{uuid.uuid4().hex[:8]}"
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": [], "package_name_override": package}))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(tmp_path / package),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


def _module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def _client(package: ModuleType, app: FastAPI, token: str | None) -> Any:
    """The generated client, its HTTP calls going to the app in process.

    A client given its own httpx client sends that client's headers, not its token, so the
    bearer header goes on the in-process one.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = TestClient(app, base_url="http://testserver", headers=headers)
    client = package.AuthenticatedClient(base_url="http://testserver", token=token or "")
    client.set_httpx_client(http)
    return client


# The document and the client are the same on either database; generating takes seconds.
@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
def test_generated_client_returns_typed_problems_with_rows_and_columns(
    generated: ModuleType, app: FastAPI, world: World
) -> None:
    client = _client(generated, app, world.analyst_a.token)
    models = _module(generated, "models")
    create = _module(generated, "api.networks.networks_create")
    created = create.sync_detailed(client=client, body=models.NetworkCreate(name="Shrimp chain"))
    assert created.status_code == 201, created.content
    network = created.parsed
    assert isinstance(network, models.NetworkRead)
    assert network.name == "Shrimp chain"

    # An import refused for a bad country: the Problem and each item's row and column are typed.
    imports = _module(generated, "api.import_export.networks_import")
    types = _module(generated, "types")
    body = models.NetworksImportFilesBody(
        nodes=types.File(payload=NODES, file_name="nodes.csv", mime_type="text/csv")
    )
    refused = imports.sync_detailed(network.id, client=client, body=body)
    assert refused.status_code == 422, refused.content
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.parsed
    assert isinstance(problem, models.Problem)
    assert problem.type_ == "urn:fairpath:problem:invalid-input"
    assert problem.status == 422
    countries = [item for item in problem.errors if item.column == "country"]
    assert len(countries) == 1, [item.to_dict() for item in problem.errors]
    item = countries[0]
    assert isinstance(item, models.ProblemItem)
    assert (item.file, item.row, item.value) == ("nodes.csv", 3, "Atlantis")
    assert "country" in item.message.lower() or "Atlantis" in item.message

    # Another organisation's network is a typed 404, not an exception or raw bytes.
    get = _module(generated, "api.networks.networks_get")
    other = _client(generated, app, world.analyst_b.token)
    missing = get.sync_detailed(network.id, client=other)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.type_ == "urn:fairpath:problem:not-found"
