"""Reading the trail: filtered, paginated queries and the public shape of an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from service.audit.chain import format_time
from service.audit.models import AuditEvent

EVENT_FIELDS = (
    "seq",
    "id",
    "at",
    "actor",
    "role",
    "action",
    "targets",
    "purpose",
    "fields",
    "outcome",
    "status",
    "request_id",
    "source_ip",
    "leaf_hash",
)


# Listings read the trail's rows through Core: loading 50 events as ORM objects (identity map,
# instance state) cost more CPU than the rest of the request. A row answers the same attribute
# names as the mapped class.
EventRow = Row[Any]
_EVENTS = AuditEvent.__table__


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


def event_view(event: AuditEvent | EventRow) -> dict[str, Any]:
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
        "leaf_hash": event.leaf_hash,
    }


def list_events(
    session: Session,
    filters: EventFilter,
    *,
    after_seq: int,
    limit: int,
    up_to_seq: int | None = None,
) -> list[EventRow]:
    """Sequenced events in ascending ``seq`` (up to ``up_to_seq`` when given)."""
    query = filters.apply(select(_EVENTS)).where(AuditEvent.seq > after_seq)
    if up_to_seq is not None:
        query = query.where(AuditEvent.seq <= up_to_seq)
    return list(session.execute(query.order_by(AuditEvent.seq).limit(limit)))


def list_queued(
    session: Session, filters: EventFilter, *, after_pk: int | None, limit: int
) -> list[EventRow]:
    """Events not sequenced yet, in insertion order (the first page from the lowest ``pk``,
    whatever someone wrote there)."""
    query = filters.apply(select(_EVENTS)).where(AuditEvent.seq.is_(None))
    if after_pk is not None:
        query = query.where(AuditEvent.pk > after_pk)
    return list(session.execute(query.order_by(AuditEvent.pk).limit(limit)))


def iter_events(
    session: Session, filters: EventFilter, batch: int = 2000, up_to_seq: int | None = None
) -> Iterator[EventRow]:
    after = 0
    while True:
        rows = list_events(session, filters, after_seq=after, limit=batch, up_to_seq=up_to_seq)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq or after
