"""Notices that become due with time: ``charge.upcoming`` a policy-set number of days before
each charge (pauses and credits applied, from the same engine the charges use), and
``pause.ending`` before a pause ends. Each is emitted once per cause (a notice key per
subscription and due date, per pause and end time); a charge moved by a pause gets a notice
for its new date."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.core.timeparse import format_api_time
from service.events.outbox import emit_once
from service.events.types import EventType
from service.jobs.registry import JobContext, lock_for_work
from service.subscriptions.models import Pause, PauseStatus, Subscription, SubscriptionStatus
from service.subscriptions.operations import schedule_inputs
from service.subscriptions.schedule import upcoming

LOOKAHEAD_ENTRIES = 8
BATCH = 500


def charge_notice(subscription: Subscription, entry: Any) -> dict[str, Any]:
    return {
        "subscription": subscription.id,
        "customer": subscription.customer,
        "due_at": format_api_time(entry.due_at),
        "amount": entry.amount,
        "credit_applied": entry.credit_applied,
        "amount_due": entry.amount_due,
        "currency": subscription.currency,
        "pause": entry.pause,
    }


def notify_upcoming_charges(context: JobContext, now: datetime) -> int:
    horizon = now + timedelta(days=context.app.policy.limits.upcoming_charge_notice_days)
    emitted = 0
    after = ""
    while True:
        with context.session_factory() as session:
            query = lock_for_work(
                session,
                select(Subscription)
                .where(
                    Subscription.status != SubscriptionStatus.CANCELED,
                    Subscription.next_charge_at.is_not(None),
                    Subscription.next_charge_at <= horizon,
                    Subscription.id > after,
                )
                .order_by(Subscription.id)
                .limit(BATCH),
            )
            subscriptions = list(session.scalars(query))
            for subscription in subscriptions:
                inputs = schedule_inputs(session, subscription)
                entries = upcoming(
                    inputs.calendar,
                    inputs.amount,
                    inputs.pauses,
                    now=now,
                    count=LOOKAHEAD_ENTRIES,
                    cancel_at=inputs.cancel_at,
                )
                for entry in entries:
                    if entry.due_at > horizon:
                        break
                    if (
                        entry.status != "scheduled"
                        or entry.due_at <= now
                        or entry.index <= subscription.charged_through_index
                    ):
                        continue
                    key = (
                        f"charge.upcoming:{subscription.id}:{entry.index}:"
                        f"{format_api_time(entry.due_at)}"
                    )
                    if emit_once(
                        session,
                        key,
                        EventType.CHARGE_UPCOMING,
                        charge_notice(subscription, entry),
                        now,
                    ):
                        emitted += 1
            try:
                session.commit()
            except IntegrityError:  # another replica emitted the same notices: theirs stand
                session.rollback()
        if len(subscriptions) < BATCH:
            return emitted
        after = subscriptions[-1].id


def notify_pauses_ending(context: JobContext, now: datetime) -> int:
    horizon = now + timedelta(days=context.app.policy.limits.pause_ending_notice_days)
    with context.session_factory() as session:
        pauses = list(
            session.scalars(
                lock_for_work(
                    session,
                    select(Pause).where(
                        Pause.status.in_((PauseStatus.SCHEDULED, PauseStatus.ACTIVE)),
                        Pause.ends_at.is_not(None),
                        Pause.ends_at > now,
                        Pause.ends_at <= horizon,
                    ),
                )
            )
        )
        emitted = 0
        for pause in pauses:
            assert pause.ends_at is not None
            key = f"pause.ending:{pause.id}:{format_api_time(pause.ends_at)}"
            data = {
                "subscription": pause.subscription,
                "pause": pause.id,
                "starts_at": format_api_time(pause.starts_at),
                "ends_at": format_api_time(pause.ends_at),
                "resume_mode": pause.resume_mode,
            }
            if emit_once(session, key, EventType.PAUSE_ENDING, data, now):
                emitted += 1
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return 0
    return emitted
