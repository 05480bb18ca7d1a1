"""Cookies nobody can forge: no built-in secret, and sessions the server can end."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.settings import Settings
from api.web.dashboard_session import SESSION_COOKIE, SESSION_SECONDS
from api.web.signing import sign, unsign
from tests.builders import World
from tests.web.sessions import browser, signed_in

# Every secret this project has ever shipped or documented, and the obvious guesses.
FIXED_SECRETS = ["development-only-secret-change-me", "secret", "changeme", "", "fairpath"]


def test_the_default_key_is_random_kept_private_and_stable(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path / "a", environment="development")
    second = Settings(data_dir=tmp_path / "b", environment="development")
    key = first.signing_key()
    assert len(key) >= 48 and key != second.signing_key()
    assert key not in FIXED_SECRETS
    stored = tmp_path / "a" / "secret_key"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # A restart on the same data directory keeps the key, so sessions survive it.
    assert Settings(data_dir=tmp_path / "a").signing_key() == key


def test_production_refuses_to_start_without_a_configured_key(tmp_path: Path) -> None:
    for secret in (None, "short"):
        with pytest.raises(RuntimeError, match="FAIRPATH_SECRET_KEY"):
            Settings(
                data_dir=tmp_path,
                environment="production",
                secret_key=secret,
                public_base_url="https://fairpath.example.org",
            ).check_production_safety()
    Settings(
        environment="production",
        secret_key="x" * 40,
        public_base_url="https://fairpath.example.org",
    ).check_production_safety()


def test_no_fixed_secret_signs_an_accepted_cookie(
    world: World, client: TestClient, engine: Engine
) -> None:
    person = signed_in(client, engine, world.admin.user_id)
    genuine = unsign(
        person.cookies[SESSION_COOKIE],
        client.app.state.settings.signing_key(),  # type: ignore[attr-defined]
        max_age=SESSION_SECONDS,
    )
    assert genuine is not None
    for secret in FIXED_SECRETS:
        for payload in (genuine, {"uid": world.admin.user_id, "csrf": "x"}):
            forger = browser(client)
            forger.cookies.set(SESSION_COOKIE, sign(payload, secret))
            answer = forger.get("/dashboard", follow_redirects=False)
            assert answer.status_code == 303, secret


def test_a_signed_out_session_cookie_is_refused(
    world: World, client: TestClient, engine: Engine
) -> None:
    person = signed_in(client, engine, world.analyst_a.user_id)
    copied = person.cookies[SESSION_COOKIE]
    assert person.get("/dashboard").status_code == 200
    out = person.post("/logout", follow_redirects=False)
    assert out.status_code == 303
    replay = browser(client)
    replay.cookies.set(SESSION_COOKIE, copied)
    assert replay.get("/dashboard", follow_redirects=False).status_code == 303


def test_a_new_password_ends_every_session(
    world: World, client: TestClient, engine: Engine
) -> None:
    laptop = signed_in(client, engine, world.analyst_a.user_id)
    phone = signed_in(client, engine, world.analyst_a.user_id)
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 200
    changed = world.admin.patch(
        f"/api/v1/users/{world.analyst_a.user_id}", json={"password": "a brand new passphrase"}
    )
    assert changed.status_code == 200, changed.text
    assert laptop.get("/dashboard", follow_redirects=False).status_code == 303
    assert phone.get("/dashboard", follow_redirects=False).status_code == 303


def test_deactivation_ends_the_session(world: World, client: TestClient, engine: Engine) -> None:
    person = signed_in(client, engine, world.viewer_a.user_id)
    assert person.get("/dashboard").status_code == 200
    gone = world.admin.patch(f"/api/v1/users/{world.viewer_a.user_id}", json={"is_active": False})
    assert gone.status_code == 200, gone.text
    assert person.get("/dashboard", follow_redirects=False).status_code == 303
