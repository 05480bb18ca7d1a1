"""Where stored files (evidence, proofs of remediation) live: content-addressed by SHA-256.

The one seam for file storage: everything that writes or reads a stored file goes through these
functions, so a shared store for several servers replaces this module alone.
"""

from __future__ import annotations

from pathlib import Path


def storage_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "evidence" / sha256[:2] / sha256


def store_bytes(data_dir: Path, sha256: str, data: bytes) -> Path:
    """Write once; identical files share one copy. Written atomically via a temporary name."""
    path = storage_path(data_dir, sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path
