"""A worker killed between its recorded intent and the processor's answer: the reconciler
finishes the charge, and the processor holds exactly one payment for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.core.clock import FrozenClock
from service.core.config import PROJECT_ROOT
from service.core.db import transaction
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.jobs.scheduler import run_due_jobs
from service.subscriptions.models import Subscription
from tests.charges.hanging_proxy import HangingProxy
from tests.charges.support import (
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def start_worker(
    db_url: str,
    openbao: OpenBaoDevServer,
    stripe_base: str,
    now: datetime,
    start_at: float | None = None,
) -> subprocess.Popen[str]:
    """A worker process running the due jobs at ``now`` (from ``start_at``, epoch seconds)."""
    arguments = [db_url, openbao.addr, openbao.token, stripe_base, now.isoformat()]
    if start_at is not None:
        arguments.append(str(start_at))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.charges.worker", *arguments],
        cwd=PROJECT_ROOT,
        env={**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_a_worker_during_the_payment(
    db_url: str,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    now: datetime,
    processor_acted: bool,
) -> None:
    """A worker running the due jobs at ``now``, killed while the processor holds its
    PaymentIntent request (forwarded first when the processor acted: only the answer is lost)
    or never got it."""
    with HangingProxy(
        localstripe.port, b"POST /v1/payment_intents", forward=processor_acted
    ) as proxy:
        worker = start_worker(db_url, openbao, proxy.url, now)
        try:
            assert proxy.holding.wait(60), worker.stderr.read() if worker.stderr else ""
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(30)


@pytest.mark.parametrize("processor_acted", [True, False], ids=["answer-lost", "never-sent"])
def test_a_worker_killed_during_the_processor_call_is_reconciled_to_exactly_one_payment(
    make_api: Callable[..., Api],
    db_url: str,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    localstripe_client: stripe.StripeClient,
    processor_acted: bool,
) -> None:
    api = make_api(db_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    subscription = new_subscription(api, customer, amount=4321)["id"]
    processor_customer = processor_customer_of(api, customer)
    now = T0 + timedelta(hours=1)

    kill_a_worker_during_the_payment(db_url, openbao, localstripe, now, processor_acted)

    (intent,) = charge_rows(api)
    assert intent.status == "pending"
    assert intent.period_index == 0
    paid_before = payment_intents_of(localstripe_client, processor_customer)
    assert len(paid_before) == (1 if processor_acted else 0)
    with transaction(api.ctx.session_factory) as session:
        assert session.get(Subscription, subscription).charged_through_index == 0

    handled = run_due_jobs(api.ctx, now)

    assert handled.get("charges-reconcile") == 1
    assert handled.get("charges-recurring", 0) == 0
    (settled,) = charge_rows(api)
    assert (settled.id, settled.status, settled.amount) == (intent.id, "succeeded", 4321)
    intents = payment_intents_of(localstripe_client, processor_customer)
    assert [(i.amount, i.status) for i in intents] == [(4321, "succeeded")]
    if processor_acted:
        assert intents[0].id == paid_before[0].id
    with transaction(api.ctx.session_factory) as session:
        reconciled = session.execute(
            select(AuditEvent).where(AuditEvent.action == "jobs:charge:reconcile")
        ).scalar_one()
    assert intent.id in reconciled.targets
