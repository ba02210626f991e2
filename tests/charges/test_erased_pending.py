"""A charge left ``pending`` by a crash whose customer is then erased is settled from what the
processor really did (a look-up only, never a new payment): paid there -> ``succeeded``, never
reached it -> ``failed`` with ``customer_erased``. When the processor is down at the erasure,
the sealed processor reference is kept until the job has settled the charge the same way.

The crash is real: a worker process is killed while its PaymentIntent request is held by a
proxy (forwarded to localstripe first when the processor "acted", so the money was taken and
only the answer was lost), as in test_crash.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from sqlalchemy import select, update

from service.app.context import get_processor
from service.audit.models import AuditEvent
from service.charges.erasure import ERASED_KEY_PREFIX
from service.charges.models import CUSTOMER_ERASED, Charge
from service.charges.reconcile import reconcile_pending
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.customers.jobs import finish_processor_erasures
from service.customers.models import ProcessorErasure
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.events.models import Event
from service.jobs.registry import JobContext
from service.jobs.scheduler import run_due_jobs
from service.processors.stripe_adapter import IDEMPOTENCY_METADATA_KEY, StripeProcessor
from tests.charges.support import charge, charge_rows, new_customer, processor_customer_of
from tests.charges.test_crash import kill_a_worker_during_the_payment
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# A loopback port nothing listens on (the discard port): every processor call fails at once.
DEAD_URL = "http://127.0.0.1:9"


def crash_during_the_payment(
    api: Api,
    db_url: str,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    processor_acted: bool,
) -> Charge:
    """The renewal job's worker, killed while the processor holds (or never got) its request:
    the charge stays pending in Strongroom."""
    kill_a_worker_during_the_payment(
        db_url, openbao, localstripe, T0 + timedelta(hours=1), processor_acted
    )
    (pending,) = charge_rows(api)
    assert pending.status == "pending"
    return pending


def intents_with_key(client: stripe.StripeClient, key: str) -> list[stripe.PaymentIntent]:
    """Every PaymentIntent at localstripe carrying this processor key (its whole store: the
    processor's customer may be deleted by then)."""
    listed = client.v1.payment_intents.list(params={"limit": 100})
    return [
        intent
        for intent in listed.auto_paging_iter()
        if intent.metadata and intent.metadata.to_dict().get(IDEMPOTENCY_METADATA_KEY) == key
    ]


def assert_settled_without_leaks(
    api: Api, pending: Charge, status: str, processor_ids: list[str]
) -> None:
    """The charge's outcome, its key forgotten, and no processor id or key on its event or
    audit (they carry Strongroom tokens and amounts only)."""
    with transaction(api.ctx.session_factory) as session:
        settled = session.get(Charge, pending.id)
        assert settled is not None
        assert settled.status == status
        assert settled.processor_key == ERASED_KEY_PREFIX + pending.id
        events = [
            e.data for e in session.scalars(select(Event)) if json.loads(e.data).get("charge")
        ]
        audits = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "jobs:charge:reconcile")
        ).all()
    (event,) = [json.loads(data) for data in events if json.loads(data)["charge"] == pending.id]
    assert set(event) == {"charge", "subscription", "customer", "amount", "currency"} | {
        "failure_code"
    }
    assert [a for a in audits if pending.id in a.targets]
    for text in [*events, *(str(a.__dict__) for a in audits)]:
        for secret in [*processor_ids, pending.processor_key]:
            assert secret not in text


