"""Who is calling: the bearer key checked against its stored hash, in constant time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session

from service.access.keys import hash_secret, parse_key, secret_matches
from service.access.models import Principal
from service.core.errors import Unauthenticated

# Compared against when the key id is unknown, so that unknown and wrong keys take equal time.
_DUMMY_HASH = hash_secret("strongroom-no-such-key")


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    key_id: str


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(session: Session, token: str | None, now: datetime) -> Caller:
    if token is None:
        raise Unauthenticated("An API key is required: Authorization: Bearer <key>.")
    parsed = parse_key(token)
    principal = session.get(Principal, parsed[0]) if parsed else None
    stored_hash = principal.secret_hash if principal else _DUMMY_HASH
    matches = secret_matches(parsed[1] if parsed else "", stored_hash)
    if principal is None or not matches or not principal.is_usable(now):
        raise Unauthenticated("The API key is unknown, revoked or expired.")
    return Caller(name=principal.name, role=principal.role, key_id=principal.key_id)


def try_authenticate(session: Session, token: str | None, now: datetime) -> Caller | None:
    try:
        return authenticate(session, token, now)
    except Unauthenticated:
        return None
