"""Who is calling: the bearer key checked against its stored hash, in constant time, with
the answer kept for at most ``PrincipalCache.ttl`` seconds per worker."""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, Row, select
from sqlalchemy.orm import Session

from service.access.keys import hash_secret, parse_key, secret_matches
from service.access.models import Principal, key_usable
from service.core.db import READ_ONLY
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


class PrincipalCache:
    """Keys that authenticated in the last ``ttl`` seconds, by a digest of the whole key (a
    wrong secret never matches an entry). Revoking a principal is a database write that no
    worker is told about: it takes effect everywhere once the entries age out, so ``ttl``
    bounds how long a revoked key keeps working (promised: under a second)."""

    def __init__(self, ttl: float = 0.5, max_entries: int = 4096) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[float, Caller, datetime | None]] = {}
        self._lock = threading.Lock()
        _CACHES.add(self)

    def forget(self, key_id: str) -> None:
        with self._lock:
            for digest in [d for d, (_, c, _) in self._entries.items() if c.key_id == key_id]:
                del self._entries[digest]

    def get(self, token: str, now: datetime) -> Caller | None:
        digest = hashlib.sha256(token.encode()).digest()
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None:
            return None
        stored_at, caller, expires_at = entry
        if time.monotonic() - stored_at > self.ttl or (
            expires_at is not None and now >= expires_at
        ):
            return None
        return caller

    def put(self, token: str, caller: Caller, expires_at: datetime | None) -> None:
        digest = hashlib.sha256(token.encode()).digest()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = (time.monotonic(), caller, expires_at)


# Every cache of this process, so that a revocation made here takes effect here at once.
_CACHES: weakref.WeakSet[PrincipalCache] = weakref.WeakSet()


def forget_principal(key_id: str) -> None:
    for cache in list(_CACHES):
        cache.forget(key_id)


def authenticate(
    session: Session, token: str | None, now: datetime, cache: PrincipalCache | None = None
) -> Caller:
    if token is None:
        raise Unauthenticated("An API key is required: Authorization: Bearer <key>.")
    if cache is not None and (cached := cache.get(token, now)) is not None:
        return cached
    parsed = parse_key(token)
    principal = _principal(session, parsed[0]) if parsed else None
    stored_hash = principal.secret_hash if principal else _DUMMY_HASH
    matches = secret_matches(parsed[1] if parsed else "", stored_hash)
    if principal is None or not matches or not _usable(principal, now):
        raise Unauthenticated("The API key is unknown, revoked or expired.")
    caller = Caller(name=principal.name, role=principal.role, key_id=principal.key_id)
    if cache is not None:
        cache.put(token, caller, principal.expires_at)
    return caller


_BY_KEY_ID = select(
    Principal.key_id,
    Principal.name,
    Principal.role,
    Principal.secret_hash,
    Principal.expires_at,
    Principal.revoked_at,
)


def _principal(session: Session, key_id: str) -> Row[Any] | None:
    """The principal's row, read outside ``session``'s transaction: on PostgreSQL one
    autocommit statement (one round trip, where the request's session spent three on BEGIN,
    SELECT and COMMIT); on SQLite a read-only transaction that never takes the write lock.
    Nothing the request writes depends on the row being read in its own transaction."""
    statement = _BY_KEY_ID.where(Principal.key_id == key_id)
    bind = session.get_bind()
    if not isinstance(bind, Engine):  # a session bound to one connection (tests)
        return session.execute(statement).first()
    with bind.connect() as connection:
        if bind.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        else:
            connection.execution_options(**{READ_ONLY: True})
        return connection.execute(statement).first()


def _usable(principal: Row[Any], now: datetime) -> bool:
    return key_usable(principal.revoked_at, principal.expires_at, now)


def try_authenticate(
    session: Session, token: str | None, now: datetime, cache: PrincipalCache | None = None
) -> Caller | None:
    try:
        return authenticate(session, token, now, cache)
    except Unauthenticated:
        return None
