"""When a customer is erased: its subscriptions are canceled and their metadata shredded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.hooks import on_customer_erased, owned_tokens
from service.subscriptions.models import Pause, Subscription, SubscriptionStatus
from service.subscriptions.timeline import load


@on_customer_erased
def cancel_subscriptions_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    timelines = load(
        session, select(Subscription.id).where(Subscription.customer == customer), lock=True
    )
    for timeline in timelines:
        subscription = timeline.subscription
        subscription.metadata_ciphertext = None
        subscription.wrapped_data_key = None
        subscription.key_version = None
        if subscription.status != SubscriptionStatus.CANCELED:
            timeline.cancel(at, at)
    timelines.save()


@owned_tokens
def subscription_and_pause_tokens(session: Session, customer: str) -> list[str]:
    subscriptions = select(Subscription.id).where(Subscription.customer == customer)
    tokens = [str(token) for token in session.scalars(subscriptions)]
    pauses = select(Pause.id).where(Pause.subscription.in_(subscriptions))
    return tokens + [str(token) for token in session.scalars(pauses)]
