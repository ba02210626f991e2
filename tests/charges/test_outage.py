"""A processor outage: 502 and a pending charge, never lost and never paid twice."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
import stripe

from service.charges.reconcile import reconcile_at_start
from service.devstack.localstripe import LocalStripeServer
from service.jobs.scheduler import run_due_jobs
from service.processors.stripe_adapter import StripeProcessor
from tests.charges.support import (
    charge,
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY, stripe_client_for


@pytest.fixture
def outage_api(
    make_api: Callable[..., Api], db_url: str, restartable_localstripe: LocalStripeServer
) -> Api:
    processor = StripeProcessor(
        LOCALSTRIPE_API_KEY, api_base=restartable_localstripe.url, timeout=2.0
    )
    return make_api(db_url, processor=processor)


def test_processor_down_answers_502_and_keeps_the_charge_pending_then_the_reconciler_settles_it(
    outage_api: Api, restartable_localstripe: LocalStripeServer
) -> None:
    customer = new_customer(outage_api)
    processor_customer = processor_customer_of(outage_api, customer)
    restartable_localstripe.stop()

    down = charge(outage_api, key="during-outage", customer=customer, amount=4200)

    assert_problem(down, 502, "processor_error")
    (pending,) = charge_rows(outage_api)
    assert pending.status == "pending"
    listed = outage_api.call("GET", "/v1/charges?status=pending", who="service").json()
    assert [item["id"] for item in listed["data"]] == [pending.id]

    restartable_localstripe.start()
    handled = run_due_jobs(outage_api.ctx, outage_api.ctx.clock.now())

    assert handled.get("charges-reconcile") == 1
    (settled,) = charge_rows(outage_api)
    assert (settled.id, settled.status) == (pending.id, "succeeded")
    client = stripe_client_for(restartable_localstripe)
    intents = payment_intents_of(client, processor_customer)
    assert [(i.amount, i.status) for i in intents] == [(4200, "succeeded")]


def test_a_retry_of_the_same_key_after_a_502_finishes_that_charge_instead_of_charging_anew(
    outage_api: Api, restartable_localstripe: LocalStripeServer
) -> None:
    customer = new_customer(outage_api)
    processor_customer = processor_customer_of(outage_api, customer)
    restartable_localstripe.stop()
    assert charge(outage_api, key="retry-me", customer=customer).status_code == 502
    assert charge(outage_api, key="retry-me", customer=customer).status_code == 502
    assert len(charge_rows(outage_api)) == 1

    restartable_localstripe.start()
    retried = charge(outage_api, key="retry-me", customer=customer)
    replayed = charge(outage_api, key="retry-me", customer=customer)
    mismatched = charge(outage_api, key="retry-me", customer=customer, amount=1)

    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "succeeded"
    assert retried.json()["id"] == charge_rows(outage_api)[0].id
    assert replayed.json() == retried.json()
    assert_problem(mismatched, 409, "idempotency_mismatch")
    assert len(charge_rows(outage_api)) == 1
    client = stripe_client_for(restartable_localstripe)
    assert len(payment_intents_of(client, processor_customer)) == 1


def test_a_retry_after_a_502_with_another_body_is_a_mismatch_and_charges_nothing(
    outage_api: Api, restartable_localstripe: LocalStripeServer
) -> None:
    customer = new_customer(outage_api)
    restartable_localstripe.stop()
    assert charge(outage_api, key="k-502", customer=customer).status_code == 502
    restartable_localstripe.start()

    response = charge(outage_api, key="k-502", customer=customer, amount=5)

    assert_problem(response, 409, "idempotency_mismatch")
    assert [row.amount for row in charge_rows(outage_api)] == [1999]


def test_a_restarted_replica_settles_what_was_left_pending_before_it_serves(
    outage_api: Api, restartable_localstripe: LocalStripeServer
) -> None:
    customer = new_customer(outage_api)
    restartable_localstripe.stop()
    assert charge(outage_api, customer=customer).status_code == 502
    restartable_localstripe.start()

    assert reconcile_at_start(outage_api.ctx) == 1

    assert [row.status for row in charge_rows(outage_api)] == ["succeeded"]
    assert reconcile_at_start(outage_api.ctx) == 0


def test_the_reconciler_stops_at_an_outage_and_loses_nothing(
    outage_api: Api, restartable_localstripe: LocalStripeServer
) -> None:
    customer = new_customer(outage_api)
    restartable_localstripe.stop()
    assert charge(outage_api, customer=customer).status_code == 502

    handled = run_due_jobs(outage_api.ctx, outage_api.ctx.clock.now())

    assert handled.get("charges-reconcile", 0) == 0
    assert [row.status for row in charge_rows(outage_api)] == ["pending"]


def test_processor_ids_and_failure_messages_never_reach_the_logs(
    sqlite_api: Api,
    localstripe_client: stripe.StripeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    good = new_customer(sqlite_api, n=1)
    bad = new_customer(sqlite_api, payment_method="pm_card_chargeCustomerFail", n=2)

    assert charge(sqlite_api, customer=good).json()["status"] == "succeeded"
    assert charge(sqlite_api, customer=bad).json()["status"] == "failed"

    secrets_at_processor: list[str] = []
    for customer in (good, bad):
        processor_customer = processor_customer_of(sqlite_api, customer)
        secrets_at_processor.append(processor_customer)
        listed = localstripe_client.v1.charges.list(params={"customer": processor_customer})
        for processor_charge in listed.data:
            secrets_at_processor.extend([processor_charge.id, str(processor_charge.payment_intent)])
            if processor_charge.failure_message:
                secrets_at_processor.append(processor_charge.failure_message)
    assert len(secrets_at_processor) >= 5
    logged = caplog.text
    # either the HTTP client's request lines were captured (and are scanned below), or the
    # service's logging keeps those libraries below INFO altogether
    assert "/v1/charges" in logged or logging.getLogger("httpx").getEffectiveLevel() > logging.INFO
    for value in secrets_at_processor:
        assert value not in logged
