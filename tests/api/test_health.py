from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.db import make_engine
from api.settings import Settings


def test_healthz_answers_without_touching_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_current_migration(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["migration"] is not None


def test_readyz_is_503_with_the_upgrade_hint_when_migrations_are_pending(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_app(Settings(database_url=str(engine.url), data_dir=tmp_path), engine)
    # Without entering the lifespan (which would refuse to start), probe readiness directly.
    client = TestClient(app)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "fairpath db upgrade" in response.json()["detail"]


def test_app_refuses_to_start_on_an_unmigrated_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_app(Settings(database_url=str(engine.url), data_dir=tmp_path), engine)
    try:
        with TestClient(app):
            raise AssertionError("the app started on an empty database")
    except RuntimeError as exc:
        assert "fairpath db upgrade" in str(exc)
