"""Two replicas running the jobs at once on PostgreSQL: one charge per period, one payment."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import stripe

from service.core.clock import FrozenClock
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from tests.charges.support import (
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.charges.test_crash import start_worker
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
SUBSCRIPTIONS = 6
PERIODS = 4


def test_two_replicas_racing_for_the_same_due_periods_charge_each_period_once(
    make_api: Callable[..., Api],
    pg_url: str,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    localstripe_client: stripe.StripeClient,
) -> None:
    api = make_api(pg_url, clock=FrozenClock(T0))
    customers = [new_customer(api, n=n) for n in range(SUBSCRIPTIONS)]
    subscriptions = {
        new_subscription(api, customer, interval="week", amount=1000 + n)["id"]: customer
        for n, customer in enumerate(customers)
    }
    now = T0 + timedelta(weeks=PERIODS - 1, hours=1)
    start_at = time.time() + 5.0

    replicas = [start_worker(pg_url, openbao, localstripe.url, now, start_at) for _ in range(2)]
    outputs = [replica.communicate(timeout=120) for replica in replicas]

    for replica, (out, err) in zip(replicas, outputs, strict=True):
        assert replica.returncode == 0, err
    handled = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(h.get("charges-recurring", 0) for h in handled) == SUBSCRIPTIONS * PERIODS
    rows = charge_rows(api)
    per_period = Counter((row.subscription, row.period_index) for row in rows)
    assert set(per_period.values()) == {1}
    assert len(per_period) == SUBSCRIPTIONS * PERIODS
    assert {row.status for row in rows} == {"succeeded"}
    for subscription, customer in subscriptions.items():
        intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
        keys = {i.metadata.to_dict()["strongroom_key"] for i in intents}
        assert len(intents) == len(keys) == PERIODS
        assert keys == {row.processor_key for row in rows if row.subscription == subscription}
        assert not any(subscription in key for key in keys)  # random, linked to no token
