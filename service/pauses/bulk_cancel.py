"""Canceling a bulk operation: every one of its pauses that has not started."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from service.core.errors import NotFound
from service.subscriptions.models import BulkOperation, Pause, PauseStatus
from service.subscriptions.timeline import load


def bulk_exists(session: Session, token: str) -> bool:
    query = select(BulkOperation.id).where(BulkOperation.id == token)
    return session.execute(query).first() is not None


def cancel_bulk(session: Session, bulk_id: str, now: datetime) -> dict[str, Any]:
    """Cancel every pause of the operation that has not started; started ones stay."""
    operation = session.get(BulkOperation, bulk_id)
    if operation is None:
        raise NotFound("No such bulk operation.")
    not_started = and_(Pause.bulk == bulk_id, Pause.status == PauseStatus.SCHEDULED)
    timelines = load(session, select(Pause.subscription).where(not_started), lock=True)
    canceled = 0
    for timeline in timelines:
        for pause in timeline.pauses:
            if pause.bulk == bulk_id and pause.status == PauseStatus.SCHEDULED:
                timeline.cancel_pause(pause)
                canceled += 1
    if operation.canceled_at is None:
        operation.canceled_at = now
    timelines.save()
    return {"id": bulk_id, "canceled": canceled}
