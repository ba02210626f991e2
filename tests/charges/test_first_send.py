"""A recurring charge's first send skips the processor's look-up for an earlier payment, and
only the first: once another sender (the reconciler) has started on the charge, the job's own
send looks for that sender's payment and finds it rather than paying twice. The same holds for
a one-off charge, whose first sender is the request that records it.

The processor is the real Stripe adapter against localstripe, wrapped only to record the
``first_send`` flag each call carried (what the adapter does with it is its own business)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import select

from service.access.keys import parse_key
from service.charges.models import PROCESSOR_NAME, Charge, ChargeKind, ChargeStatus
from service.charges.operations import new_charge_id, record_one_off, recurring_processor_key
from service.charges.reconcile import reconcile_pending
from service.charges.schemas import ChargeCreate
from service.charges.sending import send_charge
from service.charges.settle import ChargeDeps, start_send
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.core.errors import ProcessorFailed
from service.customers.operations import payment_refs
from service.jobs.registry import JobContext
from service.processors.port import ChargeOutcome
from service.processors.stripe_adapter import StripeProcessor
from tests.charges.support import (
    charge,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)


class FlagRecorder:
    """The real adapter; remembers the ``first_send`` of each charge call."""

    def __init__(self, inner: StripeProcessor) -> None:
        self.inner = inner
        self.first_sends: list[bool] = []

    def charge(self, **request: Any) -> ChargeOutcome:
        self.first_sends.append(bool(request.get("first_send", False)))
        return self.inner.charge(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def recorded_by_the_job(api: Api, subscription: str, customer: str) -> Charge:
    """A pending period-0 charge as the renewal job records it before sending it itself."""
    charge = Charge(
        id=new_charge_id(),
        kind=ChargeKind.RECURRING,
        status=ChargeStatus.PENDING,
        amount=2500,
        currency="usd",
        customer=customer,
        subscription=subscription,
        processor=PROCESSOR_NAME,
        processor_key=recurring_processor_key(),
        period_index=0,
        attempt=0,
        due_at=T0,
        created_at=T0,
        send_attempts=1,
    )
    with transaction(api.ctx.session_factory) as session:
        session.add(charge)
    return charge


def stored(api: Api, charge_id: str) -> Charge:
    with transaction(api.ctx.session_factory) as session:
        return session.execute(select(Charge).where(Charge.id == charge_id)).scalar_one()


def test_the_jobs_first_send_skips_the_look_up_and_pays_once(
    make_api: Callable[..., Api],
    pg_url: str,
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    spy = FlagRecorder(processor)
    api = make_api(pg_url, clock=FrozenClock(T0), processor=spy)
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)

    assert send_charge(JobContext(api.ctx), charge.id, T0 + timedelta(minutes=1))

    assert spy.first_sends == [True]
    assert stored(api, charge.id).status == ChargeStatus.SUCCEEDED
    intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
    assert [i.metadata["strongroom_key"] for i in intents] == [charge.processor_key]


def test_after_another_sender_started_the_jobs_send_finds_its_payment_instead_of_paying_again(
    make_api: Callable[..., Api],
    pg_url: str,
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    spy = FlagRecorder(processor)
    api = make_api(pg_url, clock=FrozenClock(T0), processor=spy)
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)
    with transaction(api.ctx.session_factory) as session:
        refs = payment_refs(session, api.ctx.key_service, api.ctx.data_keys, customer)
    # The reconciler counted its send, reached the processor, and died before recording the
    # outcome: the charge is still pending, and the processor holds its payment.
    with api.ctx.session_factory() as session:
        assert start_send(session, charge.id)
    assert payment_intents_of(localstripe_client, refs.processor_customer) == []
    paid = processor.charge(
        customer_ref=refs.processor_customer,
        payment_method_ref=refs.payment_method,
        amount=charge.amount,
        currency=charge.currency,
        idempotency_key=charge.processor_key,
    )
    assert paid.succeeded

    assert send_charge(JobContext(api.ctx), charge.id, T0 + timedelta(minutes=1))

    assert spy.first_sends == [False]
    assert stored(api, charge.id).status == ChargeStatus.SUCCEEDED
    assert stored(api, charge.id).send_attempts == 2
    intents = payment_intents_of(localstripe_client, refs.processor_customer)
    assert [i.id for i in intents] == [paid.processor_ref]


def test_the_reconciler_counts_its_send_and_looks_first_and_stops_between_charges_on_shutdown(
    make_api: Callable[..., Api], pg_url: str, processor: StripeProcessor
) -> None:
    spy = FlagRecorder(processor)
    api = make_api(pg_url, clock=FrozenClock(T0), processor=spy)
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)  # the job died before sending
    stopping = JobContext(api.ctx)
    stopping.stopping.set()

    assert reconcile_pending(stopping, T0 + timedelta(minutes=5)) == 0
    assert spy.first_sends == []
    assert stored(api, charge.id).status == ChargeStatus.PENDING

    assert reconcile_pending(JobContext(api.ctx), T0 + timedelta(minutes=5)) == 1
    assert spy.first_sends == [False]
    assert (stored(api, charge.id).status, stored(api, charge.id).send_attempts) == (
        ChargeStatus.SUCCEEDED,
        2,
    )


class DeleteRefused(FlagRecorder):
    """The real adapter, except that deleting a customer fails as in an outage. A fake: only
    the deletion must fail while charging still works, which no real localstripe state gives."""

    def delete_customer(self, customer_ref: str) -> None:
        raise ProcessorFailed("the processor is unreachable")


def test_a_customer_erased_after_the_batch_read_its_refs_is_never_charged(
    make_api: Callable[..., Api],
    pg_url: str,
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    """The renewal job reads a batch's processor refs once and sends later; an erasure in
    between (its processor deletion deferred) must stop the send, not pay with the old refs."""
    api = make_api(pg_url, clock=FrozenClock(T0), processor=DeleteRefused(processor))
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)
    with transaction(api.ctx.session_factory) as session:
        refs = payment_refs(session, api.ctx.key_service, api.ctx.data_keys, customer)
    erased = api.call("DELETE", f"/v1/customers/{customer}", who="admin")
    assert erased.status_code == 200, erased.text

    assert send_charge(JobContext(api.ctx), charge.id, T0 + timedelta(minutes=1), refs)

    settled = stored(api, charge.id)
    assert (settled.status, settled.failure_code) == (ChargeStatus.FAILED, "customer_erased")
    assert payment_intents_of(localstripe_client, refs.processor_customer) == []


def test_with_the_upgrade_setting_off_the_jobs_first_send_looks_first(
    make_api: Callable[..., Api],
    pg_url: str,
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    """``limits.renewal_first_send_skips_lookup: false`` (a rolling upgrade from a release
    whose reconciler sends without counting): the job looks for an earlier payment first."""
    spy = FlagRecorder(processor)
    api = make_api(pg_url, clock=FrozenClock(T0), processor=spy)
    limits = api.ctx.policy.limits.model_copy(update={"renewal_first_send_skips_lookup": False})
    api.ctx.policy = api.ctx.policy.model_copy(update={"limits": limits})
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    charge = recorded_by_the_job(api, subscription, customer)

    assert send_charge(JobContext(api.ctx), charge.id, T0 + timedelta(minutes=1))

    assert spy.first_sends == [False]
    assert stored(api, charge.id).status == ChargeStatus.SUCCEEDED
    intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
    assert [i.metadata["strongroom_key"] for i in intents] == [charge.processor_key]


# -- one-off charges (POST /v1/charges) ---------------------------------------------------------


def test_a_new_one_off_charge_is_sent_once_without_the_look_up(
    make_api: Callable[..., Api],
    pg_url: str,
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    """The request that records a one-off charge sends it first: nothing can have paid its key
    before, so the processor is not asked to page through the customer's payments."""
    spy = FlagRecorder(processor)
    api = make_api(pg_url, clock=FrozenClock(T0), processor=spy)
    customer = new_customer(api)

    created = charge(api, customer=customer)

    assert created.status_code == 201, created.text
    assert created.json()["status"] == "succeeded"
    assert spy.first_sends == [True]
    assert stored(api, created.json()["id"]).send_attempts == 1
    intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
    assert [i.metadata["strongroom_key"] for i in intents] == [
        stored(api, created.json()["id"]).processor_key
    ]


