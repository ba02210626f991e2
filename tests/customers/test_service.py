"""What other domains call: payment_refs for the charges engine, customer_state."""

from __future__ import annotations

import pytest

from service.core.db import transaction
from service.core.errors import Gone, NotFound, ValidationFailed
from service.customers.operations import PaymentRefs, customer_state, payment_refs
from service.processors.stripe_adapter import StripeProcessor
from tests.customers.support import create
from tests.fixtures.app import Api

UNKNOWN = "cus_tok_0000000000000000000000ab"


def refs_of(api: Api, token: str) -> PaymentRefs:
    with transaction(api.ctx.session_factory) as session:
        return payment_refs(session, api.ctx.key_service, api.ctx.data_keys, token)


def test_payment_refs_are_the_processor_ids_and_a_charge_with_them_succeeds(
    api: Api, processor: StripeProcessor
) -> None:
    token = create(api)["id"]
    api.ctx.data_keys.clear()

    refs = refs_of(api, token)

    assert refs.processor_customer.startswith("cus_")
    assert refs.payment_method.startswith("pm_")
    assert refs.processor_customer not in repr(refs) and refs.payment_method not in repr(refs)
    outcome = processor.charge(
        customer_ref=refs.processor_customer,
        payment_method_ref=refs.payment_method,
        amount=1999,
        currency="usd",
        idempotency_key=f"test-charge-{token}",
    )
    assert outcome.succeeded


def test_payment_refs_refuse_an_unknown_an_erased_and_a_card_less_customer(
    sqlite_api: Api,
) -> None:
    without_card = create(sqlite_api, payment_method=None)["id"]
    erased = create(sqlite_api)["id"]
    assert sqlite_api.call("DELETE", f"/v1/customers/{erased}").status_code == 200

    with pytest.raises(NotFound):
        refs_of(sqlite_api, UNKNOWN)
    with pytest.raises(Gone):
        refs_of(sqlite_api, erased)
    with pytest.raises(ValidationFailed, match="no payment method"):
        refs_of(sqlite_api, without_card)


def test_customer_state_is_active_erased_or_none(sqlite_api: Api) -> None:
    active = create(sqlite_api, payment_method=None)["id"]
    erased = create(sqlite_api, payment_method=None, email="e@example.com")["id"]
    assert sqlite_api.call("DELETE", f"/v1/customers/{erased}").status_code == 200

    with transaction(sqlite_api.ctx.session_factory) as session:
        states = [customer_state(session, t) for t in (active, erased, UNKNOWN)]

    assert states == ["active", "erased", None]
