"""Concurrent requests with one Idempotency-Key: one charge, one payment at the processor."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import stripe

from tests.charges.support import (
    charge,
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.fixtures.app import Api


def test_ten_concurrent_requests_with_one_key_make_exactly_one_processor_payment(
    api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(api)
    start = threading.Barrier(10)

    def send(_: int) -> Any:
        start.wait()
        return charge(api, key="one-key-for-ten", customer=customer, amount=777)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(send, range(10)))

    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    assert 201 in statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "conflict"
    created = {response.json()["id"] for response in responses if response.status_code == 201}
    assert len(created) == 1
    assert [(row.amount, row.status) for row in charge_rows(api)] == [(777, "succeeded")]
    intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
    assert [(i.amount, i.status) for i in intents] == [(777, "succeeded")]


def test_concurrent_requests_with_different_keys_each_charge_once(
    api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(api)

    def send(n: int) -> Any:
        return charge(api, key=f"distinct-{n}", customer=customer, amount=100 + n)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(6)))

    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
    assert sorted(i.amount for i in intents) == [100 + n for n in range(6)]
