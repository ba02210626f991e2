"""A pause link's token: 192 random bits, URL-safe; only its SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import re
import secrets

from service.pauselinks.models import PAUSE_LINK_ID_PREFIX

TOKEN_BYTES = 24
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_link_id() -> str:
    return PAUSE_LINK_ID_PREFIX + secrets.token_hex(12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    """Whether a path segment could be a token at all (a truncated one cannot)."""
    return bool(TOKEN_SHAPE.match(token))
