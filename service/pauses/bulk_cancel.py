"""Canceling a bulk operation: every one of its pauses that has not started."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from service.core.errors import NotFound
from service.pauses.models import BulkOperation, Pause, PauseStatus
from service.pauses.recompute import recompute_subscriptions
from service.subscriptions.models import Subscription

CHUNK = 5000


def bulk_exists(session: Session, token: str) -> bool:
    query = select(BulkOperation.id).where(BulkOperation.id == token)
    return session.execute(query).first() is not None


def cancel_bulk(session: Session, bulk_id: str, now: datetime) -> dict[str, Any]:
    """Cancel every pause of the operation that has not started; started ones stay."""
    operation = session.get(BulkOperation, bulk_id)
    if operation is None:
        raise NotFound("No such bulk operation.")
    not_started = and_(Pause.bulk == bulk_id, Pause.status == PauseStatus.SCHEDULED)
    subscriptions = list(session.execute(select(Pause.subscription).where(not_started)).scalars())
    canceled = 0
    # Every writer locks the subscription before its pauses, in one order: no deadlock.
    ordered = sorted(subscriptions)
    for chunk in (ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)):
        session.execute(
            select(Subscription.id)
            .where(Subscription.id.in_(chunk))
            .order_by(Subscription.id)
            .with_for_update()
        ).all()
        result = session.execute(
            update(Pause)
            .where(not_started, Pause.subscription.in_(chunk))
            .values(status=PauseStatus.CANCELED)
            .execution_options(synchronize_session=False)
        )
        canceled += result.rowcount
    if operation.canceled_at is None:
        operation.canceled_at = now
    session.flush()
    recompute_subscriptions(session, subscriptions)
    return {"id": bulk_id, "canceled": canceled}
