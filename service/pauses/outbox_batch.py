"""Emitting many events of one type at once, as ``service.events.outbox.emit`` would one by one:
one events row each and a pending delivery per subscribed endpoint, inserted in batches."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.events.models import Delivery, Event, WebhookEndpoint
from service.events.outbox import new_event_id
from service.events.types import EventType
from service.pauses.rows import insert_rows


def emit_many(
    session: Session, type_: EventType, datas: Iterable[dict[str, Any]], at: datetime
) -> int:
    endpoints = [
        endpoint.id
        for endpoint in session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
        )
        if str(type_) in json.loads(endpoint.events)
    ]
    events = [
        {
            "id": new_event_id(),
            "type": str(type_),
            "created_at": at,
            "data": json.dumps(data, separators=(",", ":"), sort_keys=True),
        }
        for data in datas
    ]
    if not events:
        return 0
    insert_rows(session, Event.__table__, events)  # type: ignore[arg-type]
    if endpoints:
        insert_rows(
            session,
            Delivery.__table__,  # type: ignore[arg-type]
            [
                {
                    "event_id": event["id"],
                    "endpoint_id": endpoint,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": at,
                }
                for event in events
                for endpoint in endpoints
            ],
        )
    return len(events)
