"""What a client reads about a job (``GET /api/v1/jobs/{id}``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.jobs.models import JobState


class JobProgress(BaseModel):
    stage: str = Field(examples=["validating nodes"])
    done: int = Field(examples=[40000])
    total: int | None = Field(default=None, examples=[100000], description="None while unknown")
    percent: float | None = Field(default=None, examples=[40.0])


class JobRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "kind": "network-import",
                    "state": "running",
                    "network_id": 4,
                    "progress": {
                        "stage": "validating nodes",
                        "done": 40000,
                        "total": 100000,
                        "percent": 40.0,
                    },
                    "attempts": 1,
                    "max_attempts": 3,
                    "stalled": False,
                    "result": None,
                    "problem": None,
                    "links": {"self": "/api/v1/jobs/17", "network": "/api/v1/networks/4"},
                    "created_at": "2026-12-03T09:00:00Z",
                    "started_at": "2026-12-03T09:00:01Z",
                    "heartbeat_at": "2026-12-03T09:00:07Z",
                    "finished_at": None,
                }
            ]
        }
    )

    id: int
    kind: str = Field(description="network-import, network-export, report or findings-refresh")
    state: JobState
    network_id: int | None
    progress: JobProgress
    attempts: int = Field(
        description="Runs started so far (a transient fault or a lost worker "
        "starts another, up to max_attempts)"
    )
    max_attempts: int
    stalled: bool = Field(
        description="Running, but its worker has not reported within the lease; a worker will "
        "retry or fail it"
    )
    result: dict[str, Any] | None = Field(
        description="When done: what the work produced (an import's counts, a report's file)"
    )
    problem: dict[str, Any] | None = Field(
        description="When failed (or waiting to retry): RFC 9457 problem details, with the "
        "file, row and column of each problem for a refused import"
    )
    links: dict[str, str]
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
