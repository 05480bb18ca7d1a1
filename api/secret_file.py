"""A random secret made once and kept in a file only its owner can read.

Several processes may start together on one data directory (``fairpath serve --workers 4``):
the file is created exclusively, so exactly one of them writes the key and the others read it.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

log = logging.getLogger("fairpath")


def stored_secret(path: Path) -> str:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    log.warning(
        "No FAIRPATH_SECRET_KEY is set: cookies are signed with a random key kept in %s. "
        "Set FAIRPATH_SECRET_KEY when running several replicas.",
        path,
    )
    return key


def _read(path: Path) -> str:
    # Another process may have created the file a moment ago and not written it yet.
    for _ in range(50):
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"The secret key file {path} is empty; delete it to make a new one")
