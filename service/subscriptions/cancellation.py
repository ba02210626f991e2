"""Canceling a subscription: at once (by request or erasure) or at the end of its period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.core.errors import Conflict
from service.pauses.models import PauseStatus
from service.pauses.transitions import after_change, cancel_scheduled_pause, end_pause
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.service import (
    live_pauses,
    period_end,
    refresh_next_charge,
    schedule_inputs,
)


def cancel_now(session: Session, subscription: Subscription, at: datetime, now: datetime) -> None:
    """Canceled from ``at`` on, never charged again; its pauses stop with it."""
    for pause in live_pauses(session, subscription.id):
        if pause.status == PauseStatus.SCHEDULED:
            cancel_scheduled_pause(session, pause, subscription)
        elif pause.status == PauseStatus.ACTIVE:
            end_pause(session, pause, subscription, at, now)
    subscription.status = SubscriptionStatus.CANCELED
    subscription.canceled_at = at
    if subscription.cancel_at is None or subscription.cancel_at > at:
        subscription.cancel_at = at
    refresh_next_charge(session, subscription)


def cancel(session: Session, subscription: Subscription, at: str, now: datetime) -> None:
    """``at`` is ``now`` or ``period_end`` (the next due date; canceled then by the job)."""
    if subscription.status == SubscriptionStatus.CANCELED:
        raise Conflict("The subscription is already canceled.")
    if at == "now":
        cancel_now(session, subscription, now, now)
        return
    subscription.cancel_at = None
    subscription.cancel_at = period_end(schedule_inputs(session, subscription), now)
    # Periods from cancel_at on never come: a credit pause's window over them earns nothing.
    after_change(session, subscription)