def test_a_retried_one_off_charge_counts_its_send_and_finds_the_payment_of_the_first(
    make_api: Callable[..., Api],
    pg_url: str,
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    """A request recorded its charge, reached the processor and died before recording the
    outcome; the caller's retry with the same Idempotency-Key counts its send and looks first,
    so it finds that payment instead of paying a second time."""
    spy = FlagRecorder(processor)
    api = make_api(pg_url, clock=FrozenClock(T0), processor=spy)
    customer = new_customer(api)
    body = ChargeCreate(customer=customer, amount=1999, currency="usd")
    parsed = parse_key(api.keys["service"])
    assert parsed is not None
    deps = ChargeDeps(
        processor=processor,
        key_service=api.ctx.key_service,
        cache=api.ctx.data_keys,
        policy=api.ctx.policy,
    )
    with transaction(api.ctx.session_factory) as session:
        recorded, refs, recorded_here = record_one_off(
            session,
            deps,
            principal=parsed[0],
            idempotency_key="died-after-sending",
            request=body,
            description=None,
            now=T0,
        )
    assert recorded_here and refs is not None and recorded.send_attempts == 1
    paid = processor.charge(
        customer_ref=refs.processor_customer,
        payment_method_ref=refs.payment_method,
        amount=recorded.amount,
        currency=recorded.currency,
        idempotency_key=recorded.processor_key,
        first_send=True,
    )
    assert paid.succeeded

    retried = charge(api, key="died-after-sending", customer=customer)

    assert retried.status_code == 201, retried.text
    assert retried.json()["id"] == recorded.id and retried.json()["status"] == "succeeded"
    assert spy.first_sends == [False]
    assert stored(api, recorded.id).send_attempts == 2
    intents = payment_intents_of(localstripe_client, refs.processor_customer)
    assert [i.id for i in intents] == [paid.processor_ref]
