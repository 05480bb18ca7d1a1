"""A stored file's bytes, in the database every replica shares, in chunks.

Content-addressed by SHA-256, so identical uploads share one copy. Chunks keep any one row (and
any one read) small: a 60 MB import upload is streamed in and out a chunk at a time, never held
whole in memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime

CHUNK_BYTES = 1024 * 1024


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    chunks: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StoredFileChunk(SQLModel, table=True):
    __tablename__ = "stored_file_chunk"

    sha256: str = Field(primary_key=True, max_length=64, foreign_key="stored_file.sha256")
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
