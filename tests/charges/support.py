"""Helpers shared by the charge tests: customers, charges and what the processor holds."""

from __future__ import annotations

import uuid
from typing import Any

import stripe
from sqlalchemy import select

from service.charges.models import Charge
from service.core.db import transaction
from tests.fixtures.app import Api


def new_customer(api: Api, payment_method: str | None = "pm_card_visa", n: int = 0) -> str:
    body: dict[str, Any] = {"name": f"Penny Lane{n}", "email": f"penny{n}@example.com"}
    if payment_method is not None:
        body["payment_method"] = payment_method
    response = api.call("POST", "/v1/customers", who="service", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def charge(api: Api, key: str | None = None, **body: Any) -> Any:
    payload: dict[str, Any] = {"amount": 1999, "currency": "usd"}
    payload.update(body)
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return api.call("POST", "/v1/charges", who="service", json=payload, headers=headers)


def charge_rows(api: Api) -> list[Charge]:
    with transaction(api.ctx.session_factory) as session:
        return list(session.execute(select(Charge).order_by(Charge.created_at)).scalars())


def processor_customer_of(api: Api, customer: str) -> str:
    from service.customers.operations import payment_refs

    with transaction(api.ctx.session_factory) as session:
        refs = payment_refs(session, api.ctx.key_service, api.ctx.data_keys, customer)
    return refs.processor_customer


def payment_intents_of(client: stripe.StripeClient, processor_customer: str) -> list[Any]:
    """Every PaymentIntent the processor holds for one of its customers (found through its
    charges: localstripe cannot filter PaymentIntents by customer)."""
    charges = client.v1.charges.list(
        params={"customer": processor_customer, "limit": 100, "expand": ["data.payment_intent"]}
    )
    intents = {c.payment_intent.id: c.payment_intent for c in charges.data if c.payment_intent}
    return list(intents.values())
