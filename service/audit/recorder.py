"""Appending events: one chain, whatever the number of writers.

Every append locks the single ``audit_head`` row (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite every transaction already holds the write lock), so sequence numbers never fork or gap.
The append is the last statement before the caller's commit, which keeps the lock short.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service.audit.chain import (
    EVENT_COLUMNS,
    checkpoint_message,
    encode_list,
    event_hash,
    format_time,
)
from service.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from service.core.errors import ServiceError

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


class CheckpointSigner(Protocol):
    def sign(self, data: bytes) -> str: ...

    def verify(self, data: bytes, signature: str) -> bool: ...


@dataclass
class AuditRecord:
    """What a request (or job) did, filled in as it runs; becomes one event at the end."""

    action: str
    actor: str = "anonymous"
    role: str = "anonymous"
    targets: list[str] = field(default_factory=list)
    purpose: str | None = None
    fields: list[str] | None = None

    def add_target(self, token: str) -> None:
        if token not in self.targets:
            self.targets.append(token)


@dataclass(frozen=True)
class CheckpointPolicy:
    every: int = 1000
    seconds: float = 60.0


def outcome_for(status: int | None) -> str:
    if status in (401, 403):
        return "denied"
    if status is not None and status >= 400:
        return "error"
    return "allowed"


def _chained_row(
    seq: int,
    event_id: str,
    moment: str,
    record: AuditRecord,
    status: int | None,
    request_id: str | None,
    source_ip: str | None,
    previous: str,
) -> dict[str, object]:
    """One event's columns, its hash computed over the canonical row."""
    row = [
        seq,
        event_id,
        moment,
        record.actor,
        record.role,
        record.action,
        encode_list(record.targets),
        record.purpose,
        encode_list(record.fields),
        outcome_for(status),
        status,
        request_id,
        source_ip,
        previous,
    ]
    return dict(zip(EVENT_COLUMNS, [*row, event_hash(row)], strict=True))


def append_event(
    session: Session,
    record: AuditRecord,
    *,
    at: datetime,
    status: int | None,
    request_id: str | None = None,
    source_ip: str | None = None,
    signer: CheckpointSigner | None = None,
    checkpoints: CheckpointPolicy = CheckpointPolicy(),
) -> AuditEvent:
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    values = _chained_row(
        head.seq + 1,
        "aud_" + secrets.token_hex(12),
        format_time(at),
        record,
        status,
        request_id,
        source_ip,
        head.hash,
    )
    event = AuditEvent(**values)
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    if signer is not None and _checkpoint_due(head, at, checkpoints):
        _write_checkpoint(session, head, at, signer)
    session.flush()
    return event


def _checkpoint_due(head: AuditHead, at: datetime, policy: CheckpointPolicy) -> bool:
    if head.seq - head.checkpoint_seq >= policy.every:
        return True
    if head.checkpoint_at is None:
        return True
    last = datetime.fromisoformat(head.checkpoint_at.replace("Z", "+00:00"))
    return at - last >= timedelta(seconds=policy.seconds)


def _write_checkpoint(
    session: Session, head: AuditHead, at: datetime, signer: CheckpointSigner
) -> None:
    # A checkpoint that cannot be signed now is signed with a later event: the append (and the
    # request it records) must not fail because the key service blinked.
    try:
        signature = signer.sign(checkpoint_message(head.seq, head.hash))
    except ServiceError:
        log.warning("audit checkpoint postponed: key service unavailable")
        return
    session.add(
        AuditCheckpoint(seq=head.seq, hash=head.hash, at=format_time(at), signature=signature)
    )
    head.checkpoint_seq = head.seq
    head.checkpoint_at = format_time(at)


def append_events(
    session: Session,
    records: Sequence[AuditRecord],
    *,
    at: datetime,
    status: int | None,
    request_id: str | None = None,
    source_ip: str | None = None,
    signer: CheckpointSigner | None = None,
    checkpoints: CheckpointPolicy = CheckpointPolicy(),
) -> int:
    """Append many events at once: the head is locked once and the rows are inserted with one
    executemany, hashed exactly as :func:`append_event` hashes them. A checkpoint, if due, is
    signed once, for the last event of the batch. Returns the number appended."""
    if not records:
        return 0
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    seq, previous = head.seq, head.hash
    moment = format_time(at)
    rows: list[dict[str, object]] = []
    pool = secrets.token_bytes(12 * len(records)).hex()  # one draw, sliced like token_hex(12)
    for number, record in enumerate(records):
        seq += 1
        event_id = "aud_" + pool[24 * number : 24 * (number + 1)]
        rows.append(
            _chained_row(seq, event_id, moment, record, status, request_id, source_ip, previous)
        )
        previous = str(rows[-1]["hash"])
    _insert_events(session, rows)
    head.seq, head.hash = seq, previous
    if signer is not None and _checkpoint_due(head, at, checkpoints):
        _write_checkpoint(session, head, at, signer)
    session.flush()
    return len(rows)


def _insert_events(session: Session, rows: list[dict[str, object]]) -> None:
    """One round trip: COPY on PostgreSQL (the columns are plain text and integers), one
    executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(AuditEvent), rows)
        return
    columns = ", ".join(EVENT_COLUMNS)
    raw = connection.connection.driver_connection
    statement = f"COPY audit_events ({columns}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[name] for name in EVENT_COLUMNS])
