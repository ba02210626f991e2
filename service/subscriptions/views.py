"""The Subscription, Pause and upcoming-charge resources as API.md shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.core.timeparse import format_api_time
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.subscriptions.models import PauseStatus, Subscription, SubscriptionStatus
from service.subscriptions.operations import (
    PauseRecord,
    inputs_from,
    pauses_of,
    read_metadata,
    tags_of,
)
from service.subscriptions.reasons import reasons_of
from service.subscriptions.schedule import ScheduledCharge, current_period, upcoming


def pause_view(pause: PauseRecord, reason: str | None) -> dict[str, Any]:
    """``reason`` is the pause's opened reason (``service.subscriptions.reasons.reasons_of``)."""
    return {
        "id": pause.id,
        "subscription": pause.subscription,
        "status": pause.status,
        "starts_at": format_api_time(pause.starts_at),
        "ends_at": format_api_time(pause.ends_at),
        "resume_mode": pause.resume_mode,
        "reason": reason,
        "credit_amount": pause.credit_amount,
        "bulk": pause.bulk,
        "created_by": pause.created_by,
        "created_at": format_api_time(pause.created_at),
    }


def subscription_view(
    subscription: Subscription,
    tags: list[str],
    pauses: Sequence[PauseRecord],
    metadata: dict[str, str],
    reasons: dict[str, str | None],
    now: datetime,
) -> dict[str, Any]:
    """``pauses`` newest first, canceled ones included."""
    period: ScheduledCharge | None = None
    if subscription.status != SubscriptionStatus.CANCELED:
        live = [pause for pause in pauses if pause.status != PauseStatus.CANCELED]
        inputs = inputs_from(subscription, live)
        period = current_period(
            inputs.calendar, inputs.amount, inputs.pauses, now, cancel_at=inputs.cancel_at
        )
    return {
        "id": subscription.id,
        "customer": subscription.customer,
        "status": subscription.status,
        "plan": subscription.plan,
        "amount": subscription.amount,
        "currency": subscription.currency,
        "interval": subscription.interval,
        "interval_count": subscription.interval_count,
        "tags": tags,
        "metadata": metadata,
        "start_at": format_api_time(subscription.start_at),
        "current_period_start": format_api_time(period.period_start if period else None),
        "current_period_end": format_api_time(period.period_end if period else None),
        "next_charge_at": format_api_time(subscription.next_charge_at),
        "cancel_at": format_api_time(subscription.cancel_at),
        "canceled_at": format_api_time(subscription.canceled_at),
        "pauses": [pause_view(pause, reasons.get(pause.id)) for pause in pauses],
        "created_at": format_api_time(subscription.created_at),
    }


def subscription_views(
    session: Session,
    subscriptions: list[Subscription],
    key_service: KeyService,
    cache: DataKeyCache,
    now: datetime,
) -> list[dict[str, Any]]:
    """Views of many subscriptions with one query for tags, one for pauses, one key unwrap."""
    tokens = [subscription.id for subscription in subscriptions]
    tags = tags_of(session, tokens)
    pauses = pauses_of(session, tokens)
    metadata = read_metadata(subscriptions, key_service, cache)
    reasons = reasons_of(
        session, key_service, cache, [pause for listed in pauses.values() for pause in listed]
    )
    return [
        subscription_view(s, tags[s.id], pauses[s.id], metadata[s.id], reasons, now)
        for s in subscriptions
    ]


def upcoming_view(
    session: Session, subscription: Subscription, now: datetime, count: int
) -> dict[str, Any]:
    if subscription.status == SubscriptionStatus.CANCELED:
        return {"data": []}
    live = [p for p in pauses_of(session, [subscription.id])[subscription.id]]
    inputs = inputs_from(subscription, live)
    entries = upcoming(
        inputs.calendar,
        inputs.amount,
        inputs.pauses,
        now=now,
        count=count,
        cancel_at=inputs.cancel_at,
        charged_through=inputs.charged_through,
    )
    return {
        "data": [
            {
                "due_at": format_api_time(entry.due_at),
                "amount": entry.amount,
                "credit_applied": entry.credit_applied if entry.status == "scheduled" else 0,
                "amount_due": entry.amount_due,
                "currency": subscription.currency,
                "status": entry.status,
                "pause": entry.pause,
            }
            for entry in entries
        ]
    }
