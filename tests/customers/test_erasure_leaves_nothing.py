"""DESIGN.md invariant 4 read as an attacker would: after an erasure nothing replays, opens or
links the customer's data — not a stored idempotent response naming one of its subscriptions,
not a pause reason or a charge description (sealed under its data key), not a processor-side
record. Free text reaches the audit only redacted and capped, and never the processor."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace as replace_field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from sqlalchemy import select, text

from service.app.context import AppContext, get_processor
from service.audit.models import AuditEvent
from service.charges.models import Charge
from service.core.db import transaction
from service.customers import sensitive
from service.customers.free_text import MAX_AUDIT_TEXT
from service.customers.models import Customer, ProcessorErasure
from service.customers.processor_erasure import finish_processor_erasures
from service.customers.vault import unseal
from service.jobs.registry import JobContext
from service.processors.stripe_adapter import StripeProcessor
from service.subscriptions.models import Pause
from tests import canaries
from tests.charges.support import charge, payment_intents_of, processor_customer_of
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.subscriptions.support import new_customer, new_subscription, pause

SECRET_NOTE = "note-for-Wilhelmina-Kettleborough-77813"
# A loopback port nothing listens on (the discard port): every processor call fails at once.
DEAD_URL = "http://127.0.0.1:9"


def events(api: Api, action: str) -> list[AuditEvent]:
    with transaction(api.ctx.session_factory) as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.at)
        return list(session.scalars(query))


def raw_dump(api: Api) -> str:
    """Every value of every row of the tables that held the free text, as text."""
    found: list[str] = []
    with api.ctx.engine.connect() as conn:
        for table in ("pauses", "charges", "bulk_operations", "idempotency_keys"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                found += [
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                ]
    return " ".join(found)


def test_a_replayed_cancel_after_erasure_never_returns_the_shredded_metadata(
    api: Api,
) -> None:
    customer = new_customer(api)
    subscription = new_subscription(api, customer, metadata={"note": SECRET_NOTE})["id"]
    key = {"Idempotency-Key": "cancel-" + uuid.uuid4().hex}
    path = f"/v1/subscriptions/{subscription}/cancel"
    first = api.call("POST", path, who="service", json={"at": "now"}, headers=key)
    assert first.status_code == 200 and SECRET_NOTE in first.text
    assert customer in json.loads(events(api, "subscriptions:subscription:cancel")[-1].targets)

    assert api.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200
    again = api.call("POST", path, who="service", json={"at": "now"}, headers=key)

    assert SECRET_NOTE not in again.text
    assert again.headers.get("idempotent-replayed") is None
    assert_problem(again, 410, "gone")


def test_a_stored_response_naming_only_an_owned_token_is_forgotten_by_the_erasure(
    sqlite_api: Api,
) -> None:
    """A response stored before targets named the customer (only the sub_tok_…): erasure
    still finds it through the tokens the customer owns."""
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer, metadata={"note": SECRET_NOTE})["id"]
    key = {"Idempotency-Key": "old-cancel"}
    path = f"/v1/subscriptions/{subscription}/cancel"
    assert sqlite_api.call("POST", path, json={"at": "now"}, headers=key).status_code == 200
    with sqlite_api.ctx.engine.begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET targets = :t"), {"t": subscription})

    assert sqlite_api.call("DELETE", f"/v1/customers/{customer}").status_code == 200

    with sqlite_api.ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM idempotency_keys")).scalar_one() == 0
    again = sqlite_api.call("POST", path, json={"at": "now"}, headers=key)
    assert SECRET_NOTE not in again.text and again.status_code == 410


def test_a_stored_response_naming_an_erased_customer_is_never_replayed(sqlite_api: Api) -> None:
    """Even if a stored response survived the erasure (written by a request racing it), the
    replay refuses it and the request runs afresh."""
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer, metadata={"note": SECRET_NOTE})["id"]
    key = {"Idempotency-Key": "racing-cancel"}
    path = f"/v1/subscriptions/{subscription}/cancel"
    assert sqlite_api.call("POST", path, json={"at": "now"}, headers=key).status_code == 200
    with sqlite_api.ctx.engine.begin() as conn:
        saved = conn.execute(text("SELECT * FROM idempotency_keys")).mappings().one()
    assert sqlite_api.call("DELETE", f"/v1/customers/{customer}").status_code == 200
    with sqlite_api.ctx.engine.begin() as conn:  # put the stored response back
        columns = ", ".join(saved.keys())
        conn.execute(
            text(f"INSERT INTO idempotency_keys ({columns}) VALUES (:{', :'.join(saved.keys())})"),
            dict(saved),
        )

    again = sqlite_api.call("POST", path, json={"at": "now"}, headers=key)

    assert SECRET_NOTE not in again.text and again.status_code == 410


def test_pause_reasons_and_charge_descriptions_are_sealed_and_shredded_with_the_customer(
    api: Api,
) -> None:
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    created = pause(
        api, subscription, start="period_end", days=5, resume_mode="shift", reason=SECRET_NOTE
    )
    assert created.status_code == 201, created.text
    assert created.json()["reason"] == SECRET_NOTE  # no personal data in it: kept whole
    paid = charge(api, customer=customer, description=SECRET_NOTE)
    assert paid.status_code == 201 and paid.json()["description"] == SECRET_NOTE
    assert SECRET_NOTE not in raw_dump(api)  # only ciphertext at rest

    assert api.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200

    with transaction(api.ctx.session_factory) as session:
        assert session.scalars(select(Pause.reason_ciphertext)).all() == [None]
        assert session.scalars(select(Charge.description_ciphertext)).all() == [None]
    read = api.call("GET", f"/v1/charges/{paid.json()['id']}", who="service")
    assert read.status_code == 200 and read.json()["description"] is None


def test_free_text_reaches_the_audit_redacted_and_capped_and_the_processor_not_at_all(
    sqlite_api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer)["id"]
    long_text = (
        f"for {canaries.NAME} at {canaries.ADDRESS_LINE}, call {canaries.PHONE} "
        f"or write {canaries.EMAIL} " + "x" * 300
    )
    assert (
        pause(
            sqlite_api,
            subscription,
            start="period_end",
            days=5,
            resume_mode="shift",
            reason=long_text,
        ).status_code
        == 201
    )
    assert charge(sqlite_api, customer=customer, description=long_text).status_code == 201
    purposes = [
        e.purpose
        for action in ("pauses:pause:create", "charges:charge:create")
        for e in events(sqlite_api, action)
    ]

    assert len(purposes) == 2
    for purpose in purposes:
        assert purpose is not None and len(purpose) <= MAX_AUDIT_TEXT
        assert canaries.scan(purpose) == []
    (intent,) = payment_intents_of(localstripe_client, processor_customer_of(sqlite_api, customer))
    assert set(intent.metadata.to_dict()) == {"strongroom_key"}


def test_control_characters_in_free_text_and_purpose_are_refused(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer)["id"]
    escape = "paused \x1b[2J\x1b[31mby request"

    refused = [
        pause(
            sqlite_api, subscription, start="period_end", days=5, resume_mode="shift", reason=escape
        ),
        charge(sqlite_api, customer=customer, description="line one\rline two"),
        sqlite_api.call(
            "GET",
            f"/v1/customers/{customer}/reveal?fields=name",
            who="compliance",
            headers={"X-Purpose": "ticket \x1b[2J 7"},
        ),
    ]

    for response in refused:
        assert_problem(response, 422, "invalid_request")
    with transaction(sqlite_api.ctx.session_factory) as session:
        assert session.scalars(select(Pause.id)).all() == []
        assert session.scalars(select(Charge.id)).all() == []


def test_erasure_deletes_the_processor_customer_and_forgets_every_link_to_its_payments(
    sqlite_api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer)["id"]
    paid = charge(sqlite_api, subscription=subscription).json()
    at_processor = processor_customer_of(sqlite_api, customer)
    (intent,) = payment_intents_of(localstripe_client, at_processor)
    methods = localstripe_client.v1.payment_methods.list(
        params={"customer": at_processor, "type": "card"}
    )
    (method,) = methods.data

    assert sqlite_api.call("DELETE", f"/v1/customers/{customer}").status_code == 200

    try:
        localstripe_client.v1.customers.retrieve(at_processor)
        gone = False
    except stripe.InvalidRequestError as error:
        gone = error.http_status == 404
    assert gone, "the processor still holds the erased customer"
    assert localstripe_client.v1.payment_methods.retrieve(method.id).customer is None
    # Stripe keeps the PaymentIntent: neither it nor anything Strongroom kept links it to a token.
    kept = localstripe_client.v1.payment_intents.retrieve(intent.id)
    assert canaries.scan_processor_object(kept, [customer, subscription, paid["id"]]) == []
    with transaction(sqlite_api.ctx.session_factory) as session:
        keys = set(session.scalars(select(Charge.processor_key)))
        assert kept.metadata["strongroom_key"] not in keys
        assert session.scalars(select(Charge.request_key)).all() == [None]


def test_a_processor_outage_does_not_hold_up_the_erasure_and_the_job_finishes_it(
    sqlite_api: Api, localstripe_client: stripe.StripeClient
) -> None:
    """The right to be forgotten does not wait for the processor: everything is shredded at
    once but the sealed processor reference (and the wrapped key opening it), which the job
    uses to delete the processor's customer once it answers again — then those go too."""
    customer = new_customer(sqlite_api)
    at_processor = processor_customer_of(sqlite_api, customer)
    down = StripeProcessor(LOCALSTRIPE_API_KEY, api_base=DEAD_URL, timeout=1.0)
    sqlite_api.app.dependency_overrides[get_processor] = lambda: down

    erased = sqlite_api.call("DELETE", f"/v1/customers/{customer}")

    assert erased.status_code == 200, erased.text
    del sqlite_api.app.dependency_overrides[get_processor]
    assert_problem(sqlite_api.call("GET", f"/v1/customers/{customer}"), 410, "gone")
    assert localstripe_client.v1.customers.retrieve(at_processor).id == at_processor
    with transaction(sqlite_api.ctx.session_factory) as session:
        (pending,) = session.scalars(select(ProcessorErasure)).all()
        assert pending.customer == customer
        assert session.get(Customer, customer).wrapped_data_key is None

    context = JobContext(sqlite_api.ctx)
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert finish_processor_erasures(JobContext(replace_processor(sqlite_api, down)), later) == 0
    assert finish_processor_erasures(context, later) == 0  # backed off after that failure
    assert finish_processor_erasures(context, later + timedelta(minutes=5)) == 1

    with pytest.raises(stripe.InvalidRequestError):
        localstripe_client.v1.customers.retrieve(at_processor)
    with transaction(sqlite_api.ctx.session_factory) as session:
        assert session.scalars(select(ProcessorErasure)).all() == []


