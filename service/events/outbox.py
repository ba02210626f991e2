"""Emitting events: in the caller's transaction, fanned out to every subscribed endpoint."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.rows import insert_rows, random_tokens
from service.events.models import Delivery, Event, Notice, WebhookEndpoint
from service.events.types import EventType

# One serialisation for every event payload, single or batched.
_EVENT_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def subscribed_endpoints(session: Session, type_: EventType | str) -> list[str]:
    """The live endpoints that take events of this type. Every pause and charge asks: their
    ids and event lists only (not whole endpoints with their sealed secrets)."""
    wanted = str(type_)
    live = select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.deleted_at.is_(None)
    )
    return [endpoint for endpoint, events in session.execute(live) if wanted in json.loads(events)]


def emit(session: Session, type_: EventType | str, data: dict[str, Any], at: datetime) -> str:
    """Add one event (tokens and amounts only) and a pending delivery per endpoint."""
    event_id = new_event_id()
    session.add(
        Event(
            id=event_id,
            type=str(type_),
            created_at=at,
            data=json.dumps(data, separators=(",", ":"), sort_keys=True),
        )
    )
    session.flush()
    for endpoint in subscribed_endpoints(session, type_):
        session.add(
            Delivery(
                event_id=event_id,
                endpoint_id=endpoint,
                status="pending",
                attempts=0,
                next_attempt_at=at,
            )
        )
    return event_id


def emit_once(
    session: Session,
    notice_key: str,
    type_: EventType | str,
    data: dict[str, Any],
    at: datetime,
) -> str | None:
    """Emit unless a notice with this key was already emitted (``charge.upcoming`` per due
    date, ``pause.ending`` per pause)."""
    if session.get(Notice, notice_key) is not None:
        return None
    session.add(Notice(key=notice_key, created_at=at))
    return emit(session, type_, data, at)


def emit_many(
    session: Session, type_: EventType, datas: Iterable[dict[str, Any]], at: datetime
) -> int:
    """Many events of one type at once, exactly as :func:`emit` writes them one by one: in
    batches (COPY on PostgreSQL), for bulk operations."""
    endpoints = subscribed_endpoints(session, type_)
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
