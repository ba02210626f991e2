"""Canary personal values pushed through every API path that takes personal or free text —
customers, searches, purposes, pause and bulk reasons, charge descriptions, metadata, redact,
query filters — in normal operation, with the key service sealed, and with the processor
down: none ever appears in the service's log (tracebacks included), an audit export (JSON
lines and CSV), an event payload or an error body."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from service.customers.free_text import MAX_AUDIT_TEXT
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import PersistentOpenBao
from service.processors.stripe_adapter import StripeProcessor
from tests.canaries import (
    ADDRESS_LINE,
    EMAIL,
    METADATA_VALUE,
    NAME,
    PHONE,
    PURPOSE,
    canary_customer,
    scan,
    scan_processor_object,
)
from tests.charges.support import payment_intents_of, processor_customer_of
from tests.conftest import LOG_CAPTURE
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.fixtures.openbao import key_service_for

FREE_TEXT = f"for {NAME} at {ADDRESS_LINE}, call {PHONE} or write {EMAIL}"


@pytest.fixture
def leaky_api(
    make_api: Callable[..., Api],
    sqlite_url: str,
    restartable_openbao: PersistentOpenBao,
    restartable_localstripe: LocalStripeServer,
) -> Api:
    key_service = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=1.0)
    key_service.ensure_keys()
    processor = StripeProcessor(
        LOCALSTRIPE_API_KEY, api_base=restartable_localstripe.url, timeout=2.0
    )
    return make_api(sqlite_url, key_service=key_service, processor=processor)


@pytest.fixture
def log_since() -> Iterator[Callable[[], str]]:
    path = LOG_CAPTURE["path"]
    offset = path.stat().st_size

    def read() -> str:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", errors="replace")

    yield read


def push_canaries(api: Api, tokens: dict[str, str]) -> list[int]:
    """Every path that takes personal data or free text, with canaries; the statuses seen.
    ``tokens`` holds a customer and a subscription made while everything was up."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    calls: list[tuple[str, str, str, dict[str, Any]]] = [
        (
            "POST",
            "/v1/customers",
            "service",
            {"json": canary_customer(payment_method="pm_card_visa"), "headers": key},
        ),
        (
            "POST",
            "/v1/customers",
            "service",
            {"json": {"name": NAME, "email": f"{NAME} <not an email>", "phone": f"call {PHONE}"}},
        ),
        ("POST", "/v1/customers/search", "service", {"json": {"email": EMAIL}}),
        (
            "GET",
            f"/v1/customers/{tokens['customer']}/reveal?fields=name,email",
            "compliance",
            {"headers": {"X-Purpose": PURPOSE}},
        ),
        (
            "GET",
            f"/v1/customers/{tokens['customer']}/reveal?fields=name",
            "compliance",
            {"headers": {"X-Purpose": PURPOSE * 10}},
        ),
        (
            "POST",
            "/v1/subscriptions",
            "service",
            {
                "json": {
                    "customer": tokens["customer"],
                    "plan": "gold",
                    "amount": 1000,
                    "currency": "usd",
                    "interval": "month",
                    "metadata": {"note": FREE_TEXT},
                }
            },
        ),
        (
            "POST",
            f"/v1/subscriptions/{tokens['subscription']}/pauses",
            "service",
            {
                "json": {
                    "start": "period_end",
                    "days": 5,
                    "resume_mode": "shift",
                    "reason": FREE_TEXT,
                }
            },
        ),
        (
            "POST",
            "/v1/pauses/bulk",
            "admin",
            {
                "json": {
                    "selector": {"plan": "gold"},
                    "start": "period_end",
                    "days": 5,
                    "resume_mode": "shift",
                    "reason": FREE_TEXT,
                    "dry_run": True,
                }
            },
        ),
        (
            "POST",
            "/v1/charges",
            "service",
            {
                "json": {
                    "customer": tokens["customer"],
                    "amount": 500,
                    "currency": "usd",
                    "description": FREE_TEXT,
                },
                "headers": {"Idempotency-Key": uuid.uuid4().hex},
            },
        ),
        (
            "POST",
            "/v1/charges",
            "service",
            {
                "json": {
                    "customer": NAME,
                    "amount": 500,
                    "currency": "usd",
                    "description": FREE_TEXT,
                },
                "headers": {"Idempotency-Key": uuid.uuid4().hex},
            },
        ),
        ("POST", "/v1/redact", "service", {"json": {"text": FREE_TEXT}}),
        ("POST", "/v1/redact", "service", {"json": {"lines": [FREE_TEXT, NAME]}}),
        (
            "POST",
            "/v1/inventory/breach-report",
            "compliance",
            {
                "json": {
                    "from": "2026-01-01T00:00:00Z",
                    "to": "2026-02-01T00:00:00Z",
                    "actors": [NAME],
                }
            },
        ),
        ("GET", "/v1/audit/events", "compliance", {"params": {"actor": NAME, "target": EMAIL}}),
        ("GET", f"/v1/customers/{EMAIL}", "service", {}),
        (
            "POST",
            "/v1/webhook-endpoints",
            "admin",
            {
                "json": {
                    "url": f"https://{NAME.replace(' ', '')}.example.com/{EMAIL}",
                    "events": ["charge.succeeded"],
                }
            },
        ),
    ]
    statuses = []
    for method, path, who, kwargs in calls:
        statuses.append(api.call(method, path, who=who, **kwargs).status_code)
    return statuses


