"""Appending events: an INSERT in the caller's transaction, and nothing shared with anyone.

An appended event is *queued*: it has no ``seq`` and no leaf hash until the sequencer (see
:mod:`service.audit.sequencer`) integrates it into the tree. So writers never wait for each
other here, and an effect still commits with its event or not at all.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service.audit.chain import encode_list, format_time
from service.audit.models import AuditEvent
from service.audit.seal import EventSealer, sealer_of

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


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


def outcome_for(status: int | None) -> str:
    if status in (401, 403):
        return "denied"
    if status is not None and status >= 400:
        return "error"
    return "allowed"


QUEUED_KEY = "audit_queued"


def queued_row(
    event_id: str,
    moment: str,
    record: AuditRecord,
    status: int | None,
    request_id: str | None,
    source_ip: str | None,
    *,
    sealer: EventSealer,
) -> dict[str, Any]:
    """The columns of a queued event (everything but ``seq`` and ``leaf_hash``), sealed."""
    row = {
        "id": event_id,
        "at": moment,
        "actor": record.actor,
        "role": record.role,
        "action": record.action,
        "targets": encode_list(record.targets),
        "purpose": record.purpose,
        "fields": encode_list(record.fields),
        "outcome": outcome_for(status),
        "status": status,
        "request_id": request_id,
        "source_ip": source_ip,
    }
    row["seal"] = sealer.seal_row(row)
    return row


def new_event_id() -> str:
    return "aud_" + secrets.token_hex(12)


def append_event(
    session: Session,
    record: AuditRecord,
    *,
    at: datetime,
    status: int | None,
    request_id: str | None = None,
    source_ip: str | None = None,
) -> str:
    """Queue one event in ``session``'s transaction; returns its id. A Core insert: every
    request writes one, and the ORM's unit of work would cost more than the statement."""
    values = queued_row(
        new_event_id(),
        format_time(at),
        record,
        status,
        request_id,
        source_ip,
        sealer=sealer_of(session),
    )
    session.execute(_INSERT_ONE, values)
    _mark_queued(session, 1)
    return str(values["id"])


_INSERT_ONE = AuditEvent.__table__.insert()


def append_events(
    session: Session,
    records: Sequence[AuditRecord],
    *,
    at: datetime,
    status: int | None,
    request_id: str | None = None,
    source_ip: str | None = None,
) -> int:
    """Queue many events with one executemany. Returns the number appended."""
    if not records:
        return 0
    moment = format_time(at)
    pool = secrets.token_bytes(12 * len(records)).hex()  # one draw, sliced like token_hex(12)
    sealer = sealer_of(session)
    rows = [
        queued_row(
            "aud_" + pool[24 * n : 24 * (n + 1)],
            moment,
            record,
            status,
            request_id,
            source_ip,
            sealer=sealer,
        )
        for n, record in enumerate(records)
    ]
    session.execute(insert(AuditEvent), rows)
    _mark_queued(session, len(rows))
    return len(rows)


def _mark_queued(session: Session, count: int) -> None:
    # Read by the inline sequencer (STRONGROOM_AUDIT_SEQUENCE_DELAY_MS=0) after the commit.
    session.info[QUEUED_KEY] = session.info.get(QUEUED_KEY, 0) + count
