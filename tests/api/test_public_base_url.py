"""Invitation links are built on FAIRPATH_PUBLIC_BASE_URL, which production must set."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.cli import main
from api.settings import Settings, get_settings
from tests.builders import World
from tests.questionnaires.builders import assign, publish_mini, recruiter_network

PUBLIC = "https://fairpath.example.org"
SECRET = "s" * 40


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        environment="test",
        log_level="WARNING",
        public_base_url=PUBLIC + "/",
    )


def test_invitation_links_use_the_public_address(world: World) -> None:
    network_id, ids = recruiter_network(world.analyst_a)
    created = assign(
        world.analyst_a, network_id, ids["DA"], questionnaire_id=publish_mini(world.analyst_a)
    )
    token = created["invitation"]["token"]
    assert created["invitation"]["url"] == f"{PUBLIC}/respond/{token}"
    assert created["invitation"]["api_hint"].endswith(f"on {PUBLIC}/api/v1/respond/...")


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://fairpath.example.org/", "https://fairpath.example.org"),
        ("  http://10.0.0.5:8000  ", "http://10.0.0.5:8000"),
        ("https://example.org/fairpath/", "https://example.org/fairpath"),
        ("", None),
    ],
)
def test_the_address_is_normalised(value: str, stored: str | None) -> None:
    assert Settings(public_base_url=value).public_base_url == stored


@pytest.mark.parametrize(
    "value", ["fairpath.example.org", "ftp://example.org", "https://", "https://x.org/?a=1"]
)
def test_a_malformed_address_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="public_base_url"):
        Settings(public_base_url=value)


def test_development_falls_back_to_the_local_server() -> None:
    assert Settings().invitation_base_url() == "http://localhost:8000"
    assert Settings(public_base_url=PUBLIC).invitation_base_url() == PUBLIC


def test_production_refuses_to_start_without_it(tmp_path: Path) -> None:
    production = Settings(data_dir=tmp_path, environment="production", secret_key=SECRET)
    with pytest.raises(RuntimeError, match="FAIRPATH_PUBLIC_BASE_URL"):
        production.check_production_safety()
    production.model_copy(update={"public_base_url": PUBLIC}).check_production_safety()


def test_serve_says_what_is_missing_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("FAIRPATH_ENVIRONMENT", "production")
    monkeypatch.setenv("FAIRPATH_SECRET_KEY", SECRET)
    monkeypatch.setenv("FAIRPATH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAIRPATH_PUBLIC_BASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["serve", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"]) == 1
        assert "FAIRPATH_PUBLIC_BASE_URL must be set" in capsys.readouterr().err
        monkeypatch.setenv("FAIRPATH_PUBLIC_BASE_URL", "localhost")
        get_settings.cache_clear()
        assert main(["serve"]) == 1
        error = capsys.readouterr().err
        assert "FAIRPATH_PUBLIC_BASE_URL: must be an absolute http(s) address" in error
        assert "Traceback" not in error
    finally:
        get_settings.cache_clear()
