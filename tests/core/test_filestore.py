"""The shared file store: chunks of exactly CHUNK_BYTES, one copy per content, limits enforced
while reading with nothing written, and reads one chunk per query."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from core.errors import NotFound, PayloadTooLarge
from core.filestore import service as filestore
from core.filestore.models import CHUNK_BYTES, StoredFile, StoredFileChunk


def _content(size: int, seed: int = 0) -> bytes:
    """Bytes that differ from chunk to chunk, so a chunk in the wrong place shows."""
    block = hashlib.sha256(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def _chunk_sizes(session: Session, sha256: str) -> list[int]:
    rows = session.exec(
        select(StoredFileChunk.seq, func.length(StoredFileChunk.data))
        .where(col(StoredFileChunk.sha256) == sha256)
        .order_by(col(StoredFileChunk.seq))
    ).all()
    assert [seq for seq, _ in rows] == list(range(len(rows)))
    return [size for _, size in rows]


def _counts(session: Session) -> tuple[int, int]:
    files = session.exec(select(func.count()).select_from(StoredFile)).one()
    chunks = session.exec(select(func.count()).select_from(StoredFileChunk)).one()
    return files, chunks


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, []),
        (1, [1]),
        (CHUNK_BYTES - 1, [CHUNK_BYTES - 1]),
        (CHUNK_BYTES, [CHUNK_BYTES]),
        (CHUNK_BYTES + 1, [CHUNK_BYTES, 1]),
        (2 * CHUNK_BYTES, [CHUNK_BYTES, CHUNK_BYTES]),
    ],
)
def test_files_are_cut_into_chunks_of_exactly_chunk_bytes(
    session: Session, size: int, expected: list[int]
) -> None:
    data = _content(size)
    stored = filestore.store_bytes(session, data)
    session.commit()
    assert stored == filestore.StoredBlob(hashlib.sha256(data).hexdigest(), size)
    assert _chunk_sizes(session, stored.sha256) == expected
    row = session.get(StoredFile, stored.sha256)
    assert row is not None and (row.size, row.chunks) == (size, len(expected))
    assert b"".join(filestore.read_chunks(session, stored.sha256)) == data


def test_a_stream_in_odd_pieces_is_stored_in_whole_chunks(session: Session) -> None:
    data = _content(2 * CHUNK_BYTES + 12345, seed=1)
    pieces = (data[i : i + 300_001] for i in range(0, len(data), 300_001))
    stored = filestore.store_stream(session, pieces)
    session.commit()
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert _chunk_sizes(session, stored.sha256) == [CHUNK_BYTES, CHUNK_BYTES, 12345]
    assert [len(p) for p in filestore.read_chunks(session, stored.sha256)] == [
        CHUNK_BYTES,
        CHUNK_BYTES,
        12345,
    ]
    assert b"".join(filestore.read_chunks(session, stored.sha256)) == data


def test_identical_content_is_stored_once(engine: Engine, session: Session) -> None:
    data = _content(CHUNK_BYTES + 10, seed=2)
    first = filestore.store_bytes(session, data)
    again = filestore.store_stream(session, iter([data[:7], data[7:]]))  # same transaction
    session.commit()
    with Session(engine) as later:  # and a later one, as another server would
        third = filestore.store_bytes(later, data)
        later.commit()
    assert first == again == third
    assert _counts(session) == (1, 2)
    other = filestore.store_bytes(session, data + b"!")
    session.commit()
    assert other.sha256 != first.sha256 and _counts(session) == (2, 4)


def test_the_limit_is_enforced_while_reading_and_nothing_is_written(session: Session) -> None:
    read: list[int] = []

    def pieces() -> Iterator[bytes]:
        for number in range(10):
            read.append(number)
            yield _content(CHUNK_BYTES, seed=number)

    limit = CHUNK_BYTES * 5 // 2  # 2.5 MB
    with pytest.raises(PayloadTooLarge) as raised:
        filestore.store_stream(session, pieces(), max_bytes=limit, what="network.xlsx")
    assert read == [0, 1, 2]  # stopped at the piece that passed the limit
    assert "network.xlsx" in raised.value.detail and "2.5 MB" in raised.value.detail
    session.flush()
    assert _counts(session) == (0, 0)

    with pytest.raises(PayloadTooLarge):
        filestore.store_bytes(session, b"x" * 11, max_bytes=10)
    assert _counts(session) == (0, 0)

    exactly = filestore.store_stream(session, iter([b"x" * 6, b"y" * 4]), max_bytes=10)
    assert exactly.size == 10 and filestore.exists(session, exactly.sha256)


def test_what_is_stored_goes_with_the_callers_transaction(session: Session) -> None:
    stored = filestore.store_bytes(session, b"%PDF-1.4 rolled back")
    assert filestore.exists(session, stored.sha256)  # flushed, visible to the caller
    session.rollback()
    assert not filestore.exists(session, stored.sha256)
    assert _counts(session) == (0, 0)


def test_a_missing_file_is_not_found_at_once(session: Session) -> None:
    missing = "0" * 64
    assert not filestore.exists(session, missing)
    assert filestore.find(session, missing) is None
    with pytest.raises(NotFound):
        filestore.read_chunks(session, missing)  # no iteration needed
    with pytest.raises(NotFound):
        filestore.copy_to_file(session, missing, io.BytesIO())


def test_copy_to_file_writes_every_chunk(session: Session, tmp_path: Any) -> None:
    data = _content(3 * CHUNK_BYTES - 1, seed=3)
    stored = filestore.store_bytes(session, data)
    session.commit()
    target = tmp_path / "upload.bin"
    with target.open("wb") as handle:
        assert filestore.copy_to_file(session, stored.sha256, handle) == len(data)
    assert target.read_bytes() == data
    assert filestore.find(session, stored.sha256) == stored


def test_reading_asks_for_one_chunk_per_query(engine: Engine, session: Session) -> None:
    data = _content(3 * CHUNK_BYTES, seed=4)
    stored = filestore.store_bytes(session, data)
    session.commit()
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        chunks = filestore.read_chunks(session, stored.sha256)
        chunk_reads = [s for s in statements if "stored_file_chunk" in s]
        assert chunk_reads == []  # nothing read before it is asked for
        next(chunks)
        assert len([s for s in statements if "stored_file_chunk" in s]) == 1
        assert sum(1 for _ in chunks) == 2
        assert len([s for s in statements if "stored_file_chunk" in s]) == 3
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_streaming_reads_each_chunk_in_a_session_of_its_own(
    engine: Engine, session: Session
) -> None:
    data = _content(2 * CHUNK_BYTES + 1, seed=5)
    stored = filestore.store_bytes(session, data)
    session.commit()
    session.close()  # as a request's session is, before its response body is sent
    checked_out: list[int] = []
    pool: Any = engine.pool
    body = filestore.stream_chunks(engine, stored.sha256)
    pieces = []
    for piece in body:
        checked_out.append(pool.checkedout())  # no connection held between chunks
        pieces.append(piece)
    assert b"".join(pieces) == data
    assert set(checked_out) == {0}
    with pytest.raises(NotFound):
        next(filestore.stream_chunks(engine, "f" * 64))
