"""Every error is a problem-details document that names what is wrong, never a stack trace."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from api.settings import Settings
from tests.builders import World

PROBLEM = "application/problem+json"


def _assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


def test_malformed_json_is_400_with_the_parse_error(world: World) -> None:
    response = world.admin.post(
        "/api/v1/organisations",
        content=b'{"name": "Acme",',
        headers={"Content-Type": "application/json"},
    )
    body = _assert_problem(response, 400)
    assert "not valid JSON" in body["detail"]


def test_wrong_type_names_the_field(world: World) -> None:
    response = world.admin.post("/api/v1/organisations", json={"name": 42})
    body = _assert_problem(response, 422)
    assert body["errors"][0]["field"] == "name"
    assert body["errors"][0]["in"] == "body"


def test_unknown_field_names_the_field(world: World) -> None:
    response = world.admin.post("/api/v1/organisations", json={"name": "Acme", "colour": "red"})
    body = _assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["colour"]
    assert "Unknown field" in body["errors"][0]["message"]


def test_every_invalid_field_is_listed(world: World) -> None:
    response = world.admin.post(
        "/api/v1/users",
        json={"email": "not-an-email", "organisation_id": "x", "role": "superuser"},
    )
    body = _assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} == {"email", "organisation_id", "role"}


def test_invalid_query_parameter_names_it(world: World) -> None:
    body = _assert_problem(world.admin.get("/api/v1/organisations?limit=0"), 422)
    assert body["errors"][0]["field"] == "limit"
    assert body["errors"][0]["in"] == "query"


def test_oversized_json_body_is_413(world: World, app: FastAPI) -> None:
    limit = app.state.settings.max_json_bytes
    response = world.admin.post(
        "/api/v1/organisations",
        content=b'{"name": "' + b"x" * (limit + 10) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    _assert_problem(response, 413)


def test_oversized_streamed_body_without_length_is_413(world: World, app: FastAPI) -> None:
    limit = app.state.settings.max_json_bytes

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = world.admin.post(
        "/api/v1/organisations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _assert_problem(response, 413)


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    body = _assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert "/api/v1/nothing-here" in body["detail"]


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    _assert_problem(client.delete("/healthz"), 405)


def test_unexpected_crash_is_500_without_internals(settings: Settings, engine: Engine) -> None:
    app = create_app(settings, engine)  # its own app: the test adds a route to it

    @app.get("/boom")
    def boom() -> None:
        raise ValueError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = _assert_problem(response, 500)
    assert "secret internal detail" not in response.text
    assert "unexpected error" in body["detail"]


def test_wrong_method_names_every_allowed_method(world: World) -> None:
    # GET and POST /networks are two routes: Starlette alone would name only the first one's.
    response = world.admin.delete("/api/v1/networks")
    body = _assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"
    assert body["type"] == "urn:fairpath:problem:method-not-allowed"


def test_framework_errors_use_fairpath_problem_types(client: TestClient) -> None:
    assert _assert_problem(client.get("/api/v1/nothing-here"), 404)["type"] == (
        "urn:fairpath:problem:not-found"
    )
    assert _assert_problem(client.delete("/healthz"), 405)["type"] == (
        "urn:fairpath:problem:method-not-allowed"
    )


def test_integers_past_the_database_range_are_422(world: World) -> None:
    for url in (
        f"/api/v1/organisations/{2**63}",  # SQLite's INTEGER overflows from here
        f"/api/v1/users/{2**31}",  # PostgreSQL's INTEGER from here
        f"/api/v1/users?organisation_id={2**31}",
        f"/api/v1/organisations?offset={2**63}",
        "/api/v1/users/-1",
    ):
        body = _assert_problem(world.admin.get(url), 422)
        assert body["errors"][0]["in"] in {"path", "query"}, url


def test_true_is_not_the_number_one(world: World) -> None:
    response = world.admin.post(
        "/api/v1/users",
        json={"email": "x@example.org", "organisation_id": True, "role": "viewer"},
    )
    assert [e["field"] for e in _assert_problem(response, 422)["errors"]] == ["organisation_id"]
    response = world.admin.post(
        f"/api/v1/users/{world.admin.user_id}/tokens", json={"expires_in_days": True}
    )
    assert [e["field"] for e in _assert_problem(response, 422)["errors"]] == ["expires_in_days"]


def test_control_characters_in_a_search_are_422(world: World) -> None:
    body = _assert_problem(world.admin.get("/api/v1/networks?q=a%00b"), 422)
    assert body["errors"][0]["field"] == "q"
