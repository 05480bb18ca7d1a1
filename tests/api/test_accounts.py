"""Organisations, users, roles and tokens through the API, as a real client would use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts import service
from api.accounts.models import ApiToken
from api.cli import main as cli
from core.clock import utcnow
from core.tokens import hash_token
from tests.builders import Actor, World


def _token_from_cli_output(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_token_flow_from_cli_admin_to_revocation(
    database_url: str, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first admin is created from the shell and gets a token printed once.
    assert (
        cli(
            [
                "users",
                "create",
                "--email",
                "Root@Example.org",
                "--role",
                "admin",
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    admin = Actor(client, _token_from_cli_output(capsys.readouterr().out))
    me = admin.get("/api/v1/me").json()
    assert me["user"]["email"] == "root@example.org"
    assert me["user"]["role"] == "admin"
    assert me["organisation"]["kind"] == "programme"

    # The admin creates two organisations and an analyst and a viewer in the first.
    org = admin.post("/api/v1/organisations", json={"name": "Northwind Seafood"}).json()
    other = admin.post("/api/v1/organisations", json={"name": "Contoso Electronics"}).json()
    analyst_user = admin.post(
        "/api/v1/users",
        json={"email": "ana@northwind.example", "organisation_id": org["id"], "role": "analyst"},
    )
    assert analyst_user.status_code == 201, analyst_user.text
    viewer_user = admin.post(
        "/api/v1/users",
        json={"email": "vic@northwind.example", "organisation_id": org["id"], "role": "viewer"},
    ).json()
    issued = admin.post(f"/api/v1/users/{analyst_user.json()['id']}/tokens", json={"name": "t"})
    assert issued.status_code == 201
    analyst = Actor(client, issued.json()["token"])
    viewer = Actor(
        client, admin.post(f"/api/v1/users/{viewer_user['id']}/tokens", json={}).json()["token"]
    )

    # The analyst reads their own organisation and gets 404 for the other one.
    assert analyst.get(f"/api/v1/organisations/{org['id']}").status_code == 200
    foreign = analyst.get(f"/api/v1/organisations/{other['id']}")
    assert foreign.status_code == 404
    assert analyst.get("/api/v1/organisations").json()["total"] == 1

    # A viewer may read but gets 403 on a write.
    assert viewer.get(f"/api/v1/organisations/{org['id']}").status_code == 200
    assert viewer.post("/api/v1/organisations", json={"name": "X"}).status_code == 403

    # Revoking the analyst's token makes it fail with 401 at once.
    token_id = issued.json()["id"]
    assert admin.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    revoked = analyst.get("/api/v1/me")
    assert revoked.status_code == 401
    assert revoked.headers["WWW-Authenticate"] == "Bearer"


def test_no_token_and_bad_token_are_401(anonymous: Actor, client: TestClient) -> None:
    assert anonymous.get("/api/v1/me").status_code == 401
    assert Actor(client, "fpu_not-a-real-token").get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


def test_token_is_stored_only_as_a_hash_and_records_last_use(world: World, engine: Engine) -> None:
    created = world.admin.post(f"/api/v1/users/{world.analyst_a.user_id}/tokens", json={}).json()
    secret = created["token"]
    with Session(engine) as session:
        stored = session.get(ApiToken, created["id"])
        assert stored is not None
        assert stored.token_hash == hash_token(secret)
        assert secret not in {stored.token_hash, stored.prefix}
        assert stored.last_used_at is None
    Actor(world.admin.client, secret).get("/api/v1/me")
    listed = world.admin.get(f"/api/v1/users/{world.analyst_a.user_id}/tokens").json()
    entry = next(t for t in listed if t["id"] == created["id"])
    assert entry["last_used_at"] is not None
    assert "token" not in entry


def test_expired_token_is_401(world: World, engine: Engine) -> None:
    created = world.admin.post(
        f"/api/v1/users/{world.viewer_a.user_id}/tokens", json={"expires_in_days": 1}
    ).json()
    with Session(engine) as session:
        stored = session.get(ApiToken, created["id"])
        assert stored is not None
        stored.expires_at = utcnow() - timedelta(seconds=1)
        session.add(stored)
        session.commit()
    assert Actor(world.admin.client, created["token"]).get("/api/v1/me").status_code == 401


def test_deactivated_user_is_locked_out(world: World) -> None:
    assert world.analyst_a.get("/api/v1/me").status_code == 200
    response = world.admin.patch(
        f"/api/v1/users/{world.analyst_a.user_id}", json={"is_active": False}
    )
    assert response.status_code == 200
    assert world.analyst_a.get("/api/v1/me").status_code == 401


def test_only_admins_manage_organisations_and_users(world: World) -> None:
    assert world.analyst_a.post("/api/v1/organisations", json={"name": "New"}).status_code == 403
    response = world.analyst_a.post(
        "/api/v1/users",
        json={"email": "x@example.org", "organisation_id": world.org_a, "role": "admin"},
    )
    assert response.status_code == 403
    patch = world.analyst_a.patch(f"/api/v1/users/{world.viewer_a.user_id}", json={"role": "admin"})
    assert patch.status_code == 403


def test_users_are_scoped_to_their_organisation(world: World) -> None:
    emails = {u["email"] for u in world.analyst_a.get("/api/v1/users").json()["items"]}
    assert emails == {f"analyst.{world.org_a}@example.org", f"viewer.{world.org_a}@example.org"}
    assert world.analyst_a.get(f"/api/v1/users/{world.analyst_b.user_id}").status_code == 404
    assert world.admin.get("/api/v1/users").json()["total"] == 5
    filtered = world.admin.get(f"/api/v1/users?organisation_id={world.org_b}&role=viewer")
    assert [u["email"] for u in filtered.json()["items"]] == [f"viewer.{world.org_b}@example.org"]


def test_tokens_of_other_organisations_cannot_be_revoked(world: World) -> None:
    token = world.admin.post(f"/api/v1/users/{world.analyst_b.user_id}/tokens", json={}).json()
    assert world.analyst_a.delete(f"/api/v1/tokens/{token['id']}").status_code == 404
    own = world.analyst_a.post(f"/api/v1/users/{world.analyst_a.user_id}/tokens", json={}).json()
    # A colleague in the same organisation may not revoke someone else's token.
    assert world.viewer_a.delete(f"/api/v1/tokens/{own['id']}").status_code == 403
    assert world.analyst_a.delete(f"/api/v1/tokens/{own['id']}").status_code == 200


def test_users_may_issue_their_own_tokens_but_not_others(world: World) -> None:
    mine = world.viewer_a.post(f"/api/v1/users/{world.viewer_a.user_id}/tokens", json={})
    assert mine.status_code == 201
    theirs = world.viewer_a.post(f"/api/v1/users/{world.analyst_a.user_id}/tokens", json={})
    assert theirs.status_code == 403


def test_duplicates_conflict(world: World) -> None:
    assert world.admin.post("/api/v1/organisations", json={"name": "Org A"}).status_code == 409
    response = world.admin.post(
        "/api/v1/users",
        json={
            "email": f"ANALYST.{world.org_a}@example.org",
            "organisation_id": world.org_a,
            "role": "viewer",
        },
    )
    assert response.status_code == 409


def test_user_in_missing_organisation_names_the_field(world: World) -> None:
    response = world.admin.post(
        "/api/v1/users", json={"email": "a@b.example", "organisation_id": 999, "role": "viewer"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organisation_id"


def test_pagination_of_organisations(world: World) -> None:
    page = world.admin.get("/api/v1/organisations?limit=2&offset=1").json()
    assert page["total"] == 3
    assert page["limit"] == 2
    assert [o["name"] for o in page["items"]] == ["Org A", "Org B"]


def test_authenticate_refuses_unknown_and_accepts_known(world: World, engine: Engine) -> None:
    with Session(engine) as session:
        user = service.authenticate_token(session, world.analyst_b.token or "")
        assert user.id == world.analyst_b.user_id
