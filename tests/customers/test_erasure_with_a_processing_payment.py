"""An erased customer whose payment the processor keeps reporting ``processing``: its saved
card is detached at the erasure, the processor-erasure job waits for the payment up to
``limits.processor_erasure_max_wait_days`` (7 by default), then gives up — the charge recorded
``failed`` with ``processor_outcome_unknown`` (its ``charge.failed`` event too) under a
``jobs:charge:give_up`` audit event, the processor's customer deleted anyway, an ERROR naming
the charge logged and ``strongroom_processor_erasures_gave_up`` counted — only by the run that
forced the charge.

localstripe settles every payment at once, so the processor is reached through
``ProcessingProxy`` (tests/processors/processing_proxy.py), which rewrites localstripe's
answers to report the payment still processing. It is a fake at the one point no real part can
reach: no localstripe state keeps a payment processing. Customers, cards, their detachment and
deletion are localstripe's own, and are checked there through the real ``stripe`` SDK."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from sqlalchemy import select

from service.app.context import get_processor
from service.audit.models import AuditEvent
from service.charges.erasure import ERASED_KEY_PREFIX
from service.charges.models import PROCESSOR_OUTCOME_UNKNOWN
from service.core import hooks
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.core.timeparse import format_api_time
from service.customers.jobs import finish_processor_erasures
from service.customers.models import ProcessorErasure
from service.devstack.localstripe import LocalStripeServer
from service.events.models import Event
from service.jobs.registry import JobContext
from service.processors.stripe_adapter import StripeProcessor
from tests.charges.support import charge, charge_rows, new_customer, processor_customer_of
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.processors.processing_proxy import ProcessingProxy

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
GAVE_UP = "strongroom_processor_erasures_gave_up_total"
# A loopback port nothing listens on (the discard port): every processor call fails at once.
DEAD_URL = "http://127.0.0.1:9"


@pytest.fixture
def proxy(localstripe: LocalStripeServer) -> Iterator[ProcessingProxy]:
    with ProcessingProxy(localstripe.port) as running:
        yield running


@pytest.fixture
def processing(proxy: ProcessingProxy) -> StripeProcessor:
    """The Stripe adapter, reaching localstripe through the proxy that keeps payments
    processing."""
    return StripeProcessor(LOCALSTRIPE_API_KEY, api_base=proxy.url, timeout=5.0)


def erased_with_a_processing_payment(api: Api) -> tuple[str, str, str]:
    """A customer charged (the payment still processing), then erased: (customer, its id at
    the processor, the charge)."""
    customer = new_customer(api)
    at_processor = processor_customer_of(api, customer)
    made = charge(api, customer=customer, amount=1999)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending"
    erased = api.call("DELETE", f"/v1/customers/{customer}")
    assert erased.status_code == 200, erased.text
    return customer, at_processor, made.json()["id"]


def cards_of(client: stripe.StripeClient, at_processor: str) -> list[str]:
    listed = client.v1.payment_methods.list(params={"customer": at_processor, "type": "card"})
    return [method.id for method in listed.data]


def still_there(client: stripe.StripeClient, at_processor: str) -> bool:
    return not client.v1.customers.retrieve(at_processor).to_dict().get("deleted")


def move_clock(api: Api, to: datetime) -> None:
    """The test clock moved: every job due by then runs."""
    moved = api.call("POST", "/v1/test/clock", json={"now": format_api_time(to)})
    assert moved.status_code == 200, moved.text


def errors_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def audited(api: Api, action: str) -> list[list[str]]:
    """The targets of each audit event of ``action``."""
    with transaction(api.ctx.session_factory) as session:
        found = session.scalars(select(AuditEvent.targets).where(AuditEvent.action == action))
        return [json.loads(targets) for targets in found]


def charge_events(api: Api, charge_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The (type, data) of each event (webhook) about the charge."""
    with transaction(api.ctx.session_factory) as session:
        events = [(e.type, json.loads(e.data)) for e in session.scalars(select(Event))]
    return [(kind, data) for kind, data in events if data.get("charge") == charge_id]


