"""Generating and checking bearer secrets (user API tokens and respondent invitations).

Tokens carry 256 bits of randomness, so a fast SHA-256 is enough to make a stolen database
useless; a slow password hash would only slow every request down.
"""

from __future__ import annotations

import hashlib
import secrets

USER_TOKEN_PREFIX = "fpu_"  # noqa: S105 (a label, not a secret)


def new_token(prefix: str = USER_TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """Enough of the token to recognise it in a list without revealing it."""
    return token[:10]
