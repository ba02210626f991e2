"""Renewal day meets SIGTERM: the serving process stops within 10 s while its scheduler is
charging due subscriptions, and after a restart every period is charged exactly once — the
database and the processor (localstripe) agree."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from service.charges.models import Charge
from service.core.db import make_engine
from service.devstack import free_port
from service.devstack.localstripe import LocalStripeServer, StateFile
from service.devstack.openbao import OpenBaoDevServer
from service.subscriptions.models import Subscription
from tests.fixtures.live_server import LiveServer
from tests.serving.test_workers import wait_for

# The size is 5,000 (about 3 minutes of charging here): CI runs 250, and
# STRONGROOM_TEST_RENEWAL_SIZE=5000 runs the full one (with pytest's --timeout=1800).
SUBSCRIPTIONS = int(os.environ.get("STRONGROOM_TEST_RENEWAL_SIZE", "250"))
CUSTOMERS = 8


def due_subscriptions(server: LiveServer, count: int) -> None:
    customers = []
    for n in range(CUSTOMERS):
        made = server.call(
            "POST",
            "/v1/customers",
            who="service",
            json={
                "name": f"Renewal Person{n}",
                "email": f"renewal{n}@example.com",
                "payment_method": "pm_card_visa",
            },
        )
        assert made.status_code == 201, made.text
        customers.append(made.json()["id"])
    start = datetime.now(UTC) - timedelta(hours=1)
    engine = make_engine(server.db_url)
    with engine.begin() as conn:
        conn.execute(
            insert(Subscription),
            [
                {
                    "id": f"sub_tok_{secrets.token_hex(12)}",
                    "customer": customers[n % CUSTOMERS],
                    "status": "active",
                    "plan": "renewal",
                    "amount": 900,
                    "currency": "usd",
                    "interval": "month",
                    "interval_count": 1,
                    "start_at": start,
                    "created_at": start,
                    "charged_through_index": -1,
                    "next_charge_at": start,
                }
                for n in range(count)
            ],
        )
    engine.dispose()


def charges_by_status(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Charge.status, func.count()).group_by(Charge.status)).all()
    engine.dispose()
    return {status: count for status, count in rows}


def test_sigterm_mid_renewal_exits_within_ten_seconds_and_a_restart_charges_each_period_once(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    pg_url: str,
    tmp_path: Path,
) -> None:
    # A localstripe of its own: thousands of payments would slow the session's one down for
    # every later test (its lists scan the whole store). Its state file is how the test reads
    # what it holds at the end: listing thousands of PaymentIntents over HTTP takes it longer
    # than the renewal (each one's export scans the whole store).
    state_file = tmp_path / "localstripe.pickle"
    with LocalStripeServer(port=free_port(), state_file=state_file) as localstripe:
        renew_stop_and_restart(make_live_server, openbao, localstripe, pg_url)


def renew_stop_and_restart(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    pg_url: str,
) -> None:
    server = make_live_server(
        db_url=pg_url,
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
    )
    due_subscriptions(server, SUBSCRIPTIONS)
    # The scheduler (every second) starts charging: stop it in the middle.
    wait_for(lambda: charges_by_status(pg_url).get("succeeded", 0) >= 20, timeout=120)
    process = server._process  # the signal is the subject: sent directly
    assert process is not None
    signalled = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise AssertionError("the service did not stop within 10 s of SIGTERM") from None
    assert time.monotonic() - signalled <= 10
    at_stop = charges_by_status(pg_url)
    # Unfinished at the stop: periods not yet recorded, or recorded charges not yet sent (the
    # job records up to a few batches ahead of its sending).
    unfinished = sum(at_stop.values()) < SUBSCRIPTIONS or at_stop.get("pending", 0) > 0
    assert unfinished, f"the renewal had finished already: {at_stop}"

    server.start()  # the reconciler sends what was recorded; the job charges the rest
    engine = make_engine(pg_url)

    def finished() -> bool:
        with engine.connect() as conn:
            left = conn.execute(
                text(
                    "SELECT count(*) FROM subscriptions WHERE charged_through_index < 0 "
                    "OR id IN (SELECT subscription FROM charges WHERE status = 'pending')"
                )
            ).scalar_one()
        return left == 0

    wait_for(finished, timeout=max(600, SUBSCRIPTIONS / 5))
    with engine.connect() as conn:
        per_subscription = dict(
            conn.execute(
                select(Charge.subscription, func.count())
                .where(Charge.status == "succeeded")
                .group_by(Charge.subscription)
            ).all()
        )
        keys = set(conn.execute(select(Charge.processor_key)).scalars())
    engine.dispose()
    assert len(per_subscription) == SUBSCRIPTIONS
    assert set(per_subscription.values()) == {1}

    localstripe.stop()  # saves its store to the state file
    assert localstripe.state_file is not None
    paid = Counter(
        str((intent.metadata or {}).get("strongroom_key"))
        for intent in StateFile(localstripe.state_file).load().values()
        if getattr(intent, "object", None) == "payment_intent" and intent.status == "succeeded"
    )
    assert sum(paid[key] for key in keys) == SUBSCRIPTIONS, "a period paid twice, or missed"
    assert {paid[key] for key in keys if paid[key]} == {1}
