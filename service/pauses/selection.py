"""Which subscriptions a bulk selector names: a query of their ids (the timeline loads them
and their pauses with it, two queries however many match)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, select

from service.pauses.schemas import BulkSelector
from service.subscriptions.models import (
    Subscription,
    SubscriptionStatus,
    SubscriptionTag,
)


def matching(selector: BulkSelector) -> Select[Any]:
    query = select(Subscription.id).where(Subscription.status != SubscriptionStatus.CANCELED)
    if selector.plan is not None:
        query = query.where(Subscription.plan == selector.plan)
    if selector.currency is not None:
        query = query.where(Subscription.currency == selector.currency)
    if selector.customer is not None:
        query = query.where(Subscription.customer == selector.customer)
    for tag in dict.fromkeys(selector.tags or []):
        query = query.where(
            exists().where(
                and_(SubscriptionTag.subscription == Subscription.id, SubscriptionTag.tag == tag)
            )
        )
    return query
