"""Where stored files (evidence, proofs of remediation) live: content-addressed by SHA-256.

The one seam for file storage: everything that writes or reads a stored file goes through these
functions, so a shared store for several servers replaces this module alone.
"""

from __future__ import annotations

import os
from pathlib import Path


def storage_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "evidence" / sha256[:2] / sha256


def store_bytes(data_dir: Path, sha256: str, data: bytes) -> Path:
    """Write once; identical files share one copy. Written atomically via a temporary name."""
    path = storage_path(data_dir, sha256)
    if path.exists():
        return path
    private_directories(path.parent, data_dir)
    temporary = path.with_suffix(".part")
    # Owner-only from the first byte: workers' documents must not be readable by every account
    # on the server, whatever the umask.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    temporary.replace(path)
    return path


def private_directories(path: Path, top: Path) -> None:
    """Create ``path`` and its parents up to ``top`` as owner-only directories."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (path, *path.parents):
        folder.chmod(0o700)
        if folder == top or top not in folder.parents:
            break
