"""Storing and reading files in the database every replica shares, one chunk at a time.

The one seam for stored files (evidence, proofs of remediation, import uploads, report files):
whatever writes or reads a file's bytes goes through these functions, so a file uploaded
through one server is there for all of them. Writes go into the caller's session and the caller
commits: a file and the row that refers to it are kept together or not at all.

Memory stays bounded whatever the file's size: an incoming stream is hashed and spooled to a
temporary file (at most about one chunk in memory) before a row is written, and reading yields
one chunk per query.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import IO, BinaryIO

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import utcnow
from core.errors import NotFound, PayloadTooLarge
from core.filestore.models import CHUNK_BYTES, StoredFile, StoredFileChunk


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


# Writing -------------------------------------------------------------------------------------


def store_stream(
    session: Session,
    chunks: Iterable[bytes],
    *,
    max_bytes: int | None = None,
    what: str = "the file",
) -> StoredBlob:
    """Store what ``chunks`` yield, once: identical content shares one copy.

    The size limit is enforced while reading: past ``max_bytes`` this raises
    ``PayloadTooLarge`` at once, reads no further and has written nothing.
    """
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as spool:
        for piece in chunks:
            size += len(piece)
            if max_bytes is not None and size > max_bytes:
                raise _too_large(what, max_bytes)
            digest.update(piece)
            spool.write(piece)
        spool.seek(0)
        return _keep(session, digest.hexdigest(), size, spool)


def chunks_of(source: IO[bytes]) -> Iterator[bytes]:
    """An open file as a stream of chunks, read only as far as the one consuming it asks."""
    return iter(lambda: source.read(CHUNK_BYTES), b"")


def store_bytes(
    session: Session, data: bytes, *, max_bytes: int | None = None, what: str = "the file"
) -> StoredBlob:
    """Store bytes already in memory, like ``store_stream``."""
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(what, max_bytes)
    return _keep(session, hashlib.sha256(data).hexdigest(), len(data), io.BytesIO(data))


def _too_large(what: str, max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Cannot store {what}: it is larger than {max_bytes / (1024 * 1024):g} MB, the limit"
    )


def _keep(session: Session, sha256: str, size: int, source: IO[bytes]) -> StoredBlob:
    if _claim(session, sha256, size):
        seq = 0
        while piece := source.read(CHUNK_BYTES):
            # One row at a time, by statement: no chunk stays referenced by the session.
            session.execute(insert(StoredFileChunk).values(sha256=sha256, seq=seq, data=piece))
            seq += 1
    session.flush()
    return StoredBlob(sha256, size)


def _claim(session: Session, sha256: str, size: int) -> bool:
    """Add the file's row unless it is there; whether this call added it (and must add the
    chunks). Two servers storing the same new file at once: the second waits for the first's
    transaction and then finds the row, instead of failing on the primary key."""
    if exists(session, sha256):
        return False
    values = {
        "sha256": sha256,
        "size": size,
        "chunks": -(-size // CHUNK_BYTES),
        "created_at": utcnow(),
    }
    name = session.get_bind().dialect.name
    if name in ("postgresql", "sqlite"):
        dialect = postgresql if name == "postgresql" else sqlite
        statement = dialect.insert(StoredFile).values(**values).on_conflict_do_nothing()
        return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]
    session.execute(insert(StoredFile).values(**values))
    return True


# Reading -------------------------------------------------------------------------------------


def exists(session: Session, sha256: str) -> bool:
    return find(session, sha256) is not None


def find(session: Session, sha256: str) -> StoredBlob | None:
    """The stored file with this hash (its size, for a Content-Length), or None."""
    size = session.exec(select(StoredFile.size).where(col(StoredFile.sha256) == sha256)).first()
    return None if size is None else StoredBlob(sha256, size)


def read_chunks(session: Session, sha256: str) -> Iterator[bytes]:
    """The file's bytes chunk by chunk, one query per chunk; ``NotFound`` (raised now, not at
    the first chunk) when no file has this hash."""
    return _chunks(sha256, _chunk_count(session, sha256), lambda: nullcontext(session))


def stream_chunks(engine: Engine, sha256: str) -> Iterator[bytes]:
    """Like ``read_chunks``, but each query in a short session of its own, closed before the
    chunk is handed on: for a response body, sent after the request's session is closed and
    as slowly as the client reads, without holding a database connection meanwhile. Nothing is
    read before the first chunk is asked for (so ``NotFound`` comes then): check with ``find``
    first, in the request's session, which still holds the request's one connection."""
    with Session(engine) as session:
        count = _chunk_count(session, sha256)
    yield from _chunks(sha256, count, lambda: Session(engine))


def copy_to_file(session: Session, sha256: str, target: BinaryIO) -> int:
    """Write the file into an open binary file; the number of bytes written."""
    written = 0
    for piece in read_chunks(session, sha256):
        target.write(piece)
        written += len(piece)
    return written


def _chunk_count(session: Session, sha256: str) -> int:
    count = session.exec(select(StoredFile.chunks).where(col(StoredFile.sha256) == sha256)).first()
    if count is None:
        raise NotFound(f"No stored file has the SHA-256 {sha256}")
    return count


def _chunks(
    sha256: str, count: int, sessions: Callable[[], AbstractContextManager[Session]]
) -> Iterator[bytes]:
    for seq in range(count):
        with sessions() as session:
            piece = session.exec(
                select(StoredFileChunk.data).where(
                    col(StoredFileChunk.sha256) == sha256, col(StoredFileChunk.seq) == seq
                )
            ).first()
        if piece is None:
            raise NotFound(f"The stored file {sha256} lacks its part {seq + 1} of {count}")
        yield piece
