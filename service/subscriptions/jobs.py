"""The subscriptions job: cancel those whose ``cancel_at`` (period end) has come."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from service.access.actions import Action
from service.audit.recorder import SYSTEM_ACTOR, AuditRecord, append_event
from service.jobs.registry import JobContext, lock_for_work, register_job
from service.subscriptions.cancellation import cancel_now
from service.subscriptions.models import Subscription, SubscriptionStatus

# One subscription per transaction; the rest, if any, at the next run.
MAX_BATCHES_PER_RUN = 10_000


@register_job("subscriptions.cancel_at_period_end", 120)
def cancel_due_subscriptions(context: JobContext, now: datetime) -> int:
    handled = 0
    due = (Subscription.status != SubscriptionStatus.CANCELED, Subscription.cancel_at <= now)
    for _ in range(MAX_BATCHES_PER_RUN):
        with context.session_factory() as session:
            claim = (
                select(Subscription)
                .where(*due)
                .order_by(Subscription.cancel_at, Subscription.id)
                .limit(1)
            )
            subscription = session.execute(lock_for_work(session, claim)).scalar_one_or_none()
            if subscription is None:
                session.commit()
                return handled
            session.refresh(subscription)
            if subscription.status == SubscriptionStatus.CANCELED or subscription.cancel_at is None:
                session.commit()
                continue
            cancel_now(session, subscription, subscription.cancel_at, now)
            append_event(
                session,
                AuditRecord(
                    action=Action.JOB_SUBSCRIPTION_CANCEL,
                    actor=SYSTEM_ACTOR,
                    role=SYSTEM_ACTOR,
                    targets=[subscription.id],
                ),
                at=now,
                status=None,
            )
            session.commit()
            handled += 1
    return handled