def replace_processor(api: Api, processor: Any) -> AppContext:
    return replace_field(api.ctx, processor=processor)


def test_a_deferred_processor_erasure_keeps_no_key_that_opens_the_customers_data(
    sqlite_api: Api,
) -> None:
    """An attacker with an old backup of the customer's row and today's database: the row kept
    for the deferred processor deletion must not hold a key that opens that backup."""
    customer = new_customer(sqlite_api)
    with transaction(sqlite_api.ctx.session_factory) as session:
        backup = session.get(Customer, customer)
        assert backup is not None and backup.name_ciphertext is not None
        session.expunge(backup)
    down = StripeProcessor(LOCALSTRIPE_API_KEY, api_base=DEAD_URL, timeout=1.0)
    sqlite_api.app.dependency_overrides[get_processor] = lambda: down
    assert sqlite_api.call("DELETE", f"/v1/customers/{customer}").status_code == 200
    del sqlite_api.app.dependency_overrides[get_processor]

    with transaction(sqlite_api.ctx.session_factory) as session:
        (pending,) = session.scalars(select(ProcessorErasure)).all()
    assert pending.wrapped_data_key != backup.wrapped_data_key
    kept_key = sqlite_api.ctx.key_service.unwrap_data_key(pending.wrapped_data_key)
    with pytest.raises(Exception):
        unseal(backup, kept_key, sensitive.NAME)
    # What the job needs still opens: the processor reference, under the row's own key.
    holder = Customer(
        id=pending.customer,
        data_key_generation=pending.data_key_generation,
        processor_ref_ciphertext=pending.processor_ref_ciphertext,
    )
    assert unseal(holder, kept_key, sensitive.PROCESSOR_REF)["customer"]
