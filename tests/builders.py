"""Small builders for test data, so each test says only what matters to it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts import service as accounts
from api.accounts.models import Role, User
from api.accounts.schemas import UserCreate
from core.organisations import service as organisations
from core.organisations.models import Organisation, OrganisationKind
from core.organisations.schemas import OrganisationCreate


@dataclass
class Actor:
    """A client acting with one token; ``token=None`` is an anonymous caller."""

    client: TestClient
    token: str | None
    user_id: int | None = None
    organisation_id: int | None = None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs["headers"] = self._headers(kwargs.get("headers"))
        return self.client.request(method, url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


def make_organisation(
    session: Session, name: str, kind: OrganisationKind = OrganisationKind.company
) -> Organisation:
    return organisations.create_organisation(session, OrganisationCreate(name=name, kind=kind))


def make_user(
    session: Session, organisation: Organisation, role: Role, email: str | None = None
) -> tuple[User, str]:
    user = accounts.create_user(
        session,
        UserCreate(
            email=email or f"{role.value}.{organisation.id}@example.org",
            organisation_id=organisation.id or 0,
            role=role,
        ),
    )
    _token, secret = accounts.issue_token(session, user=user, name="test")
    return user, secret


@dataclass
class World:
    admin: Actor
    analyst_a: Actor
    viewer_a: Actor
    analyst_b: Actor
    viewer_b: Actor
    org_a: int
    org_b: int
    programme: int


def build_world(engine: Engine, client: TestClient) -> World:
    with Session(engine, expire_on_commit=False) as session:
        programme = make_organisation(session, "Programme", OrganisationKind.programme)
        org_a = make_organisation(session, "Org A")
        org_b = make_organisation(session, "Org B")
        actors: dict[str, Actor] = {}
        for key, organisation, role in [
            ("admin", programme, Role.admin),
            ("analyst_a", org_a, Role.analyst),
            ("viewer_a", org_a, Role.viewer),
            ("analyst_b", org_b, Role.analyst),
            ("viewer_b", org_b, Role.viewer),
        ]:
            user, secret = make_user(session, organisation, role)
            actors[key] = Actor(client, secret, user.id, organisation.id)
        session.commit()
        return World(
            **actors,
            org_a=org_a.id or 0,
            org_b=org_b.id or 0,
            programme=programme.id or 0,
        )


# Networks ------------------------------------------------------------------------------------


def node(
    ident: str, kind: str, name: str | None = None, country: str = "TH", **fields: Any
) -> dict:
    return {"id": ident, "kind": kind, "name": name or ident, "country": country, **fields}


def edge(source: str, target: str, kind: str, **fields: Any) -> dict:
    return {"source": source, "target": target, "kind": kind, **fields}


def create_network(actor: Actor, name: str = "Test network", **fields: Any) -> dict:
    response = actor.post("/api/v1/networks", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def import_json(
    actor: Actor, network_id: int, nodes: list[dict], edges: list[dict], **params: Any
) -> httpx.Response:
    return actor.post(
        f"/api/v1/networks/{network_id}/import",
        json={"nodes": nodes, "edges": edges},
        params=params,
    )


ASYNC = {"Prefer": "respond-async"}


def import_async(
    actor: Actor, network_id: int, nodes: list[dict], edges: list[dict]
) -> httpx.Response:
    """A JSON import asked to run as a job (``Prefer: respond-async``)."""
    return actor.post(
        f"/api/v1/networks/{network_id}/import",
        json={"nodes": nodes, "edges": edges},
        headers=ASYNC,
    )


def finished_job(actor: Actor, job_url: str, deadline_seconds: float = 60) -> dict:
    """Poll a job as a client would until it is done or failed; the deadline only keeps a
    broken queue from hanging the suite (nothing here measures time)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        job = actor.get(job_url).json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def network_with(actor: Actor, nodes: list[dict], edges: list[dict], name: str = "N") -> dict:
    """Create a network holding exactly these nodes and edges."""
    network = create_network(actor, name)
    response = import_json(actor, network["id"], nodes, edges)
    assert response.status_code == 200, response.text
    return network


def node_ids(actor: Actor, network_id: int) -> dict[str, int]:
    """External id -> database id of every node in the network."""
    items = actor.get(f"/api/v1/networks/{network_id}/nodes", params={"limit": 500}).json()
    return {n["external_id"]: n["id"] for n in items["items"]}
