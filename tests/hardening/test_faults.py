"""Fault injection against the real components, across every route the app publishes:
OpenBao sealed and stopped mid-run, a private PostgreSQL stopped and restarted mid-run. Each
request fails cleanly (503 ``key_service_unavailable``, never a 500), writes nothing but what
needs no key, and the service serves again once the component is back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from service.core.db import make_engine
from service.core.migrate import upgrade
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import PersistentOpenBao
from service.keys.transit import TransitKeyService
from service.processors.stripe_adapter import StripeProcessor
from tests.canaries import canary_customer
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.fixtures.openbao import key_service_for
from tests.fixtures.private_postgres import PrivatePostgres
from tests.hardening.hostile import templates
from tests.hardening.support import Book, operations, problem_errors, row_counts, seed_book

# Rows a request may add whatever happens to it: its own audit event (and a checkpoint when
# one falls due), and the idempotency record of an answer below 500.
BOOKKEEPING = {"audit_events", "audit_tree_heads", "audit_nodes", "idempotency_keys"}


@pytest.fixture
def outage_key_service(restartable_openbao: PersistentOpenBao) -> TransitKeyService:
    service = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=1.0)
    service.ensure_keys()
    return service


def sweep(api: Api, book: Book) -> list[tuple[str, Any]]:
    """One request to every operation (DELETEs last, so erasure does not hide the others)."""
    bodies = templates(book)
    bodies["customers:customer:create"] = canary_customer()
    answers = []
    ordered = sorted(operations(api.app), key=lambda op: op.method == "DELETE")
    for operation in ordered:
        headers = {"X-Purpose": "fault sweep", "Idempotency-Key": uuid.uuid4().hex}
        url = operation.url(book.for_operation(operation))
        if operation.action == "customers:customer:reveal":
            url += "?fields=name,email"
        response = api.call(
            operation.method,
            url,
            who="admin",
            json=bodies.get(operation.action, {}) if operation.has_body else None,
            headers=headers,
        )
        answers.append((f"{operation.method} {operation.path}", response))
    return answers


def assert_clean_outage(api: Api, answers: list[tuple[str, Any]], before: dict[str, int]) -> None:
    failures = []
    unavailable = 0
    for label, response in answers:
        if response.status_code >= 500 and response.status_code != 503:
            failures.append(f"{label}: {response.status_code} {response.text[:200]}")
        if response.status_code >= 400:
            failures += [f"{label}: {e}" for e in problem_errors(response)]
        if response.status_code == 503:
            unavailable += 1
            if response.json()["code"] != "key_service_unavailable":
                failures.append(f"{label}: 503 with code {response.json()['code']}")
    assert not failures, "\n".join(failures)
    assert unavailable >= 3, "the outage was not felt: the sweep proves nothing"
    after = row_counts(api.ctx.engine)
    for table, count in after.items():
        if table in BOOKKEEPING:
            continue
        # Work that needs no key (a pause, a bulk pause, a webhook endpoint) may still be done;
        # what needs the key (customers, their charges) must not be half-written.
        if table in ("customers", "customer_index", "charges"):
            assert count == before[table], f"{table} changed during the outage"


def test_a_sealed_then_stopped_key_service_fails_every_route_cleanly_and_recovers(
    restartable_openbao: PersistentOpenBao,
    outage_key_service: TransitKeyService,
    make_api: Callable[..., Api],
    sqlite_url: str,
) -> None:
    api = make_api(sqlite_url, key_service=outage_key_service)
    book = seed_book(api)
    api.ctx.data_keys.clear()

    restartable_openbao.seal()
    before = row_counts(api.ctx.engine)
    assert_clean_outage(api, sweep(api, book), before)

    restartable_openbao.stop()
    api.ctx.data_keys.clear()
    before = row_counts(api.ctx.engine)
    assert_clean_outage(api, sweep(api, book), before)

    restartable_openbao.start()
    created = api.call("POST", "/v1/customers", who="service", json=canary_customer())
    assert created.status_code == 201, created.text
    api.ctx.data_keys.clear()
    read = api.call("GET", f"/v1/customers/{created.json()['id']}", who="service")
    assert read.status_code == 200, read.text
    # Erasure needs no key service (crypto-shredding drops the wrapped key): it went through.
    erased = api.call("GET", f"/v1/customers/{book.tokens['customer_id']}", who="service")
    assert erased.status_code == 410, erased.text
    verify = api.call("GET", "/v1/audit/verify", who="compliance").json()
    assert verify["ok"] is True, verify


def test_a_private_postgresql_stopped_and_restarted_mid_run_fails_cleanly_then_serves(
    private_postgres: PrivatePostgres, make_api: Callable[..., Api]
) -> None:
    engine = make_engine(private_postgres.url)
    upgrade(engine)
    engine.dispose()
    api = make_api(private_postgres.url)
    book = seed_book(api)

    private_postgres.stop()
    for label, response in sweep(api, book):
        if label in ("GET /healthz", "GET /metrics"):
            assert response.status_code == 200, label  # process alive; no storage needed
            continue
        assert response.status_code == 503, f"{label}: {response.status_code} {response.text}"
        assert response.json()["code"] == "key_service_unavailable", label
        assert not problem_errors(response), label
    assert api.call("GET", "/readyz", who=None).status_code == 503

    private_postgres.start()
    # The pool's connections died with the server: the next request must not see them.
    read = api.call("GET", f"/v1/customers/{book.tokens['customer_id']}", who="service")
    assert read.status_code == 200, read.text
    created = api.call("POST", "/v1/customers", who="service", json=canary_customer())
    assert created.status_code == 201, created.text

    private_postgres.restart()
    assert api.call("GET", "/readyz", who=None).status_code == 200
    after = api.call("GET", f"/v1/customers/{created.json()['id']}", who="service")
    assert after.status_code == 200, after.text
    verify = api.call("GET", "/v1/audit/verify", who="compliance").json()
    assert verify["ok"] is True, verify


def test_a_stopped_processor_fails_every_route_cleanly_and_stores_no_customer(
    restartable_localstripe: LocalStripeServer, make_api: Callable[..., Api], sqlite_url: str
) -> None:
    """localstripe down: a customer with a card is 502 ``processor_error`` and not stored, no
    route answers 500, and the service serves cards again once the processor is back (the
    pending charge and its reconciliation are the charges tests' subject)."""
    processor = StripeProcessor(
        LOCALSTRIPE_API_KEY, api_base=restartable_localstripe.url, timeout=2.0
    )
    api = make_api(sqlite_url, processor=processor)
    book = seed_book(api)

    restartable_localstripe.stop()
    before = row_counts(api.ctx.engine)
    answers = sweep(api, book)
    failures = [
        f"{label}: {r.status_code} {r.text[:200]}"
        for label, r in answers
        if r.status_code >= 500 and r.status_code != 502
    ]
    failures += [
        f"{label}: {e}" for label, r in answers if r.status_code >= 400 for e in problem_errors(r)
    ]
    assert not failures, "\n".join(failures)
    codes = {label: r.json().get("code") for label, r in answers if r.status_code == 502}
    assert codes.get("POST /v1/charges") == "processor_error", codes
    with_card = api.call(
        "POST", "/v1/customers", who="service", json=canary_customer(payment_method="pm_card_visa")
    )
    assert with_card.status_code == 502, with_card.text
    assert with_card.json()["code"] == "processor_error"
    assert row_counts(api.ctx.engine)["customers"] == before["customers"] + 1  # the card-less one

    restartable_localstripe.start()
    created = api.call(
        "POST", "/v1/customers", who="service", json=canary_customer(payment_method="pm_card_visa")
    )
    assert created.status_code == 201, created.text
