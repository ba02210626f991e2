"""When a customer is erased: its subscriptions are canceled and their metadata shredded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.subscriptions.models import Subscription, SubscriptionStatus


def cancel_subscriptions_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    from service.subscriptions.cancellation import cancel_now

    subscriptions = session.execute(
        select(Subscription).where(Subscription.customer == customer).with_for_update()
    ).scalars()
    for subscription in subscriptions:
        subscription.metadata_ciphertext = None
        subscription.wrapped_data_key = None
        subscription.key_version = None
        if subscription.status != SubscriptionStatus.CANCELED:
            cancel_now(session, subscription, at, at)
    session.flush()


def subscription_and_pause_tokens(session: Session, customer: str) -> list[str]:
    from service.pauses.models import Pause

    subscriptions = select(Subscription.id).where(Subscription.customer == customer)
    tokens = [str(token) for token in session.scalars(subscriptions)]
    pauses = select(Pause.id).where(Pause.subscription.in_(subscriptions))
    return tokens + [str(token) for token in session.scalars(pauses)]
