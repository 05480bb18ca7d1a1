"""Every operation of the OpenAPI document, fuzzed: no server errors, answers as documented.

Schemathesis generates requests from the document served by the app (valid and invalid ones)
and sends them in-process over ASGI; each answer must not be a 5xx, must match the declared
status codes, media types, headers and schemas, and an invalid request must be refused.

One test per operation, each on a fresh database with a seeded world: Org A's network (a
company, a supplier and two recruiters), an assessment of the destination agency with its
invitation and an evidence file, a manual finding, a remediation action with an amount owed,
a proof file and a payment, and a spare user token. Three of four valid requests aim at these
real ids (path parameters and id fields of bodies), so operations get past "not found"; the
rest keep their generated ids, huge and negative ones included.

Roles: staff operations alternate between the programme admin and Org A's analyst; the
respondent operations (``/respond``) are called with the invitation token as bearer.

Nothing is excluded: an operation that destroys part of the seeded world (deleting a node,
revoking a token or an invitation) only does so for its own later examples, since every
operation starts from a fresh database.

Bounded and deterministic: ``EXAMPLES`` examples per operation, derandomized
(the same requests on every run), no deadline, no shrinking.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.generation import GenerationMode

from core.schemas import INT32_LIMIT
from tests.builders import World
from tests.questionnaires.builders import assign, publish_mini, recruiter_network

SURFACE = Path(__file__).with_name("openapi_operations.json")
OPERATIONS = {row["operation_id"]: row for row in json.loads(SURFACE.read_text("utf-8"))}
PDF = b"%PDF-1.4\n%%EOF\n"
EXAMPLES = 6  # per operation, shared between its roles

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]
# Past PostgreSQL's INTEGER, and past SQLite's INTEGER (and every BIGINT).
OUT_OF_RANGE = (2**31, 2**63)
SWEEP_CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            # Unknown query parameters are ignored, as by most HTTP APIs: not an invalid request.
            "allow-extra-parameters": False,
            # The test sends the bearer token of the role it acts as.
            "with-security-parameters": False,
        }
    }
)
# Body fields naming a seeded object, and which seeded id they take.
BODY_IDS = {
    "node_id": "node_id",
    "owner_node_id": "node_id",
    "finding_id": "finding_id",
    "questionnaire_id": "questionnaire_id",
    "organisation_id": "organisation_id",
    "proof_evidence_id": "action_evidence_id",
}

_SCHEMAS: dict[int, Any] = {}


def _schema(app: FastAPI) -> Any:
    """The document the app serves, loaded once per app (and process)."""
    key = id(app)
    if key not in _SCHEMAS:
        schema = schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)
        schema.app = app
        _SCHEMAS[key] = schema
    return _SCHEMAS[key]


def _created(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _seed(world: World, path: str) -> tuple[dict[str, Any], str | None]:
    """What the operation at ``path`` can aim at, by parameter name, and the invitation token.

    Only what the path can reach is seeded (a network for network operations, a plan for plan
    operations...): seeding is most of the time of an operation without a network.
    """
    admin, analyst = world.admin, world.analyst_a
    ids: dict[str, Any] = {
        "organisation_id": world.org_a,
        "user_id": world.viewer_a.user_id,
        "country": "TH",
    }
    if "{token_id}" in path:  # a token of its own to revoke, not the caller's
        spare = admin.post(f"/api/v1/users/{world.viewer_a.user_id}/tokens", json={})
        ids["token_id"] = _created(spare)["id"]
    if not path.startswith(("/api/v1/networks/{network_id}", "/api/v1/respond")):
        ids["questionnaire_id"] = _created(admin.get("/api/v1/questionnaires"))[0]["id"]
        return ids, None
    ids["questionnaire_id"] = publish_mini(analyst)
    network_id, nodes = recruiter_network(analyst)
    created = assign(analyst, network_id, nodes["DA"], questionnaire_id=ids["questionnaire_id"])
    base = f"/api/v1/networks/{network_id}"
    ids |= {
        "network_id": network_id,
        "node_id": nodes["DA"],
        "edge_id": _created(analyst.get(f"{base}/edges"))["items"][0]["id"],
        "assessment_id": created["id"],
        "invitation_id": created["invitation"]["id"],
    }
    if "/evidence" in path:
        evidence = analyst.post(
            f"{base}/assessments/{created['id']}/evidence",
            data={"question_id": "D2"},
            files={"file": ("licence.pdf", PDF, "application/pdf")},
        )
        ids["evidence_id"] = _created(evidence)["id"]
    if "/findings" in path or "/plan" in path:
        finding = analyst.post(
            f"{base}/findings", json={"severity": "high", "title": "Workers paid a medical fee"}
        )
        ids["finding_id"] = _created(finding)["id"]
    if "/plan" in path:
        action = analyst.post(
            f"{base}/plan/actions",
            json={
                "title": "Repay the medical fee",
                "severity": "high",
                "owner_kind": "company",
                "due_date": "2027-03-31",
                "finding_id": ids["finding_id"],
            },
        )
        ids["action_id"] = _created(action)["id"]
        action_url = f"{base}/plan/actions/{ids['action_id']}"
        owed = {"owed_amount": 10000, "owed_currency": "THB", "owed_workers": 10}
        _created(analyst.patch(action_url, json=owed))
        proof = analyst.post(
            f"{action_url}/evidence", files={"file": ("transfers.pdf", PDF, "application/pdf")}
        )
        ids["action_evidence_id"] = _created(proof)["id"]
        payment = analyst.post(
            f"{action_url}/payments",
            json={"amount": 100, "currency": "THB", "paid_on": "2025-01-02"},
        )
        ids["payment_id"] = _created(payment)["payment"]["id"]
        if "/plan/actions/{action_id}/evidence" in path:
            ids["evidence_id"] = ids["action_evidence_id"]
    return ids, created["invitation"]["token"]


def _aim_at_seeded(case: Any, ids: dict[str, Any]) -> None:
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    if isinstance(case.body, dict):
        for field, key in BODY_IDS.items():
            if field in case.body and key in ids:
                case.body[field] = ids[key]


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_operation_keeps_its_contract(operation_id: str, app: FastAPI, world: World) -> None:
    row = OPERATIONS[operation_id]
    ids, invitation = _seed(world, row["path"])
    operation = _schema(app)[row["path"]][row["method"].upper()]
    staff = [str(world.admin.token), str(world.analyst_a.token)]
    tokens = [invitation] if invitation and row["path"].startswith("/api/v1/respond") else staff
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, token=st.sampled_from(tokens), aim=st.integers(0, 3))
    def check(case: Any, token: str, aim: int) -> None:
        if aim and case.meta.generation.mode == GenerationMode.POSITIVE:
            _aim_at_seeded(case, ids)
            aimed.setdefault("case", case)
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    aimed: dict[str, Any] = {}
    check()
    # Random integers rarely land past a column's range: try each integer input there, in an
    # otherwise valid request aimed at the seeded world.
    headers = {"Authorization": f"Bearer {tokens[-1]}"}
    for case in _out_of_range(
        operation_id, operation, aimed.get("case"), _integer_inputs(app, row)
    ):
        case.validate_response(case.call(headers=headers), checks=SWEEP_CHECKS, headers=headers)


def _integer_inputs(app: FastAPI, row: dict[str, str]) -> list[tuple[str, str]]:
    """(location, name) of every integer path or query parameter and top-level body field."""
    document = app.openapi()
    operation = document["paths"][row["path"]][row["method"]]
    found = [
        (parameter["in"], parameter["name"])
        for parameter in operation.get("parameters", [])
        if _is_integer(parameter["schema"])
    ]
    content = operation.get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    if ref:
        body = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        found += [
            ("body", name)
            for name, schema in body.get("properties", {}).items()
            if _is_integer(schema)
        ]
    return found


def _is_integer(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "integer" or any(
        option.get("type") == "integer" for option in schema.get("anyOf", [])
    )


def _out_of_range(
    operation_id: str, operation: Any, base: Any, inputs: list[tuple[str, str]]
) -> Iterator[Any]:
    """The base case with one integer input at a time set past what a column holds."""
    if base is None:
        return
    for where, name in inputs:
        for value in OUT_OF_RANGE:
            path = dict(base.path_parameters or {})
            query = dict(base.query or {})
            # The body only when there is one (its absence is a value of its own).
            parts = {"body": copy.deepcopy(base.body)} if base.media_type else {}
            if where == "path":
                path[name] = value
            elif where == "query":
                query[name] = value
            elif isinstance(parts.get("body"), dict):
                parts["body"][name] = value
            else:
                continue
            yield operation.Case(
                path_parameters=path, query=query, media_type=base.media_type, **parts
            )


def test_a_network_id_out_of_range_is_422(world: World) -> None:
    for value in (INT32_LIMIT, 2**63):  # past PostgreSQL's INTEGER, past SQLite's
        response = world.admin.get(f"/api/v1/networks/{value}")
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "network_id"


def test_an_action_field_it_cannot_be_without_is_not_nulled(world: World) -> None:
    ids, _invitation = _seed(world, "/api/v1/networks/{network_id}/plan/actions/{action_id}")
    url = f"/api/v1/networks/{ids['network_id']}/plan/actions/{ids['action_id']}"
    for field in ("title", "owner_name", "owner_kind", "due_date", "description"):
        response = world.analyst_a.patch(url, json={field: None})
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert world.analyst_a.get(url).json()["title"] == "Repay the medical fee"
    cleared = world.analyst_a.patch(url, json={"owner_name": "", "owner_node_id": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["owner_name"] == ""


def test_body_ids_and_counts_out_of_range_are_422(world: World) -> None:
    ids, _invitation = _seed(world, "/api/v1/networks/{network_id}/plan/actions/{action_id}")
    base = f"/api/v1/networks/{ids['network_id']}"
    url = f"{base}/plan/actions/{ids['action_id']}"
    for value in (INT32_LIMIT, 2**63):
        response = world.analyst_a.patch(url, json={"owner_node_id": value})
        assert response.status_code == 422, response.text
        response = world.analyst_a.patch(f"{base}/nodes/{ids['node_id']}", json={"workers": value})
        assert response.status_code == 422, response.text
    response = world.admin.post("/api/v1/networks", json={"name": "n", "organisation_id": 2**62})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "organisation_id"
