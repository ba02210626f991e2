"""The real service killed with SIGKILL in the middle of a bulk pause and in the middle of
recurring charging: after a restart each operation has either completed or rolled back whole,
no charge is duplicated (in Strongroom or at the processor) and the audit chain verifies."""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import stripe
from sqlalchemy import insert, text

from service.core.db import make_engine
from service.customers.models import Customer
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.subscriptions.models import Subscription
from tests.fixtures.live_server import LiveServer
from tests.fixtures.localstripe import stripe_client_for

BULK_SIZES = (4000, 15000, 40000)
RENEWAL_DAYS = 366


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def seed_subscriptions(db_url: str, count: int, plan: str) -> None:
    """``count`` monthly subscriptions inserted directly (a bulk pause needs no card)."""
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    customers = [f"cus_tok_{secrets.token_hex(12)}" for _ in range(50)]
    with engine.begin() as conn:
        conn.execute(insert(Customer), [{"id": c, "created_at": now} for c in customers])
        start = now + timedelta(days=2)
        conn.execute(
            insert(Subscription),
            [
                {
                    "id": f"sub_tok_{secrets.token_hex(12)}",
                    "customer": customers[n % len(customers)],
                    "status": "active",
                    "plan": plan,
                    "amount": 1000,
                    "currency": "USD",
                    "interval": "month",
                    "interval_count": 1,
                    "start_at": start,
                    "created_at": now,
                    "charged_through_index": -1,
                    "next_charge_at": start,
                }
                for n in range(count)
            ],
        )
    engine.dispose()


def scalar(db_url: str, sql: str) -> Any:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def in_background(call: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under the request
            call()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def audit_verifies(server: LiveServer) -> None:
    verify = server.call("GET", "/v1/audit/verify", who="compliance", timeout=120).json()
    assert verify["ok"] is True and verify["first_bad_seq"] is None, json.dumps(verify)


def test_a_service_killed_during_a_bulk_pause_has_paused_all_or_nothing(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'bulk.db'}"
    server = make_live_server(
        db_url=db_url,
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
    )
    # The kill must land while the bulk pause runs: if the machine finished it first, the
    # next round pauses a bigger book (each round its own plan), until one is cut short.
    cut_short = False
    for size in BULK_SIZES:
        plan = f"holiday-{size}"
        seed_subscriptions(db_url, size, plan)
        body = {
            "selector": {"plan": plan},
            "start": (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "days": 15,
            "resume_mode": "shift",
            "dry_run": False,
        }
        headers = {
            "Authorization": f"Bearer {server.keys['admin']}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        request = in_background(
            lambda body=body, headers=headers: httpx.post(
                f"{server.base_url}/v1/pauses/bulk", json=body, headers=headers, timeout=300
            )
        )
        time.sleep(0.3)
        cut_short = request.is_alive()
        if cut_short:
            server.kill()
            request.join(10)
            server.start()
        else:
            request.join()
        assert_all_or_nothing(server, db_url, plan, size, body)
        if cut_short:
            break
    assert cut_short, "every bulk pause finished before the kill: the test proved nothing"
    audit_verifies(server)


def assert_all_or_nothing(
    server: LiveServer, db_url: str, plan: str, size: int, body: dict[str, Any]
) -> None:
    """Every subscription of ``plan`` is paused exactly once with one bulk row, or none is;
    rolled back, a new request (the old key is held until abandoned) pauses them all once."""
    of_plan = (
        f"FROM pauses JOIN subscriptions s ON s.id = pauses.subscription WHERE s.plan = '{plan}'"
    )
    paused = scalar(db_url, f"SELECT count(*) {of_plan}")
    assert paused in (0, size), (plan, paused)
    if paused == 0:
        retried = server.call(
            "POST",
            "/v1/pauses/bulk",
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=300,
        )
        assert retried.status_code == 201, retried.text
    assert scalar(db_url, f"SELECT count(*) {of_plan}") == size
    assert scalar(db_url, f"SELECT count(DISTINCT pauses.subscription) {of_plan}") == size


def customer_with_subscription(server: LiveServer, n: int) -> str:
    customer = server.call(
        "POST",
        "/v1/customers",
        who="service",
        json={
            "name": f"Holly Day{n}",
            "email": f"holly{n}@example.com",
            "payment_method": "pm_card_visa",
        },
    )
    assert customer.status_code == 201, customer.text
    subscription = server.call(
        "POST",
        "/v1/subscriptions",
        who="service",
        json={
            "customer": customer.json()["id"],
            "plan": "gold",
            "amount": 2500 + n,
            "currency": "usd",
            "interval": "month",
        },
    )
    assert subscription.status_code == 201, subscription.text
    return str(subscription.json()["id"])


def test_a_service_killed_during_recurring_charging_never_charges_a_period_twice(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    restartable_localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'charging.db'}"
    server = make_live_server(
        db_url=db_url,
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=restartable_localstripe.url,
        env={"STRONGROOM_TEST_CLOCK": "1", "STRONGROOM_UNSAFE_TEST_CLOCK_IN_PRODUCTION": "1"},
    )
    subscriptions = [customer_with_subscription(server, n) for n in range(8)]
    target = (datetime.now(UTC) + timedelta(days=RENEWAL_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    admin = {"Authorization": f"Bearer {server.keys['admin']}"}
    # Two months of renewals for ten subscriptions are charged while the clock moves.
    request = in_background(
        lambda: httpx.post(
            f"{server.base_url}/v1/test/clock", json={"now": target}, headers=admin, timeout=120
        )
    )
    time.sleep(0.6)
    server.kill()
    request.join(10)

    server.start()  # a restarted test clock starts at the wall clock again
    moved = server.call("POST", "/v1/test/clock", json={"now": target}, timeout=120)
    assert moved.status_code == 200, moved.text
    deadline = time.monotonic() + 30
    while scalar(db_url, "SELECT count(*) FROM charges WHERE status = 'pending'") and (
        time.monotonic() < deadline
    ):
        server.call("POST", "/v1/test/clock", json={"now": target}, timeout=120)
        time.sleep(0.5)

    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT subscription, period_index, status, amount FROM charges "
                "WHERE subscription IS NOT NULL"
            )
        ).all()
    engine.dispose()
    per_period = Counter((row.subscription, row.period_index) for row in rows)
    assert per_period and max(per_period.values()) == 1, per_period
    assert {row.subscription for row in rows} == set(subscriptions)
    assert all(row.status == "succeeded" for row in rows), rows
    # Every period is charged (the start and twelve renewals) and paid once at the processor.
    assert len(rows) == 13 * len(subscriptions), len(rows)
    client: stripe.StripeClient = stripe_client_for(restartable_localstripe)
    paid = [
        intent
        for intent in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if intent.status == "succeeded"
    ]
    assert sorted(i.amount for i in paid) == sorted(row.amount for row in rows)
    audit_verifies(server)
