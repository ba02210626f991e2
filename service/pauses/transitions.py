"""The state changes of a pause, shared by the API, the jobs and customer erasure.

Each one keeps the subscription's status, its pauses' credits and its ``next_charge_at`` in
step, and emits the pause event in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.core.timeparse import format_api_time
from service.events.outbox import emit
from service.events.types import EventType
from service.pauses.models import Pause, PauseStatus
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.schedule import ResumeMode, credit_for_pause
from service.subscriptions.service import (
    inputs_from,
    live_pauses,
    pause_window,
    refresh_next_charge,
)


def event_data(pause: Pause) -> dict[str, str | None]:
    """What a pause event carries: tokens and times only."""
    return {
        "subscription": pause.subscription,
        "pause": pause.id,
        "starts_at": format_api_time(pause.starts_at),
        "ends_at": format_api_time(pause.ends_at),
    }


def refresh_credits(session: Session, subscription: Subscription) -> None:
    """Recompute every credit pause's ``credit_amount`` (earlier shifts and skips change it)."""
    pauses = live_pauses(session, subscription.id)
    inputs = inputs_from(subscription, pauses)
    for pause in pauses:
        if pause.resume_mode != ResumeMode.CREDIT:
            continue
        window = pause_window(pause)
        pause.credit_amount = (
            0
            if window is None
            else credit_for_pause(
                inputs.calendar, inputs.amount, window, inputs.pauses, cancel_at=inputs.cancel_at
            )
        )
    session.flush()


def after_change(session: Session, subscription: Subscription) -> None:
    refresh_credits(session, subscription)
    refresh_next_charge(session, subscription)


def start_pause(session: Session, pause: Pause, subscription: Subscription, now: datetime) -> None:
    pause.status = PauseStatus.ACTIVE
    if subscription.status != SubscriptionStatus.CANCELED:
        subscription.status = SubscriptionStatus.PAUSED
    emit(session, EventType.PAUSE_STARTED, event_data(pause), now)
    # The schedule already counts a scheduled pause exactly as an active one (credits and the
    # next charge were computed when it was created): starting it changes neither.


def end_pause(
    session: Session, pause: Pause, subscription: Subscription, at: datetime, now: datetime
) -> None:
    """End an active pause at ``at`` (its planned end, its latest end, or now on resume)."""
    if pause.ends_at is None or at < pause.ends_at:
        pause.ends_at = max(at, pause.starts_at)
    pause.latest_end_at = None
    pause.status = PauseStatus.COMPLETED
    if subscription.status == SubscriptionStatus.PAUSED:
        subscription.status = SubscriptionStatus.ACTIVE
    emit(session, EventType.PAUSE_ENDED, event_data(pause), now)
    after_change(session, subscription)


def cancel_scheduled_pause(session: Session, pause: Pause, subscription: Subscription) -> None:
    pause.status = PauseStatus.CANCELED
    after_change(session, subscription)


def planned_end(pause: Pause) -> datetime | None:
    """When an active pause ends by itself: its end, or its latest end if open-ended."""
    return pause.ends_at if pause.ends_at is not None else pause.latest_end_at
