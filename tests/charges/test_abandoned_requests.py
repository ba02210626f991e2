"""A charge request that died with its process: its Idempotency-Key is not lost for a day."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import stripe

from service.access.actions import Action
from service.access.keys import parse_key
from service.core.clock import FrozenClock
from service.idempotency import claims as idempotency
from tests.charges.support import (
    charge,
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api

T0 = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)


def claim_as_a_request_that_died(api: Api, key: str, body: dict[str, object]) -> None:
    parsed = parse_key(api.keys["service"])
    assert parsed is not None
    fingerprint = idempotency.body_fingerprint(
        str(Action.CHARGE_CREATE), "/v1/charges", json.dumps(body).encode()
    )
    claimed = idempotency.claim(
        api.ctx.session_factory,
        api.ctx.key_service,
        parsed[0],
        key,
        str(Action.CHARGE_CREATE),
        fingerprint,
        api.ctx.clock.now(),
    )
    assert isinstance(claimed, idempotency.Claim)


def test_a_key_whose_request_died_is_in_flight_at_first_then_can_be_retried(
    make_api: Callable[..., Api], sqlite_url: str, localstripe_client: stripe.StripeClient
) -> None:
    clock = FrozenClock(T0)
    api = make_api(sqlite_url, clock=clock)
    customer = new_customer(api)
    body = {"customer": customer, "amount": 1999, "currency": "usd"}
    claim_as_a_request_that_died(api, "died-mid-request", body)

    assert_problem(charge(api, key="died-mid-request", **body), 409, "conflict")
    clock.set(T0 + idempotency.ABANDONED_AFTER - timedelta(seconds=1))
    assert_problem(charge(api, key="died-mid-request", **body), 409, "conflict")
    assert_problem(
        charge(api, key="died-mid-request", **{**body, "amount": 5}), 409, "idempotency_mismatch"
    )

    clock.set(T0 + idempotency.ABANDONED_AFTER + timedelta(seconds=1))
    retried = charge(api, key="died-mid-request", **body)
    replayed = charge(api, key="died-mid-request", **body)

    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "succeeded"
    assert replayed.json() == retried.json()
    assert len(charge_rows(api)) == 1
    assert len(payment_intents_of(localstripe_client, processor_customer_of(api, customer))) == 1


def test_a_retry_after_the_customer_was_erased_is_410_even_for_an_earlier_charge(
    sqlite_api: Api,
) -> None:
    customer = new_customer(sqlite_api)
    assert charge(sqlite_api, key="before-erasure", customer=customer).status_code == 201
    assert sqlite_api.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200

    assert_problem(charge(sqlite_api, key="before-erasure", customer=customer), 410, "gone")
