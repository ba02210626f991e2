"""When a customer is erased: its subscriptions are canceled and their metadata shredded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.subscriptions.models import Pause, Subscription, SubscriptionStatus
from service.subscriptions.timeline import load


def cancel_subscriptions_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    timelines = load(
        session, select(Subscription.id).where(Subscription.customer == customer), lock=True
    )
    for timeline in timelines:
        if timeline.subscription.status != SubscriptionStatus.CANCELED:
            timeline.cancel(at, at)
    timelines.save()
    session.execute(
        update(Subscription)
        .where(Subscription.customer == customer)
        .values(metadata_ciphertext=None, wrapped_data_key=None, key_version=None)
    )


def subscription_and_pause_tokens(session: Session, customer: str) -> list[str]:
    subscriptions = select(Subscription.id).where(Subscription.customer == customer)
    tokens = [str(token) for token in session.scalars(subscriptions)]
    pauses = select(Pause.id).where(Pause.subscription.in_(subscriptions))
    return tokens + [str(token) for token in session.scalars(pauses)]
