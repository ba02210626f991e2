"""Reading the trail: filtered, paginated queries and the public shape of an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.audit.chain import EVENT_COLUMNS, format_time
from service.audit.models import AuditEvent

EVENT_FIELDS = EVENT_COLUMNS


@dataclass(frozen=True)
class EventFilter:
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    request_id: str | None = None
    outcome: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.actor:
            query = query.where(AuditEvent.actor == self.actor)
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.target:
            query = query.where(
                AuditEvent.targets.contains(json.dumps(self.target), autoescape=True)
            )
        if self.request_id:
            query = query.where(AuditEvent.request_id == self.request_id)
        if self.outcome:
            query = query.where(AuditEvent.outcome == self.outcome)
        if self.start:
            query = query.where(AuditEvent.at >= format_time(self.start))
        if self.end:
            query = query.where(AuditEvent.at < format_time(self.end))
        return query


def event_view(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "targets": json.loads(event.targets),
        "purpose": event.purpose,
        "fields": json.loads(event.fields) if event.fields is not None else None,
        "outcome": event.outcome,
        "status": event.status,
        "request_id": event.request_id,
        "source_ip": event.source_ip,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def list_events(
    session: Session, filters: EventFilter, *, after_seq: int, limit: int
) -> list[AuditEvent]:
    query = filters.apply(select(AuditEvent)).where(AuditEvent.seq > after_seq)
    return list(session.scalars(query.order_by(AuditEvent.seq).limit(limit)))


def iter_events(session: Session, filters: EventFilter, batch: int = 2000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = list_events(session, filters, after_seq=after, limit=batch)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq
        session.expunge_all()
