"""Idempotency keys: the first response to (principal, key) is replayed for an equal body.

A key is claimed in its own committed transaction before the work starts, so a concurrent
request with the same key sees it and gets 409 ``conflict``; the response is stored in the
same transaction as the effect; responses with status >= 500 release the key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, LargeBinary, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from service.core.db import Base, UTCDateTime
from service.core.errors import Conflict, IdempotencyMismatch, InvalidRequest, ValidationFailed

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    principal: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    action: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


@dataclass(frozen=True)
class Replay:
    status: int
    body: bytes


def read_key(header: str | None, *, required: bool) -> str | None:
    if header is None or header.strip() == "":
        if required:
            raise InvalidRequest("The Idempotency-Key header is required for this request.")
        return None
    if len(header) > MAX_KEY_LENGTH:
        raise ValidationFailed("The Idempotency-Key header is longer than 255 characters.")
    return header


def body_fingerprint(action: str, path: str, body: bytes) -> str:
    """Equal JSON bodies (whatever their spacing or key order) give equal fingerprints."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{action}\n{path}\n{canonical}".encode()).hexdigest()


def claim(
    factory: sessionmaker[Session],
    principal: str,
    key: str,
    action: str,
    fingerprint: str,
    now: datetime,
) -> Replay | None:
    """Claim the key for this request, or return the response to replay."""
    with factory() as session:
        existing = session.get(IdempotencyRecord, (principal, key))
        if existing is not None and existing.created_at < now - RETENTION:
            session.delete(existing)
            session.flush()
            existing = None
        if existing is None:
            session.add(
                IdempotencyRecord(
                    principal=principal,
                    key=key,
                    action=action,
                    request_hash=fingerprint,
                    created_at=now,
                )
            )
            try:
                session.commit()
                return None
            except IntegrityError:
                session.rollback()
                existing = session.get(IdempotencyRecord, (principal, key))
                if existing is None:
                    raise Conflict("A request with this Idempotency-Key is in flight.") from None
        if existing.request_hash != fingerprint:
            raise IdempotencyMismatch(
                "This Idempotency-Key was used with a different request body."
            )
        if existing.response_status is None:
            raise Conflict("A request with this Idempotency-Key is still in flight.")
        return Replay(status=existing.response_status, body=existing.response_body or b"")


def store(session: Session, principal: str, key: str, status: int, body: bytes) -> None:
    record = session.get(IdempotencyRecord, (principal, key))
    if record is not None:
        record.response_status = status
        record.response_body = body


def release(factory: sessionmaker[Session], principal: str, key: str) -> None:
    with factory() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal,
                IdempotencyRecord.key == key,
                IdempotencyRecord.response_status.is_(None),
            )
        )
        session.commit()


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pending_keys(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(IdempotencyRecord.principal, IdempotencyRecord.key).where(
            IdempotencyRecord.response_status.is_(None)
        )
    )
    return [(r[0], r[1]) for r in rows]
