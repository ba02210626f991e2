"""One renewal charge whose processor call fails unexpectedly (anything but an outage) must
not roll back the recorded outcomes of the batch's other charges, which were paid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from service.charges.reconcile import reconcile_pending
from service.charges.recurring import charge_due_periods
from service.core.clock import FrozenClock
from service.jobs.registry import JobContext
from tests.charges.support import (
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
BAD_AMOUNT = 1001


class OneCallRaises:
    """The real Stripe adapter on localstripe, except that the call for ``BAD_AMOUNT`` raises
    an unexpected error before reaching it: no real part fails this way on demand."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def charge(self, **request: Any) -> Any:
        if request["amount"] == BAD_AMOUNT:
            raise RuntimeError("an unexpected answer")
        return self.inner.charge(**request)


def test_one_unexpected_failure_leaves_only_its_charge_pending(
    make_api: Callable[..., Api], db_url: str, localstripe_client: stripe.StripeClient
) -> None:
    api = make_api(db_url, clock=FrozenClock(T0))
    processor_customers = []
    for n, amount in enumerate((1000, BAD_AMOUNT, 1002)):
        customer = new_customer(api, n=n)
        new_subscription(api, customer, amount=amount)
        processor_customers.append(processor_customer_of(api, customer))
    flaky = replace(api.ctx, processor=OneCallRaises(api.ctx.processor))

    charge_due_periods(JobContext(flaky), T0 + timedelta(hours=1))

    assert {c.amount: c.status for c in charge_rows(api)} == {
        1000: "succeeded",
        BAD_AMOUNT: "pending",
        1002: "succeeded",
    }
    reconcile_pending(JobContext(api.ctx), T0 + timedelta(hours=2))
    assert {c.amount: c.status for c in charge_rows(api)} == {
        1000: "succeeded",
        BAD_AMOUNT: "succeeded",
        1002: "succeeded",
    }
    assert [len(payment_intents_of(localstripe_client, p)) for p in processor_customers] == [
        1,
        1,
        1,
    ]
