"""Replicas share stored files: two apps over one database, each with its own data directory
(its own disk, as separate servers have), serve each other's uploads byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.app import create_app
from api.db import make_engine
from api.settings import Settings
from core.filestore.models import CHUNK_BYTES, StoredFile
from tests.builders import Actor, World, build_world
from tests.questionnaires.builders import assign, publish_mini, recruiter_network

# A scan of a few chunks, under the 10 MB evidence limit, different in every chunk.
SCAN = b"%PDF-1.4\n" + bytes(range(256)) * (CHUNK_BYTES * 5 // 2 // 256) + b"\n%%EOF\n"


@dataclass
class Replica:
    client: TestClient
    data_dir: Path

    def as_(self, actor: Actor) -> Actor:
        return Actor(self.client, actor.token, actor.user_id, actor.organisation_id)


@pytest.fixture
def replicas(settings: Settings, database_url: str, tmp_path: Path) -> Iterator[list[Replica]]:
    """Two servers: one database URL, separate engines, separate data directories."""
    built: list[Replica] = []
    engines = []
    clients = []
    try:
        for name in ("a", "b"):
            data_dir = tmp_path / f"replica-{name}"
            engine = make_engine(database_url)
            engines.append(engine)
            app = create_app(settings.model_copy(update={"data_dir": data_dir}), engine)
            client = TestClient(app, raise_server_exceptions=False)
            clients.append(client)
            client.__enter__()
            built.append(Replica(client, data_dir))
        yield built
    finally:
        for client in clients:
            client.__exit__(None, None, None)
        for engine in engines:
            engine.dispose()


@pytest.fixture
def people(replicas: list[Replica]) -> World:
    engine = replicas[0].client.app.state.engine  # type: ignore[attr-defined]
    return build_world(engine, replicas[0].client)


def _disk_files(replica: Replica) -> list[Path]:
    return [p for p in replica.data_dir.rglob("*") if p.is_file() and "evidence" in p.parts]


def test_evidence_uploaded_through_one_replica_downloads_through_another(
    replicas: list[Replica], people: World
) -> None:
    a, b = replicas
    analyst_a = a.as_(people.analyst_a)
    questionnaire_id = publish_mini(analyst_a)
    network_id, ids = recruiter_network(analyst_a)
    created = assign(analyst_a, network_id, ids["DA"], questionnaire_id=questionnaire_id)
    token = created["invitation"]["token"]

    uploaded = Actor(a.client, token).post(
        "/api/v1/respond/evidence",
        data={"question_id": "D2"},
        files={"file": ("licence scan.pdf", SCAN, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()
    assert evidence["size"] == len(SCAN)

    staff_url = f"/api/v1/networks/{network_id}/assessments/{created['id']}/evidence"
    downloaded = b.as_(people.analyst_a).get(f"{staff_url}/{evidence['id']}")
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == SCAN
    assert downloaded.headers["content-length"] == str(len(SCAN))
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"] == (
        "attachment; filename=\"licence scan.pdf\"; filename*=UTF-8''licence%20scan.pdf"
    )
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["cache-control"] == "private, no-store"

    # The respondent, too, gets their file back from the other server.
    again = Actor(b.client, token).get(f"/api/v1/respond/evidence/{evidence['id']}")
    assert again.status_code == 200 and again.content == SCAN
    # Another organisation still finds nothing there.
    foreign = b.as_(people.analyst_b).get(f"{staff_url}/{evidence['id']}")
    assert foreign.status_code == 404

    # The same scan uploaded again (through B) is stored once, and nothing lands on a disk.
    second = Actor(b.client, token).post(
        "/api/v1/respond/evidence",
        data={"question_id": "D2"},
        files={"file": ("copy.pdf", SCAN, "application/pdf")},
    )
    assert second.status_code == 201, second.text
    engine = b.client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(StoredFile)).one() == 1
    assert _disk_files(a) == [] and _disk_files(b) == []


def test_a_proof_of_remediation_uploaded_through_one_replica_downloads_through_another(
    replicas: list[Replica], people: World
) -> None:
    a, b = replicas
    analyst_a = a.as_(people.analyst_a)
    network_id, ids = recruiter_network(analyst_a)
    base = f"/api/v1/networks/{network_id}/plan/actions"
    action = analyst_a.post(
        base,
        json={
            "title": "Repay the recruitment fees",
            "severity": "high",
            "owner_kind": "recruiter",
            "owner_node_id": ids["DA"],
            "due_date": "2027-03-31",
        },
    )
    assert action.status_code == 201, action.text
    proof = b"%PDF-1.4\n% bank transfer receipts\n" + b"0123456789" * 150_000 + b"\n%%EOF\n"
    uploaded = analyst_a.post(
        f"{base}/{action.json()['id']}/evidence",
        files={"file": ("receipts.pdf", proof, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text

    downloaded = b.as_(people.analyst_a).get(
        f"{base}/{action.json()['id']}/evidence/{uploaded.json()['id']}"
    )
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == proof
    assert downloaded.headers["content-length"] == str(len(proof))
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert _disk_files(a) == [] and _disk_files(b) == []


def test_an_oversized_upload_is_refused_and_stores_nothing(
    replicas: list[Replica], people: World
) -> None:
    a, _b = replicas
    analyst_a = a.as_(people.analyst_a)
    questionnaire_id = publish_mini(analyst_a)
    network_id, ids = recruiter_network(analyst_a)
    created = assign(analyst_a, network_id, ids["DA"], questionnaire_id=questionnaire_id)
    limit = a.client.app.state.settings.max_evidence_bytes  # type: ignore[attr-defined]
    refused = Actor(a.client, created["invitation"]["token"]).post(
        "/api/v1/respond/evidence",
        data={"question_id": "D2"},
        files={"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * limit, "application/pdf")},
    )
    assert refused.status_code == 413
    assert "10 MB" in refused.json()["detail"]
    engine = a.client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(StoredFile)).one() == 0