def before_the_give_up(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> list[int]:
    """Run ``meanwhile`` once, just before the job's first give-up settlement (after its
    look-up found the payment still processing, with no lock or transaction held). Not a fake:
    every part runs for real; this only orders them as two replicas, or the processor, could.
    Returns the list the number of give-up settlements is appended to."""
    real = hooks.settled_before_processor_erasure
    calls: list[int] = []

    def settle(*args: Any, **kwargs: Any) -> bool:
        if kwargs.get("give_up"):
            calls.append(1)
            if len(calls) == 1:
                meanwhile()
        return real(*args, **kwargs)

    monkeypatch.setattr(hooks, "settled_before_processor_erasure", settle)
    return calls


def gave_up_count(api: Api) -> float:
    metrics = api.call("GET", "/v1/metrics")
    assert metrics.status_code == 200, metrics.text
    (line,) = [line for line in metrics.text.splitlines() if line.startswith(GAVE_UP + " ")]
    return float(line.split()[1])


def test_erasure_detaches_the_saved_card_while_a_payment_is_still_processing(
    make_api: Callable[..., Api],
    db_url: str,
    processing: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    api = make_api(db_url, clock=FrozenClock(T0), processor=processing)

    customer, at_processor, charge_id = erased_with_a_processing_payment(api)

    assert cards_of(localstripe_client, at_processor) == []
    # The customer itself waits at the processor for the payment, with the sealed reference.
    assert still_there(localstripe_client, at_processor)
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is not None
    assert [(c.id, c.status) for c in charge_rows(api)] == [(charge_id, "pending")]


def test_the_job_detaches_the_card_when_the_processor_was_down_at_the_erasure(
    make_api: Callable[..., Api],
    db_url: str,
    processing: StripeProcessor,
    localstripe_client: stripe.StripeClient,
) -> None:
    """Down at the erasure, nothing could be detached; the job's first look-up that finds the
    payment processing detaches the card, and the job goes on waiting."""
    api = make_api(db_url, clock=FrozenClock(T0), processor=processing)
    customer = new_customer(api)
    at_processor = processor_customer_of(api, customer)
    assert charge(api, customer=customer, amount=1999).json()["status"] == "pending"
    down = StripeProcessor(LOCALSTRIPE_API_KEY, api_base=DEAD_URL, timeout=1.0)
    api.app.dependency_overrides[get_processor] = lambda: down
    erased = api.call("DELETE", f"/v1/customers/{customer}")
    del api.app.dependency_overrides[get_processor]
    assert erased.status_code == 200, erased.text
    assert len(cards_of(localstripe_client, at_processor)) == 1

    assert finish_processor_erasures(JobContext(api.ctx), T0 + timedelta(hours=1)) == 0

    assert cards_of(localstripe_client, at_processor) == []
    assert still_there(localstripe_client, at_processor)
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is not None


def test_the_job_waits_for_a_processing_payment_up_to_the_policy_then_gives_up(
    make_api: Callable[..., Api],
    db_url: str,
    processing: StripeProcessor,
    localstripe_client: stripe.StripeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The shipped policy's 7 days: a minute before, the job still waits; at 7 days it records
    the charge failed with ``processor_outcome_unknown`` (its ``charge.failed`` event says so:
    a merchant can tell it from a charge the processor never had), audits the give-up naming
    the charge, deletes the processor's customer, logs an ERROR naming the charge (a token, no
    personal data) and counts it."""
    api = make_api(
        db_url,
        clock=FrozenClock(T0),
        processor=processing,
        settings_overrides={"test_clock": True},
    )
    assert api.ctx.policy.limits.processor_erasure_max_wait_days == 7
    customer, at_processor, charge_id = erased_with_a_processing_payment(api)
    caplog.set_level(logging.WARNING, logger="strongroom.customers")

    move_clock(api, T0 + timedelta(days=7) - timedelta(minutes=1))

    with transaction(api.ctx.session_factory) as session:
        waiting = session.get(ProcessorErasure, customer)
        assert waiting is not None
        assert waiting.attempts >= 1  # the job ran, found the payment processing, backed off
    assert [(c.id, c.status) for c in charge_rows(api)] == [(charge_id, "pending")]
    assert still_there(localstripe_client, at_processor)
    assert not errors_of(caplog)
    assert gave_up_count(api) == 0
    assert audited(api, "jobs:charge:give_up") == []

    move_clock(api, T0 + timedelta(days=7))

    (settled,) = charge_rows(api)
    assert (settled.id, settled.status, settled.failure_code) == (
        charge_id,
        "failed",
        PROCESSOR_OUTCOME_UNKNOWN,
    )
    assert settled.processor_key == ERASED_KEY_PREFIX + charge_id
    assert charge_events(api, charge_id) == [
        (
            "charge.failed",
            {
                "charge": charge_id,
                "subscription": None,
                "customer": customer,
                "amount": 1999,
                "currency": "USD",
                "failure_code": PROCESSOR_OUTCOME_UNKNOWN,
            },
        )
    ]
    (targets,) = audited(api, "jobs:charge:give_up")
    assert charge_id in targets
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is None
    with pytest.raises(stripe.InvalidRequestError):
        localstripe_client.v1.customers.retrieve(at_processor)
    (error,) = errors_of(caplog)
    assert error.name == "strongroom.customers"
    assert "gave up" in error.getMessage()
    assert "processor_outcome_unknown" in error.getMessage()
    assert error.charges == [charge_id]  # type: ignore[attr-defined]
    assert error.waited_days == 7  # type: ignore[attr-defined]
    for secret in (customer, at_processor):
        assert secret not in error.getMessage()
        assert secret not in str(vars(error))
    assert gave_up_count(api) == 1


def test_a_payment_that_finished_just_before_the_give_up_is_recorded_and_not_reported(
    make_api: Callable[..., Api],
    db_url: str,
    proxy: ProcessingProxy,
    processing: StripeProcessor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The job's first look-up finds the payment processing, 7 days on; it succeeds at the
    processor before the give-up's look-up. The charge is recorded succeeded, and nothing
    reports a give-up: no ERROR, no metric, no give-up audit event."""
    api = make_api(db_url, clock=FrozenClock(T0), processor=processing)
    customer, _, charge_id = erased_with_a_processing_payment(api)
    caplog.set_level(logging.WARNING, logger="strongroom.customers")
    give_ups = before_the_give_up(monkeypatch, proxy.payments_finish)

    assert finish_processor_erasures(JobContext(api.ctx), T0 + timedelta(days=7)) == 1

    assert give_ups == [1]  # the job did reach its give-up
    (settled,) = charge_rows(api)
    assert (settled.id, settled.status, settled.failure_code) == (charge_id, "succeeded", None)
    assert [kind for kind, _ in charge_events(api, charge_id)] == ["charge.succeeded"]
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is None
    assert not errors_of(caplog)
    assert gave_up_count(api) == 0
    assert audited(api, "jobs:charge:give_up") == []


def test_two_replicas_giving_up_on_one_payment_report_it_once(
    make_api: Callable[..., Api],
    db_url: str,
    processing: StripeProcessor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replica B's look-up finds the payment processing at 7 days; before its give-up, replica A
    runs the whole job and gives up on the charge. Only A, which recorded the charge failed,
    reports it: one ERROR, one count, one give-up audit event; B finds the charge settled."""
    api = make_api(db_url, clock=FrozenClock(T0), processor=processing)
    customer, _, charge_id = erased_with_a_processing_payment(api)
    caplog.set_level(logging.WARNING, logger="strongroom.customers")
    at = T0 + timedelta(days=7)
    finished_by_a: list[int] = []
    give_ups = before_the_give_up(
        monkeypatch,
        lambda: finished_by_a.append(finish_processor_erasures(JobContext(api.ctx), at)),
    )

    finished_by_b = finish_processor_erasures(JobContext(api.ctx), at)

    assert give_ups == [1, 1]  # both replicas gave up: B (first asked), then A within it
    assert (finished_by_a, finished_by_b) == ([1], 0)
    (settled,) = charge_rows(api)
    assert (settled.status, settled.failure_code) == ("failed", PROCESSOR_OUTCOME_UNKNOWN)
    assert [kind for kind, _ in charge_events(api, charge_id)] == ["charge.failed"]
    (error,) = errors_of(caplog)
    assert error.charges == [charge_id]  # type: ignore[attr-defined]
    assert gave_up_count(api) == 1
    assert len(audited(api, "jobs:charge:give_up")) == 1
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is None


def test_charges_forced_before_an_outage_are_reported_then_the_rest_on_the_next_run(
    make_api: Callable[..., Api],
    db_url: str,
    proxy: ProcessingProxy,
    processing: StripeProcessor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two payments processing at 7 days; the processor goes down after the give-up's look-up
    of one of them. That charge, recorded failed, is reported at once (ERROR, count, audit);
    the other waits, pending, for the next run, which reports it alone."""
    api = make_api(db_url, clock=FrozenClock(T0), processor=processing)
    customer = new_customer(api)
    made = [charge(api, customer=customer, amount=amount).json() for amount in (1999, 2999)]
    assert [c["status"] for c in made] == ["pending", "pending"]
    both = {c["id"] for c in made}
    assert api.call("DELETE", f"/v1/customers/{customer}").status_code == 200
    caplog.set_level(logging.WARNING, logger="strongroom.customers")
    real_find = processing.find_charge
    looked: list[int] = []

    def find_charge(**request: Any) -> Any:
        found = real_find(**request)
        looked.append(1)
        if len(looked) == 3:  # both in the waiting pass, then the first in the give-up's
            proxy.go_down()
        return found

    monkeypatch.setattr(processing, "find_charge", find_charge)

    assert finish_processor_erasures(JobContext(api.ctx), T0 + timedelta(days=7)) == 0

    (error,) = errors_of(caplog)
    (first,) = error.charges  # type: ignore[attr-defined]
    (second,) = both - {first}
    by_id = {c.id: c for c in charge_rows(api)}
    assert (by_id[first].status, by_id[first].failure_code) == (
        "failed",
        PROCESSOR_OUTCOME_UNKNOWN,
    )
    assert by_id[second].status == "pending"
    assert gave_up_count(api) == 1
    assert [first in targets for targets in audited(api, "jobs:charge:give_up")] == [True]
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is not None

    proxy.come_back()
    caplog.clear()
    assert finish_processor_erasures(JobContext(api.ctx), T0 + timedelta(days=8)) == 1

    by_id = {c.id: c for c in charge_rows(api)}
    assert (by_id[second].status, by_id[second].failure_code) == (
        "failed",
        PROCESSOR_OUTCOME_UNKNOWN,
    )
    (error,) = errors_of(caplog)
    assert error.charges == [second]  # type: ignore[attr-defined]
    assert gave_up_count(api) == 2
    assert len(audited(api, "jobs:charge:give_up")) == 2
    with transaction(api.ctx.session_factory) as session:
        assert session.get(ProcessorErasure, customer) is None
