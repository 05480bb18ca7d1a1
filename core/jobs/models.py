"""A job's row: what the API shows about long work while a worker does it.

The queue (Huey) only carries the job's id; everything a client reads (state, progress, result,
error) lives here, in the one database every replica and worker shares, so any replica answers
``GET /api/v1/jobs/{id}`` and a worker that dies leaves a row the next one can judge by its
heartbeat.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


FINISHED_STATES = (JobState.done, JobState.failed)


class Job(SQLModel, table=True):
    __table_args__ = (Index("ix_job_organisation_created", "organisation_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=40)
    state: JobState = Field(default=JobState.queued, sa_type=enum_column(JobState), index=True)
    # The network the job works on, kept as a plain number: a job outlives a deleted network.
    network_id: int | None = Field(default=None)
    created_by: int | None = Field(default=None)
    stage: str = Field(default="queued", max_length=60)
    done: int = 0
    total: int | None = None
    attempts: int = 0
    max_attempts: int = 3
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    problem: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
