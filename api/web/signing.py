"""Signed, expiring cookie values (HMAC-SHA256), so a session needs no server-side table.

The value is ``base64url(json).timestamp.signature``; changing any byte, or presenting it after
``max_age`` seconds, makes it invalid. The secret is the service's ``FAIRPATH_SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


def _mac(secret: str, message: bytes) -> str:
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(payload: dict[str, Any], secret: str, *, now: float | None = None) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    stamp = str(int(now if now is not None else time.time()))
    message = body.rstrip(b"=").decode() + "." + stamp
    return message + "." + _mac(secret, message.encode())


def unsign(
    value: str, secret: str, *, max_age: int, now: float | None = None
) -> dict[str, Any] | None:
    """The payload, or None if the value was tampered with, malformed or is too old."""
    try:
        body, stamp, signature = value.split(".")
        message = f"{body}.{stamp}"
        if not hmac.compare_digest(signature, _mac(secret, message.encode())):
            return None
        if (now if now is not None else time.time()) - int(stamp) > max_age:
            return None
        padded = body + "=" * (-len(body) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
