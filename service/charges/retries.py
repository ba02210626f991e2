"""What a recurring charge's outcome does to its subscription: retries, past_due, recovery.

Retries follow the policy's ``charge_retry_hours``, counted from the period's first failed
attempt (24, 72, 168: one, three and seven days after it). Each retry is a new charge with its
own processor key; when the last one fails the subscription becomes ``past_due``, and any
later successful charge of it restores ``active``. When the last one failed before reaching the
processor (the customer has no payment method, or was erased) no later period can be paid
either: the subscription stays ``past_due`` with no next charge, rather than running a new
round of attempts every period (until something recomputes its schedule, a pause for one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.charges.models import UNCHARGEABLE, Charge, ChargeStatus
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.operations import mark_past_due


def after_recurring_outcome(
    session: Session, charge: Charge, retry_hours: Sequence[int], now: datetime
) -> None:
    # Locked like every other writer of the subscription (a cancel or pause committing between
    # an unlocked read and this write would be overwritten). Lock order charge -> subscription:
    # no writer holding a subscription's lock waits for a charge's.
    subscription = session.get(
        Subscription, charge.subscription, with_for_update=True, populate_existing=True
    )
    _apply(session, charge, subscription, retry_hours, now)


def after_recurring_outcomes(
    session: Session, charges: Sequence[Charge], retry_hours: Sequence[int], now: datetime
) -> None:
    """``after_recurring_outcome`` for a batch: their subscriptions locked in one statement
    (in id order, so two batches sharing subscriptions take their locks in the same order)."""
    ids = sorted({c.subscription for c in charges if c.subscription is not None})
    if not ids:
        return
    locked = session.scalars(
        select(Subscription)
        .where(Subscription.id.in_(ids))
        .order_by(Subscription.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    subscriptions = {subscription.id: subscription for subscription in locked}
    for charge in charges:
        _apply(session, charge, subscriptions.get(str(charge.subscription)), retry_hours, now)


def _apply(
    session: Session,
    charge: Charge,
    subscription: Subscription | None,
    retry_hours: Sequence[int],
    now: datetime,
) -> None:
    if subscription is None:
        return
    if charge.status == ChargeStatus.SUCCEEDED:
        if subscription.status == SubscriptionStatus.PAST_DUE:
            subscription.status = SubscriptionStatus.ACTIVE
        return
    if subscription.status == SubscriptionStatus.CANCELED:
        return
    if charge.attempt < len(retry_hours):
        first_failure = _first_failure_at(session, charge) or now
        charge.next_retry_at = first_failure + timedelta(hours=retry_hours[charge.attempt])
        return
    mark_past_due(session, subscription)
    if charge.failure_code in UNCHARGEABLE and subscription.status == SubscriptionStatus.PAST_DUE:
        subscription.next_charge_at = None


def _first_failure_at(session: Session, charge: Charge) -> datetime | None:
    if charge.attempt == 0:
        return charge.settled_at
    return session.execute(
        select(Charge.settled_at).where(
            Charge.subscription == charge.subscription,
            Charge.period_index == charge.period_index,
            Charge.attempt == 0,
        )
    ).scalar_one_or_none()
