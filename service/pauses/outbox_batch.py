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
from service.events.types import EventType
from service.pauses.rows import insert_rows, random_tokens

# The exact serialisation emit() uses: json.dumps(data, separators=(",", ":"), sort_keys=True).
_EVENT_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


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
    payloads = [_EVENT_JSON.encode(data) for data in datas]
    if not payloads:
        return 0
    ids = random_tokens("evt_", len(payloads))
    insert_rows(
        session,
        Event.__table__,  # type: ignore[arg-type]
        ("id", "type", "created_at", "data"),
        [
            (event_id, str(type_), at, payload)
            for event_id, payload in zip(ids, payloads, strict=True)
        ],
    )
    if endpoints:
        insert_rows(
            session,
            Delivery.__table__,  # type: ignore[arg-type]
            ("event_id", "endpoint_id", "status", "attempts", "next_attempt_at"),
            [(event_id, endpoint, "pending", 0, at) for event_id in ids for endpoint in endpoints],
        )
    return len(ids)
