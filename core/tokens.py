"""Generating and checking bearer secrets (user API tokens and respondent invitations).

Tokens carry 256 bits of randomness, so a fast SHA-256 is enough to make a stolen database
useless; a slow password hash would only slow every request down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

USER_TOKEN_PREFIX = "fpu_"  # noqa: S105 (a label, not a secret)


def new_token(prefix: str = USER_TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """Enough of the token to recognise it in a list without revealing it."""
    return token[:10]


def derived_token(prefix: str, key: str, nonce: str) -> str:
    """A token made again from a stored random nonce and the server's secret key: a campaign's
    reminders carry the same invitation link as its first email, while the database holds only
    the token's hash and the nonce, neither of which opens anything without the key."""
    digest = hmac.new(key.encode("utf-8"), nonce.encode("utf-8"), hashlib.sha256).digest()
    return prefix + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_nonce() -> str:
    return secrets.token_hex(16)