@pytest.mark.parametrize("processor_acted", [True, False], ids=["paid", "never-sent"])
def test_erasure_settles_a_crashed_pending_charge_from_what_the_processor_did(
    make_api: Callable[..., Api],
    db_url: str,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    localstripe_client: stripe.StripeClient,
    processor_acted: bool,
) -> None:
    api = make_api(db_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    new_subscription(api, customer, amount=4321)
    at_processor = processor_customer_of(api, customer)
    pending = crash_during_the_payment(api, db_url, openbao, localstripe, processor_acted)
    paid_before = intents_with_key(localstripe_client, pending.processor_key)
    assert len(paid_before) == (1 if processor_acted else 0)

    erased = api.call("DELETE", f"/v1/customers/{customer}")

    assert erased.status_code == 200, erased.text
    (settled,) = charge_rows(api)
    if processor_acted:
        assert (settled.status, settled.failure_code) == ("succeeded", None)
    else:
        assert (settled.status, settled.failure_code) == ("failed", CUSTOMER_ERASED)
    after = intents_with_key(localstripe_client, pending.processor_key)
    assert [i.id for i in after] == [i.id for i in paid_before]  # nothing new was created
    ids = [at_processor, *(i.id for i in paid_before)]
    assert_settled_without_leaks(api, pending, settled.status, ids)

    run_due_jobs(api.ctx, T0 + timedelta(hours=2))  # the reconciler finds nothing to redo
    assert [(c.id, c.status) for c in charge_rows(api)] == [(pending.id, settled.status)]
    assert [i.id for i in intents_with_key(localstripe_client, pending.processor_key)] == [
        i.id for i in paid_before
    ]


def test_a_processor_down_at_the_erasure_keeps_the_reference_until_the_job_settles_the_charge(
    make_api: Callable[..., Api],
    db_url: str,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    localstripe_client: stripe.StripeClient,
) -> None:
    """The erasure does not wait for the processor; only the sealed processor reference stays
    (processor_erasures, under its own data key). The reconciler leaves the charge to the job,
    which settles it by look-up once the processor answers, then deletes the customer there."""
    api = make_api(db_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    new_subscription(api, customer, amount=4321)
    at_processor = processor_customer_of(api, customer)
    pending = crash_during_the_payment(api, db_url, openbao, localstripe, processor_acted=True)
    (paid,) = intents_with_key(localstripe_client, pending.processor_key)
    down = StripeProcessor(LOCALSTRIPE_API_KEY, api_base=DEAD_URL, timeout=1.0)
    api.app.dependency_overrides[get_processor] = lambda: down

    erased = api.call("DELETE", f"/v1/customers/{customer}")

    del api.app.dependency_overrides[get_processor]
    assert erased.status_code == 200, erased.text
    assert [(c.id, c.status) for c in charge_rows(api)] == [(pending.id, "pending")]
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is not None

    # The processor answers again, but the reconciler neither fails nor sends the charge:
    # without its processor reference it could not tell whether it was paid.
    later = T0 + timedelta(hours=2)
    reconcile_pending(JobContext(api.ctx), later)
    assert [(c.id, c.status) for c in charge_rows(api)] == [(pending.id, "pending")]

    assert finish_processor_erasures(JobContext(api.ctx), later) == 1

    (settled,) = charge_rows(api)
    assert (settled.status, settled.failure_code) == ("succeeded", None)
    assert [i.id for i in intents_with_key(localstripe_client, pending.processor_key)] == [paid.id]
    assert_settled_without_leaks(api, pending, "succeeded", [at_processor, paid.id])
    with transaction(api.ctx.session_factory) as session:
        assert session.scalars(select(ProcessorErasure)).all() == []
    with pytest.raises(stripe.InvalidRequestError):
        localstripe_client.v1.customers.retrieve(at_processor)


def test_a_look_up_that_does_not_match_its_charge_never_blocks_the_erasure(
    make_api: Callable[..., Api], db_url: str, openbao: OpenBaoDevServer, localstripe: Any
) -> None:
    """A database writer (or a crash-left row) makes a pending charge's amount differ from its
    payment: the look-up answers a mismatch, yet the customer is erased at once; only the
    processor side waits for the job, with the sealed reference kept."""
    api = make_api(db_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    made = charge(api, customer=customer, amount=1999)
    assert made.status_code == 201, made.text
    (row,) = charge_rows(api)
    with transaction(api.ctx.session_factory) as session:
        session.execute(
            update(Charge).where(Charge.id == row.id).values(status="pending", amount=2000)
        )

    erased = api.call("DELETE", f"/v1/customers/{customer}")

    assert erased.status_code == 200, erased.text
    assert erased.json()["erased_at"] is not None
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is not None
