"""The Stripe adapter against a real localstripe, through the real ``stripe`` SDK."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import stripe

from service.core.errors import CardDeclined, IdempotencyMismatch, ProcessorFailed
from service.devstack.localstripe import LocalStripeServer
from service.processors.port import ChargeOutcome, PaymentProcessor
from service.processors.stripe_adapter import (
    IDEMPOTENCY_METADATA_KEY,
    StripeProcessor,
)
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY, stripe_client_for
from tests.processors.lossy_proxy import ResponseLosingProxy


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def payment_intents_with_key(client: stripe.StripeClient, key: str) -> list[stripe.PaymentIntent]:
    """Every PaymentIntent the processor holds that carries ``key``, over all list pages."""
    found: list[stripe.PaymentIntent] = []
    params: dict[str, object] = {"limit": 100}
    while True:
        page = client.v1.payment_intents.list(params=params)
        found += [
            pi for pi in page.data if pi.metadata.to_dict().get(IDEMPOTENCY_METADATA_KEY) == key
        ]
        if not page.has_more:
            return found
        params["starting_after"] = page.data[-1].id


def customer_count(client: stripe.StripeClient) -> int:
    return client.v1.customers.list(params={"limit": 1}).to_dict()["total_count"]


def test_stripe_processor_satisfies_the_payment_processor_port(
    processor: StripeProcessor,
) -> None:
    port: PaymentProcessor = processor
    assert callable(port.create_customer) and callable(port.charge)


def test_customer_with_a_visa_card_returns_its_card_and_makes_it_the_default(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    created = processor.create_customer("pm_card_visa", idempotency_key=new_key())

    assert created.customer_ref.startswith("cus_")
    assert created.payment_method_ref is not None
    assert created.payment_method_ref.startswith("pm_")
    assert created.payment_method_ref != "pm_card_visa"  # the concrete method, not the alias
    assert (created.card_brand, created.card_last4) == ("visa", "4242")
    assert (created.card_exp_month, created.card_exp_year) == (12, 2030)
    at_processor = localstripe_client.v1.customers.retrieve(created.customer_ref)
    assert at_processor.invoice_settings.default_payment_method == created.payment_method_ref
    method = localstripe_client.v1.payment_methods.retrieve(created.payment_method_ref)
    assert method.customer == created.customer_ref


def test_customer_without_a_payment_method_has_no_card(processor: StripeProcessor) -> None:
    created = processor.create_customer(None, idempotency_key=new_key())

    assert created.customer_ref.startswith("cus_")
    assert created.payment_method_ref is None and created.card_last4 is None


@pytest.mark.parametrize("payment_method", ["pm_card_visa_chargeDeclined", "pm_does_not_exist"])
def test_a_payment_method_refused_at_attach_raises_card_declined_and_keeps_no_customer(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient, payment_method: str
) -> None:
    customers_before = customer_count(localstripe_client)

    with pytest.raises(CardDeclined) as refused:
        processor.create_customer(payment_method, idempotency_key=new_key())

    assert refused.value.status == 402 and refused.value.code == "card_declined"
    assert customer_count(localstripe_client) == customers_before


def test_charge_of_a_good_card_succeeds_with_one_payment_intent(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    customer = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    key = new_key()

    outcome = processor.charge(
        customer_ref=customer.customer_ref,
        payment_method_ref=str(customer.payment_method_ref),
        amount=1999,
        currency="USD",
        idempotency_key=key,
    )

    assert outcome.status == "succeeded" and outcome.failure_code is None
    assert outcome.processor_ref is not None and outcome.processor_ref.startswith("pi_")
    intent = localstripe_client.v1.payment_intents.retrieve(outcome.processor_ref)
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 1999, "usd")
    assert intent.customer == customer.customer_ref
    assert intent.metadata[IDEMPOTENCY_METADATA_KEY] == key
    assert intent.metadata.to_dict() == {IDEMPOTENCY_METADATA_KEY: key}  # nothing free-form


def test_charge_of_a_card_that_declines_is_a_failed_outcome_not_an_exception(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    customer = processor.create_customer("pm_card_chargeCustomerFail", idempotency_key=new_key())
    assert customer.card_last4 == "0341"  # attaching succeeds; charging declines

    outcome = processor.charge(
        customer_ref=customer.customer_ref,
        payment_method_ref=str(customer.payment_method_ref),
        amount=500,
        currency="eur",
        idempotency_key=new_key(),
    )

    assert outcome.status == "failed" and outcome.failure_code == "card_declined"
    assert outcome.processor_ref is not None
    intent = localstripe_client.v1.payment_intents.retrieve(outcome.processor_ref)
    assert intent.status == "requires_payment_method"


def test_charge_of_a_card_that_needs_authentication_fails_off_session(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    # localstripe accepts raw test card numbers; 4000002500003155 always asks for 3-D Secure.
    three_d_secure = localstripe_client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000002500003155", "exp_month": 1, "exp_year": 2031, "cvc": "123"},
        }
    )
    customer = processor.create_customer(three_d_secure.id, idempotency_key=new_key())

    outcome = processor.charge(
        customer_ref=customer.customer_ref,
        payment_method_ref=str(customer.payment_method_ref),
        amount=500,
        currency="usd",
        idempotency_key=new_key(),
    )

    assert outcome.status == "failed" and outcome.failure_code == "authentication_required"
    assert (customer.card_exp_month, customer.card_exp_year) == (1, 2031)


def test_resending_a_charge_with_the_same_key_makes_exactly_one_payment_intent(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    customer = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    key = new_key()
    request = {
        "customer_ref": customer.customer_ref,
        "payment_method_ref": str(customer.payment_method_ref),
        "amount": 700,
        "currency": "usd",
        "idempotency_key": key,
    }

    first = processor.charge(**request)
    second = processor.charge(**request)
    other = processor.charge(**{**request, "idempotency_key": new_key()})

    assert first == second and first.succeeded
    assert other.processor_ref != first.processor_ref
    assert [pi.id for pi in payment_intents_with_key(localstripe_client, key)] == [
        first.processor_ref
    ]


def test_ten_concurrent_sends_of_one_key_make_exactly_one_payment_intent(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    customer = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    key = new_key()

    def send() -> ChargeOutcome:
        return processor.charge(
            customer_ref=customer.customer_ref,
            payment_method_ref=str(customer.payment_method_ref),
            amount=900,
            currency="usd",
            idempotency_key=key,
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda _: send(), range(10)))

    assert len(set(outcomes)) == 1 and outcomes[0].succeeded
    assert len(payment_intents_with_key(localstripe_client, key)) == 1


def test_resending_a_key_for_another_amount_is_refused_and_charges_nothing(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    customer = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    key = new_key()
    request = {
        "customer_ref": customer.customer_ref,
        "payment_method_ref": str(customer.payment_method_ref),
        "amount": 700,
        "currency": "usd",
        "idempotency_key": key,
    }
    processor.charge(**request)

    with pytest.raises(IdempotencyMismatch):
        processor.charge(**{**request, "amount": 701})

    assert len(payment_intents_with_key(localstripe_client, key)) == 1


def test_resending_a_declined_charge_returns_the_same_decline_without_a_new_attempt(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    customer = processor.create_customer("pm_card_chargeCustomerFail", idempotency_key=new_key())
    key = new_key()
    request = {
        "customer_ref": customer.customer_ref,
        "payment_method_ref": str(customer.payment_method_ref),
        "amount": 300,
        "currency": "usd",
        "idempotency_key": key,
    }

    first = processor.charge(**request)
    second = processor.charge(**request)

    assert first == second and first.failure_code == "card_declined"
    assert len(payment_intents_with_key(localstripe_client, key)) == 1
    charges = localstripe_client.v1.charges.list(params={"customer": customer.customer_ref})
    assert len(charges.data) == 1


def test_a_charge_whose_response_is_lost_is_found_again_not_paid_twice(
    processor: StripeProcessor,
    localstripe: LocalStripeServer,
    localstripe_client: stripe.StripeClient,
) -> None:
    customer = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    key = new_key()

    with ResponseLosingProxy(localstripe.port, b"POST /v1/payment_intents ") as proxy:
        through_proxy = StripeProcessor(
            LOCALSTRIPE_API_KEY, api_base=f"http://127.0.0.1:{proxy.port}", timeout=5.0
        )
        outcome = through_proxy.charge(
            customer_ref=customer.customer_ref,
            payment_method_ref=str(customer.payment_method_ref),
            amount=4200,
            currency="usd",
            idempotency_key=key,
        )

    assert proxy.responses_lost == 1
    assert outcome.succeeded
    assert [pi.id for pi in payment_intents_with_key(localstripe_client, key)] == [
        outcome.processor_ref
    ]


def test_charge_for_a_customer_the_processor_does_not_know_fails_without_a_payment(
    processor: StripeProcessor,
) -> None:
    outcome = processor.charge(
        customer_ref="cus_unknown0000000",
        payment_method_ref="pm_unknown00000000",
        amount=100,
        currency="usd",
        idempotency_key=new_key(),
    )

    assert outcome.status == "failed" and outcome.processor_ref is None
    assert outcome.failure_code == "processor_rejected"


def test_a_wrong_api_key_is_a_processor_failure(localstripe: LocalStripeServer) -> None:
    misconfigured = StripeProcessor("not-a-secret-key", api_base=localstripe.url, timeout=2.0)

    with pytest.raises(ProcessorFailed) as failed:
        misconfigured.create_customer(None, idempotency_key=new_key())

    assert failed.value.status == 502 and failed.value.code == "processor_error"


def test_processor_down_fails_fast_and_after_a_restart_state_and_charges_come_back(
    restartable_localstripe: LocalStripeServer,
) -> None:
    processor = StripeProcessor(
        LOCALSTRIPE_API_KEY, api_base=restartable_localstripe.url, timeout=2.0
    )
    customer = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    charge_before = {
        "customer_ref": customer.customer_ref,
        "payment_method_ref": str(customer.payment_method_ref),
        "amount": 1200,
        "currency": "usd",
        "idempotency_key": new_key(),
    }
    paid_before = processor.charge(**charge_before)
    restartable_localstripe.stop()

    started = time.monotonic()
    with pytest.raises(ProcessorFailed) as failed:
        processor.charge(**{**charge_before, "idempotency_key": "pending-during-outage"})
    elapsed = time.monotonic() - started
    with pytest.raises(ProcessorFailed):
        processor.create_customer("pm_card_visa", idempotency_key=new_key())

    assert failed.value.status == 502
    assert elapsed < 5.0, f"an outage took {elapsed:.1f} s to report"

    restartable_localstripe.start()
    client = stripe_client_for(restartable_localstripe)
    assert client.v1.customers.retrieve(customer.customer_ref).id == customer.customer_ref
    assert processor.charge(**charge_before) == paid_before  # reconciliation finds it again
    after_outage = processor.charge(**{**charge_before, "idempotency_key": "pending-during-outage"})
    assert after_outage.succeeded
    assert len(payment_intents_with_key(client, "pending-during-outage")) == 1


def test_a_processor_that_accepts_connections_but_never_answers_is_a_bounded_failure() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=16) as silent:
        port = silent.getsockname()[1]
        hanging = StripeProcessor(
            LOCALSTRIPE_API_KEY, api_base=f"http://127.0.0.1:{port}", timeout=0.5
        )

        started = time.monotonic()
        with pytest.raises(ProcessorFailed):
            hanging.charge(
                customer_ref="cus_any",
                payment_method_ref="pm_any",
                amount=100,
                currency="usd",
                idempotency_key=new_key(),
            )
        elapsed = time.monotonic() - started

    # Three attempts of 0.5 s plus the SDK's back-off (0.5 s, then up to 1 s).
    assert elapsed < 6.0, f"a hanging processor took {elapsed:.1f} s to report"


def test_no_processor_id_or_failure_message_reaches_the_logs(
    processor: StripeProcessor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    good = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    bad = processor.create_customer("pm_card_chargeCustomerFail", idempotency_key=new_key())
    paid = processor.charge(
        customer_ref=good.customer_ref,
        payment_method_ref=str(good.payment_method_ref),
        amount=100,
        currency="usd",
        idempotency_key=new_key(),
    )
    declined = processor.charge(
        customer_ref=bad.customer_ref,
        payment_method_ref=str(bad.payment_method_ref),
        amount=100,
        currency="usd",
        idempotency_key=new_key(),
    )
    with pytest.raises(CardDeclined):
        processor.create_customer("pm_card_visa_chargeDeclined", idempotency_key=new_key())

    secrets = [
        good.customer_ref,
        str(good.payment_method_ref),
        bad.customer_ref,
        str(paid.processor_ref),
        str(declined.processor_ref),
        "pm_card_",
        "Your card was declined",
    ]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert [secret for secret in secrets if secret in logged] == []


def test_find_charge_only_looks_up_and_never_creates_a_payment(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient
) -> None:
    """The look-up erasure settles pending charges with: the first outcome when a payment with
    the key exists (a decline too), None — and still no payment — when none does."""
    created = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    assert created.payment_method_ref is not None
    ref = created.customer_ref
    never_sent = new_key()

    assert (
        processor.find_charge(
            customer_ref=ref, amount=700, currency="usd", idempotency_key=never_sent
        )
        is None
    )
    assert payment_intents_with_key(localstripe_client, never_sent) == []

    paid_key = new_key()
    paid = processor.charge(
        customer_ref=ref,
        payment_method_ref=created.payment_method_ref,
        amount=700,
        currency="usd",
        idempotency_key=paid_key,
    )
    found = processor.find_charge(
        customer_ref=ref, amount=700, currency="usd", idempotency_key=paid_key
    )
    assert found == paid and found.succeeded
    assert len(payment_intents_with_key(localstripe_client, paid_key)) == 1
    with pytest.raises(IdempotencyMismatch):
        processor.find_charge(
            customer_ref=ref, amount=701, currency="usd", idempotency_key=paid_key
        )


def test_find_charge_for_a_customer_the_processor_does_not_know_finds_nothing(
    processor: StripeProcessor,
) -> None:
    assert (
        processor.find_charge(
            customer_ref="cus_unknown0000", amount=700, currency="usd", idempotency_key=new_key()
        )
        is None
    )


def test_find_charge_during_an_outage_raises_processor_failed() -> None:
    down = StripeProcessor(LOCALSTRIPE_API_KEY, api_base="http://127.0.0.1:9", timeout=1.0)
    with pytest.raises(ProcessorFailed):
        down.find_charge(
            customer_ref="cus_x", amount=700, currency="usd", idempotency_key=new_key()
        )


def test_a_declined_first_send_names_its_payment_from_the_decline_without_listing_payments(
    processor: StripeProcessor,
    localstripe_client: stripe.StripeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The decline names the failed charge of the PaymentIntent this call created: one read of
    that charge gives the outcome's reference, where a look-up would page through every
    payment of the customer. A spy on the real client's charge listing counts the look-ups."""
    customer = processor.create_customer("pm_card_chargeCustomerFail", idempotency_key=new_key())
    request = {
        "customer_ref": customer.customer_ref,
        "payment_method_ref": str(customer.payment_method_ref),
        "currency": "usd",
    }
    for amount in (100, 200, 300):  # earlier declines of this customer
        processor.charge(**request, amount=amount, idempotency_key=new_key())
    charges = processor._client.v1.charges
    listings: list[object] = []
    real_list = charges.list

    def counting_list(*args: object, **kwargs: object) -> object:
        listings.append(kwargs)
        return real_list(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charges, "list", counting_list)
    key = new_key()

    outcome = processor.charge(**request, amount=400, idempotency_key=key, first_send=True)

    assert listings == []
    assert outcome.status == "failed" and outcome.failure_code == "card_declined"
    [intent] = payment_intents_with_key(localstripe_client, key)
    assert outcome.processor_ref == intent.id and intent.amount == 400


# Stripe's test IBAN (Germany): a SEPA Direct Debit method, the kind whose payments stay
# processing for days.
SEPA_IBAN = "DE89370400440532013000"


@pytest.mark.parametrize("erasure_step", ["detach_payment_methods", "delete_customer"])
def test_erasure_detaches_bank_debit_methods_too_not_only_cards(
    processor: StripeProcessor, localstripe_client: stripe.StripeClient, erasure_step: str
) -> None:
    """A customer with a card and a SEPA debit method: both are detached, at erasure while a
    payment still processes (``detach_payment_methods``) and at its deletion alike."""
    created = processor.create_customer("pm_card_visa", idempotency_key=new_key())
    sepa = localstripe_client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": SEPA_IBAN}}
    )
    localstripe_client.v1.payment_methods.attach(sepa.id, params={"customer": created.customer_ref})
    assert created.payment_method_ref is not None
    methods = [created.payment_method_ref, sepa.id]
    for method in methods:
        assert localstripe_client.v1.payment_methods.retrieve(method).customer == (
            created.customer_ref
        )

    getattr(processor, erasure_step)(created.customer_ref)

    for method in methods:
        assert localstripe_client.v1.payment_methods.retrieve(method).customer is None, method
