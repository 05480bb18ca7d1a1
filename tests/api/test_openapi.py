"""The OpenAPI document is a product surface: clients are generated from it."""

from fastapi import FastAPI

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(app: FastAPI):  # type: ignore[no-untyped-def]
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_has_a_stable_unique_id_and_a_tag(app: FastAPI) -> None:
    ids = []
    for path, method, operation in _operations(app):
        assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"
        assert operation.get("tags"), f"{method.upper()} {path} has no tag"
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


def test_authenticated_operations_declare_401_and_problem_schema(app: FastAPI) -> None:
    for path, method, operation in _operations(app):
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/respond"):
            continue
        assert "401" in operation["responses"], f"{method.upper()} {path} lacks 401"


def test_operations_with_a_body_declare_malformed_and_invalid_input(app: FastAPI) -> None:
    """A body that is not JSON is a 400 and a wrong field a 422 on every such operation; the
    fuzzing test finds an undeclared one only when it happens to send such a body."""
    for path, method, operation in _operations(app):
        if "requestBody" not in operation:
            continue
        declared = set(operation["responses"])
        assert {"400", "422"} <= declared, f"{method.upper()} {path} declares {sorted(declared)}"


def test_request_bodies_carry_examples(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for name in ("OrganisationCreate", "UserCreate", "TokenCreate"):
        assert schemas[name].get("examples"), name


def test_error_responses_are_problem_details(app: FastAPI) -> None:
    document = app.openapi()
    for path, method, operation in _operations(app):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, f"{method.upper()} {path} {status}"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem_type = document["components"]["schemas"]["Problem"]["properties"]["type"]
    assert problem_type["pattern"].startswith("^urn:fairpath:problem:")


def test_downloads_declare_their_media_types(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    def media(path: str) -> dict:
        return paths[f"/api/v1/networks/{{network_id}}{path}"]["get"]["responses"]["200"]["content"]

    assert media("/report.pdf") == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }
    assert set(media("/plan/export")) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    evidence = media("/assessments/{assessment_id}/evidence/{evidence_id}")
    assert {"application/pdf", "image/png", "image/jpeg"} <= set(evidence)
    assert "image/svg+xml" in media("/heatmaps/{name}.{extension}")
