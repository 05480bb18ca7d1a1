"""Files holding workers' data are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from api.db import make_engine
from core.storage import store_bytes


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_databases_are_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.commit()
        engine.dispose()
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "new.db") == 0o600


def test_evidence_files_and_their_folders_are_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = store_bytes(tmp_path / "data", "ab" + "0" * 62, b"%PDF-1.4 passport scan")
    finally:
        os.umask(previous)
    assert path.read_bytes() == b"%PDF-1.4 passport scan"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _mode(tmp_path / "data" / "evidence") == 0o700
