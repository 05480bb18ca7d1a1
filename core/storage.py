"""Where a server kept stored files on its own disk before they moved into the database.

New files are stored in the database every replica shares (``core.filestore.service``); this
module only finds the files written before that change under ``FAIRPATH_DATA_DIR``, so that
they can still be served. Nothing writes here any more.
"""

from __future__ import annotations

from pathlib import Path


def legacy_path(data_dir: Path, sha256: str) -> Path:
    """Where an evidence or proof file with this SHA-256 was written on this server's disk."""
    return data_dir / "evidence" / sha256[:2] / sha256