def assert_no_canary_anywhere(api: Api, log: str) -> None:
    assert scan(log) == [], "canary personal data in the service log"
    for fmt in ("jsonl", "csv"):
        export = api.call("GET", f"/v1/audit/export?format={fmt}", who="compliance")
        assert export.status_code == 200, export.text
        assert scan(export.text) == [], f"canary personal data in the {fmt} audit export"
    events = api.call("GET", "/v1/events?limit=500", who="admin")
    assert events.status_code == 200, events.text
    assert scan(events.text) == [], "canary personal data in an event payload"
    assert api.leaked_canaries() == []


def test_canaries_through_every_free_text_path_never_leak_even_when_components_fail(
    leaky_api: Api,
    restartable_openbao: PersistentOpenBao,
    restartable_localstripe: LocalStripeServer,
    log_since: Callable[[], str],
) -> None:
    customer = leaky_api.call(
        "POST", "/v1/customers", who="service", json=canary_customer(payment_method="pm_card_visa")
    )
    assert customer.status_code == 201, customer.text
    subscription = leaky_api.call(
        "POST",
        "/v1/subscriptions",
        who="service",
        json={
            "customer": customer.json()["id"],
            "plan": "gold",
            "amount": 1000,
            "currency": "usd",
            "interval": "month",
        },
    )
    assert subscription.status_code == 201, subscription.text
    tokens = {"customer": customer.json()["id"], "subscription": subscription.json()["id"]}

    normal = push_canaries(leaky_api, tokens)
    assert normal.count(201) >= 4, normal

    restartable_openbao.seal()
    leaky_api.ctx.data_keys.clear()
    sealed = push_canaries(leaky_api, tokens)
    assert 503 in sealed, sealed
    restartable_openbao.unseal()

    restartable_localstripe.stop()
    down = push_canaries(leaky_api, tokens)
    assert 502 in down, down
    restartable_localstripe.start()

    log = log_since()
    assert log.count("\n") > 20, "the run logged nothing: the log scan proves nothing"
    assert_no_canary_anywhere(leaky_api, log)


def test_after_an_erasure_no_replay_processor_record_or_audit_purpose_holds_a_canary(
    sqlite_api: Api, sqlite_url: str, localstripe_client: stripe.StripeClient
) -> None:
    """Replay after erasure, the processor after erasure, and the audit's purposes: every
    idempotent request that carried the customer's data is replayed after its erasure, and
    neither the answers, nor what the processor keeps, nor the audit trail (whose purposes
    are capped), nor the database file hold a canary or a link to the customer's tokens."""
    api = sqlite_api
    replays: list[tuple[str, str, str, dict[str, Any]]] = []

    def send(method: str, path: str, who: str, body: dict[str, Any] | None = None) -> Any:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        response = api.call(method, path, who=who, json=body, headers=key)
        assert response.status_code < 300, response.text
        replays.append((method, path, who, {"json": body, "headers": key}))
        return response.json()

    customer = send(
        "POST", "/v1/customers", "service", canary_customer(payment_method="pm_card_visa")
    )
    token = customer["id"]
    subscription = send(
        "POST",
        "/v1/subscriptions",
        "service",
        {
            "customer": token,
            "plan": "gold",
            "amount": 1000,
            "currency": "usd",
            "interval": "month",
            "metadata": {"note": METADATA_VALUE},
        },
    )["id"]
    path = f"/v1/subscriptions/{subscription}"
    pause = send(
        "POST",
        f"{path}/pauses",
        "service",
        {"start": "period_end", "days": 5, "resume_mode": "shift", "reason": FREE_TEXT},
    )
    paid = send(
        "POST",
        "/v1/charges",
        "service",
        {"customer": token, "amount": 500, "currency": "usd", "description": FREE_TEXT},
    )
    canceled = send("POST", f"{path}/cancel", "service", {"at": "now"})
    assert METADATA_VALUE in json.dumps(canceled)  # the stored answer held customer data
    revealed = api.call(
        "GET",
        f"/v1/customers/{token}/reveal?fields=name",
        who="compliance",
        headers={"X-Purpose": f"{PURPOSE} " + "and more context " * 8},
    )
    assert revealed.status_code == 200
    at_processor = processor_customer_of(api, token)
    intents = payment_intents_of(localstripe_client, at_processor)
    assert intents

    assert api.call("DELETE", f"/v1/customers/{token}", who="admin").status_code == 200

    creation, *others = replays
    method, replay_path, who, kwargs = creation
    again = api.call(method, replay_path, who=who, **kwargs)
    # never the erased customer's stored answer: the retry creates someone new from its body
    assert again.headers.get("idempotent-replayed") is None
    assert again.status_code == 201 and again.json()["id"] != token
    for method, replay_path, who, kwargs in others:
        again = api.call(method, replay_path, who=who, **kwargs)
        assert again.headers.get("idempotent-replayed") is None, replay_path
        assert scan(again.text) == [] and METADATA_VALUE not in again.text, replay_path
    with pytest.raises(stripe.InvalidRequestError):
        localstripe_client.v1.customers.retrieve(at_processor)
    owned = [token, subscription, pause["id"], paid["id"]]
    for intent in intents:
        kept = localstripe_client.v1.payment_intents.retrieve(intent.id)
        assert scan_processor_object(kept, owned) == [], "the processor links the erased customer"
    export = api.call("GET", "/v1/audit/export?format=jsonl", who="compliance").text
    purposes = [json.loads(line).get("purpose") for line in export.splitlines()[:-1]]
    assert any(purposes) and all(len(p) <= MAX_AUDIT_TEXT for p in purposes if p)
    assert scan(export) == []
    database = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes().decode("latin-1")
    assert scan(database) == [] and METADATA_VALUE not in database
