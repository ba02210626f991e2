"""Who is calling: the bearer key checked against its stored hash, in constant time, with
the answer kept per worker until a principal is revoked (``PrincipalCache``)."""

from __future__ import annotations

import hashlib
import math
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, Row, Select, func, select
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
    """Keys that authenticated, by a digest of the whole key (a wrong secret never matches an
    entry), kept up to ``max_age`` seconds. Every ``ttl`` seconds at most, the worker reads how
    many principals are revoked (one statement for all keys, where an entry per key aging out
    cost one per key): when the number moved, every entry is dropped. So a revocation takes
    effect on every worker within ``ttl`` plus a request (promised: under a second), at once in
    the process that made it; an expiry is checked against the cached ``expires_at``."""

    def __init__(self, ttl: float = 0.5, max_age: float = 300.0, max_entries: int = 4096) -> None:
        self.ttl = ttl
        self.max_age = max_age
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[float, Caller, datetime | None]] = {}
        self._revoked: int | None = None
        self._checked_at = -math.inf
        self._cleared_at = -math.inf
        self._lock = threading.Lock()
        _CACHES.add(self)

    def forget(self, key_id: str) -> None:
        with self._lock:
            for digest in [d for d, (_, c, _) in self._entries.items() if c.key_id == key_id]:
                del self._entries[digest]

    def due_for_check(self) -> bool:
        return time.monotonic() - self._checked_at > self.ttl

    def revoked_count(self, count: int, checked_at: float) -> None:
        """The number of revoked principals as read at ``checked_at`` (monotonic)."""
        with self._lock:
            if checked_at <= self._checked_at:
                return  # a newer reading already arrived
            if count != self._revoked:  # the first reading too: entries may predate it
                self._entries.clear()
                self._cleared_at = checked_at
            self._revoked = count
            self._checked_at = checked_at

    def get(self, token: str, now: datetime) -> Caller | None:
        digest = hashlib.sha256(token.encode()).digest()
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None:
            return None
        stored_at, caller, expires_at = entry
        if time.monotonic() - stored_at > self.max_age or (
            expires_at is not None and now >= expires_at
        ):
            return None
        return caller

    def cached(self, token: str, now: datetime) -> Caller | None:
        """The cached caller when no revocation check is due (no database read needed)."""
        return None if self.due_for_check() else self.get(token, now)

    def put(self, token: str, caller: Caller, expires_at: datetime | None, read_at: float) -> None:
        """``read_at``: when the principal's row was read (monotonic). A row read before a
        change of the count that dropped the entries may predate the revocation: not kept."""
        digest = hashlib.sha256(token.encode()).digest()
        with self._lock:
            if read_at < self._cleared_at:
                return
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
    if cache is not None:
        if cache.due_for_check():
            checked_at = time.monotonic()
            cache.revoked_count(_read_outside(session, _REVOKED_COUNT)[0], checked_at)
        if (cached := cache.get(token, now)) is not None:
            return cached
    parsed = parse_key(token)
    read_at = time.monotonic()
    principal = _principal(session, parsed[0]) if parsed else None
    stored_hash = principal.secret_hash if principal else _DUMMY_HASH
    matches = secret_matches(parsed[1] if parsed else "", stored_hash)
    if principal is None or not matches or not _usable(principal, now):
        raise Unauthenticated("The API key is unknown, revoked or expired.")
    caller = Caller(name=principal.name, role=principal.role, key_id=principal.key_id)
    if cache is not None:
        cache.put(token, caller, principal.expires_at, read_at)
    return caller


_BY_KEY_ID = select(
    Principal.key_id,
    Principal.name,
    Principal.role,
    Principal.secret_hash,
    Principal.expires_at,
    Principal.revoked_at,
)


_REVOKED_COUNT = select(func.count(Principal.revoked_at))


def _principal(session: Session, key_id: str) -> Row[Any] | None:
    return _read_outside(session, _BY_KEY_ID.where(Principal.key_id == key_id))


def _read_outside(session: Session, statement: Select[Any]) -> Row[Any] | None:
    """The first row of a read made outside ``session``'s transaction: on PostgreSQL one
    autocommit statement (one round trip, where the request's session spent three on BEGIN,
    SELECT and COMMIT); on SQLite a read-only transaction that never takes the write lock.
    Nothing the request writes depends on these reads being made in its own transaction."""
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
