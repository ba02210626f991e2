"""Idempotency keys: the first response to (principal, key) is replayed for an equal body.

A key is claimed in its own committed transaction before the work starts, so a concurrent
request with the same key sees it and gets 409 ``conflict``; the response is stored in the
same transaction as the effect; responses with status >= 500 release the key.

A stored response can hold masked personal data and metadata, and the request fingerprint
could confirm a guessed body: both are sealed under a data key of their own, wrapped by the
key service, like every other personal value at rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, Text, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from service.core.db import Base, UTCDateTime
from service.core.errors import Conflict, IdempotencyMismatch, InvalidRequest, ValidationFailed
from service.keys.envelope import decrypt_field, encrypt_field

RETENTION = timedelta(hours=24)
# A claim still unanswered after this long belongs to a request that died: longer than any
# request can run (processor and key-service timeouts included).
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
TABLE = "idempotency_keys"
# Tokens per DELETE when erasure forgets the responses naming a customer's tokens.
FORGET_CHUNK = 200

# Whether a stored response may still be replayed, given the tokens it names: a domain whose
# data can be erased registers a check (the customers domain refuses erased customers).
ReplayGuard = Callable[[Session, list[str]], bool]
_replay_guards: list[ReplayGuard] = []


def register_replay_guard(guard: ReplayGuard) -> None:
    if guard not in _replay_guards:
        _replay_guards.append(guard)


def _replayable(session: Session, stored_targets: str | None) -> bool:
    targets = (stored_targets or "").split()
    return all(guard(session, targets) for guard in _replay_guards)


class IdempotencyRecord(Base):
    __tablename__ = TABLE

    principal: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    action: Mapped[str] = mapped_column(String(80))
    wrapped_key: Mapped[str] = mapped_column(Text)
    sealed_fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sealed_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # the tokens the request named or created (not personal data): erasure finds them here
    targets: Mapped[str | None] = mapped_column(Text, nullable=True)
    fields: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class Replay:
    status: int
    body: bytes
    # What the first response returned, for the replay's own audit event: a replay returns
    # the same data, so it is the same read (breach and subject reports count it).
    targets: tuple[str, ...] = ()
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Claim:
    principal: str
    key: str
    data_key: bytes = field(repr=False)


def read_key(header: str | None, *, required: bool) -> str | None:
    if header is None or header.strip() == "":
        if required:
            raise InvalidRequest("The Idempotency-Key header is required for this request.")
        return None
    if len(header) > MAX_KEY_LENGTH:
        raise ValidationFailed("The Idempotency-Key header is longer than 255 characters.")
    return header


def body_fingerprint(action: str, path: str, body: bytes) -> bytes:
    """Equal JSON bodies (whatever their spacing or key order) give equal fingerprints."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{action}\n{path}\n{canonical}".encode()).digest()


def _seal(data_key: bytes, record_id: str, column: str, value: bytes) -> bytes:
    return encrypt_field(
        data_key, value, table=TABLE, column=column, record_id=record_id, key_version=1
    )


def _open(data_key: bytes, record_id: str, column: str, value: bytes) -> bytes:
    return decrypt_field(
        data_key, value, table=TABLE, column=column, record_id=record_id, key_version=1
    )


def claim(
    factory: sessionmaker[Session],
    key_service: Any,
    principal: str,
    key: str,
    action: str,
    fingerprint: bytes,
    now: datetime,
) -> Replay | Claim:
    """Claim the key for this request, or return the response to replay."""
    record_id = f"{principal}:{key}"
    with factory() as session:
        existing = session.get(IdempotencyRecord, (principal, key))
        if existing is not None and (
            existing.created_at < now - RETENTION
            or (existing.response_status is not None and not _replayable(session, existing.targets))
        ):
            # Expired, or it names data erased since: never replayed, the key starts afresh.
            session.delete(existing)
            session.flush()
            existing = None
        if existing is None:
            data_key = key_service.generate_data_key()
            session.add(
                IdempotencyRecord(
                    principal=principal,
                    key=key,
                    action=action,
                    wrapped_key=data_key.wrapped,
                    sealed_fingerprint=_seal(
                        data_key.plaintext, record_id, "fingerprint", fingerprint
                    ),
                    created_at=now,
                )
            )
            try:
                session.commit()
                return Claim(principal, key, data_key.plaintext)
            except IntegrityError:
                session.rollback()
                existing = session.get(IdempotencyRecord, (principal, key))
                if existing is None:
                    raise Conflict("A request with this Idempotency-Key is in flight.") from None
        data_key_plain = key_service.unwrap_data_key(existing.wrapped_key)
        stored = _open(data_key_plain, record_id, "fingerprint", existing.sealed_fingerprint)
        if stored != fingerprint:
            raise IdempotencyMismatch(
                "This Idempotency-Key was used with a different request body."
            )
        if existing.response_status is None or existing.sealed_body is None:
            if existing.created_at < now - ABANDONED_AFTER and _take_over(session, existing, now):
                return Claim(principal, key, data_key_plain)
            raise Conflict("A request with this Idempotency-Key is still in flight.")
        body = _open(data_key_plain, record_id, "body", existing.sealed_body)
        return Replay(
            status=existing.response_status,
            body=body,
            targets=tuple((existing.targets or "").split()),
            fields=None if existing.fields is None else tuple(existing.fields.split()),
        )


def _take_over(session: Session, abandoned: IdempotencyRecord, now: datetime) -> bool:
    """Claim a key whose request died with its process (killed, crashed) without answering or
    releasing it; otherwise the caller could not retry for a whole retention period. Only one
    of several concurrent retries wins (the update names the claim it replaces)."""
    taken = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.principal == abandoned.principal,
            IdempotencyRecord.key == abandoned.key,
            IdempotencyRecord.response_status.is_(None),
            IdempotencyRecord.created_at == abandoned.created_at,
        )
        .values(created_at=now)
    )
    session.commit()
    return int(taken.rowcount or 0) == 1  # type: ignore[attr-defined]


def store(
    session: Session,
    claimed: Claim,
    status: int,
    body: bytes,
    targets: list[str],
    fields: list[str] | None = None,
) -> None:
    record = session.get(IdempotencyRecord, (claimed.principal, claimed.key))
    if record is not None:
        record.fields = None if fields is None else " ".join(fields)
        record.response_status = status
        record.sealed_body = _seal(
            claimed.data_key, f"{claimed.principal}:{claimed.key}", "body", body
        )
        record.targets = " ".join(targets)


def release(factory: sessionmaker[Session], claimed: Claim) -> None:
    with factory() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.principal == claimed.principal,
                IdempotencyRecord.key == claimed.key,
                IdempotencyRecord.response_status.is_(None),
            )
        )
        session.commit()


def forget_responses_naming(session: Session, tokens: Sequence[str]) -> int:
    """Drop stored responses of requests that named any of ``tokens`` (used by erasure: a
    stored subscription, pause or charge view holds its customer's data too)."""
    forgotten = 0
    unique = list(dict.fromkeys(tokens))
    for start in range(0, len(unique), FORGET_CHUNK):
        chunk = unique[start : start + FORGET_CHUNK]
        result = session.execute(
            delete(IdempotencyRecord).where(
                or_(*(IdempotencyRecord.targets.contains(t, autoescape=True) for t in chunk))
            )
        )
        forgotten += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return forgotten


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
