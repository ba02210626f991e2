"""Canceling a subscription: at once (by request, the period-end job or erasure) or at the end
of its period. Through the subscription's timeline, which stops its pauses with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.core.errors import Conflict
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.timeline import Timelines


def cancel_now(session: Session, subscription: Subscription, at: datetime, now: datetime) -> None:
    """Canceled from ``at`` on, never charged again; its pauses stop with it."""
    timelines = Timelines.of(session, [subscription])
    timelines[subscription.id].cancel(at, now)
    timelines.save()


def cancel(session: Session, subscription: Subscription, at: str, now: datetime) -> None:
    """``at`` is ``now`` or ``period_end`` (the next due date; canceled then by the job)."""
    if subscription.status == SubscriptionStatus.CANCELED:
        raise Conflict("The subscription is already canceled.")
    timelines = Timelines.of(session, [subscription])
    timeline = timelines[subscription.id]
    if at == "now":
        timeline.cancel(now, now)
    else:
        timeline.cancel_at_period_end(now)
    timelines.save()
