"""A recurring charge's outcome writes its subscription under the subscription's lock, like
every other writer: a cancellation or a pause committing while the outcome is being recorded
is waited for and kept, never overwritten by a status read before it (PostgreSQL, where two
transactions can interleave; the interleaving is forced with a held row lock)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.charges.models import Charge, ChargeStatus
from service.charges.retries import after_recurring_outcome
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.subscriptions import cancellation
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.operations import get_subscription
from tests.charges.support import new_customer
from tests.charges.test_first_send import recorded_by_the_job
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)


def _outcome_while_another_writer_holds_the_subscription(
    api: Api,
    charge_id: str,
    outcome: str,
    retry_hours: tuple[int, ...],
    other_writer: Session,
) -> None:
    """Record ``outcome`` in a thread while ``other_writer`` holds the subscription's lock,
    then commit the other writer and let the outcome finish."""

    def record() -> None:
        with api.ctx.session_factory() as session:
            charge = session.get(Charge, charge_id)
            assert charge is not None
            charge.status = outcome
            charge.failure_code = None if outcome == ChargeStatus.SUCCEEDED else "card_declined"
            after_recurring_outcome(session, charge, retry_hours, T0)
            session.commit()

    sender = threading.Thread(target=record)
    sender.start()
    sender.join(1.0)
    other_writer.commit()
    other_writer.close()
    sender.join(10)
    assert not sender.is_alive()


def _subscription_row(api: Api, subscription: str) -> tuple[str, datetime | None]:
    with transaction(api.ctx.session_factory) as session:
        row = session.execute(
            select(Subscription.status, Subscription.canceled_at).where(
                Subscription.id == subscription
            )
        ).one()
    return row.status, row.canceled_at


def test_a_success_recorded_during_a_cancellation_keeps_the_subscription_canceled(
    make_api: Callable[..., Api], pg_url: str
) -> None:
    api = make_api(pg_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)
    with transaction(api.ctx.session_factory) as session:
        session.execute(
            update(Subscription)
            .where(Subscription.id == subscription)
            .values(status=SubscriptionStatus.PAST_DUE)
        )
    canceling = api.ctx.session_factory()  # the API's cancel request, not committed yet
    cancellation.cancel(
        canceling, get_subscription(canceling, subscription, for_update=True), "now", T0
    )
    canceling.flush()

    _outcome_while_another_writer_holds_the_subscription(
        api, charge.id, ChargeStatus.SUCCEEDED, (24, 72, 168), canceling
    )

    status, canceled_at = _subscription_row(api, subscription)
    assert status == SubscriptionStatus.CANCELED
    assert canceled_at is not None


def test_a_last_failure_recorded_while_the_subscription_is_being_paused_leaves_it_paused(
    make_api: Callable[..., Api], pg_url: str
) -> None:
    api = make_api(pg_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)
    pausing = api.ctx.session_factory()  # a writer holding the lock, as the pause job does
    get_subscription(pausing, subscription, for_update=True).status = SubscriptionStatus.PAUSED
    pausing.flush()

    # No retries left: the failure would make an active subscription past_due.
    _outcome_while_another_writer_holds_the_subscription(
        api, charge.id, ChargeStatus.FAILED, (), pausing
    )

    assert _subscription_row(api, subscription)[0] == SubscriptionStatus.PAUSED
