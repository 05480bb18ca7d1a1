"""Requests wait for a database connection in the event loop, and liveness never waits.

A burst of autosaves once held every worker thread and every pooled connection against each
other: nothing answered, ``/healthz`` included. Here every slot is held by a request that
blocks until released; the next request must wait, then be told the server is busy (not hang),
``/healthz`` must answer throughout, and the held requests must all finish once released.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.app import create_app
from api.db import REQUEST_SLOTS
from api.deps import SessionDep
from api.settings import Settings


def test_requests_past_the_pool_wait_then_get_503_and_healthz_answers(
    settings: Settings, engine: Engine
) -> None:
    app = create_app(settings.model_copy(update={"admission_wait_seconds": 0.5}), engine)
    release = threading.Event()
    holding = threading.Semaphore(0)

    @app.get("/api/v1/hold")  # its own app: the test adds a route that holds its connection
    def hold(session: SessionDep) -> dict[str, int]:
        session.execute(text("SELECT 1"))
        holding.release()
        release.wait(timeout=30)
        return {"held": 1}

    async def scenario() -> tuple[list[httpx.Response], httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            held = [asyncio.create_task(client.get("/api/v1/hold")) for _ in range(REQUEST_SLOTS)]
            for _ in range(REQUEST_SLOTS):  # every slot taken, each with a connection
                await asyncio.to_thread(holding.acquire, timeout=30)
            busy = await client.get("/api/v1/hold")
            live = await client.get("/healthz")
            release.set()
            return list(await asyncio.gather(*held)), busy, live

    held, busy, live = asyncio.run(scenario())

    assert busy.status_code == 503, busy.text
    assert busy.headers["content-type"].startswith("application/problem+json")
    assert busy.headers["retry-after"] == "5"
    assert busy.json()["type"] == "urn:fairpath:problem:server-busy"
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert [response.status_code for response in held] == [200] * REQUEST_SLOTS
