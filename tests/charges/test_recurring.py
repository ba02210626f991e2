"""Recurring charges made by the jobs as the test clock moves: exactly what ``upcoming``
promised, each period once, failed ones retried on the policy's schedule, then past_due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from sqlalchemy import update

from service.core.clock import FrozenClock
from service.core.db import transaction
from service.core.timeparse import format_api_time
from service.subscriptions.models import Subscription
from tests.charges.support import new_customer, payment_intents_of, processor_customer_of
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock_api(make_api: Callable[..., Api], db_url: str) -> Api:
    return make_api(db_url, clock=FrozenClock(T0), settings_overrides={"test_clock": True})


@pytest.fixture
def sqlite_clock_api(make_api: Callable[..., Api], sqlite_url: str) -> Api:
    return make_api(sqlite_url, clock=FrozenClock(T0), settings_overrides={"test_clock": True})


def move_clock(api: Api, to: datetime) -> None:
    response = api.call("POST", "/v1/test/clock", who="admin", json={"now": format_api_time(to)})
    assert response.status_code == 200, response.text


def charges_of(api: Api, subscription: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/v1/charges?subscription={subscription}&limit=500", who="service")
    assert response.status_code == 200, response.text
    return sorted(response.json()["data"], key=lambda c: (c["due_at"], c["created_at"]))


def upcoming(api: Api, subscription: str, count: int = 8) -> list[dict[str, Any]]:
    response = api.call(
        "GET", f"/v1/subscriptions/{subscription}/upcoming?count={count}", who="service"
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def pause(api: Api, subscription: str, start: datetime, days: int, mode: str) -> None:
    body = {"start": format_api_time(start), "days": days, "resume_mode": mode}
    response = api.call(
        "POST", f"/v1/subscriptions/{subscription}/pauses", who="service", json=body
    )
    assert response.status_code == 201, response.text


def subscription_status(api: Api, subscription: str) -> str:
    response = api.call("GET", f"/v1/subscriptions/{subscription}", who="service")
    return str(response.json()["status"])


def test_one_clock_jump_charges_every_period_once_exactly_as_upcoming_promised(
    clock_api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customers = [new_customer(clock_api, n=n) for n in range(3)]
    skipping, shifting, crediting = (new_subscription(clock_api, c)["id"] for c in customers)
    pause(clock_api, skipping, T0 + timedelta(days=45), 30, "skip")
    pause(clock_api, shifting, T0 + timedelta(days=10), 12, "shift")
    pause(clock_api, crediting, T0 + timedelta(days=1), 45, "credit")
    promised = {sub: upcoming(clock_api, sub) for sub in (skipping, shifting, crediting)}
    until = T0 + timedelta(days=160)

    move_clock(clock_api, until)
    move_clock(clock_api, until)  # the same time again changes nothing

    for customer, subscription in zip(customers, (skipping, shifting, crediting), strict=True):
        due = [e for e in promised[subscription] if e["due_at"] <= format_api_time(until)]
        expected = [
            (e["due_at"], e["amount_due"], e["credit_applied"], e["currency"])
            for e in due
            if e["status"] == "scheduled"
        ]
        made = charges_of(clock_api, subscription)
        assert [
            (c["due_at"], c["amount"], c["credit_applied"], c["currency"]) for c in made
        ] == expected
        assert {c["status"] for c in made} == {"succeeded"}
        paid = sorted(c["amount"] for c in made if c["amount"] > 0)
        intents = payment_intents_of(localstripe_client, processor_customer_of(clock_api, customer))
        assert sorted(i.amount for i in intents) == paid
    assert any(e["status"] == "skipped" for e in promised[skipping])
    assert any(e["amount_due"] == 0 for e in promised[crediting])
    assert promised[shifting][1]["due_at"] == format_api_time(
        datetime(2027, 2, 10, 9, 0, tzinfo=UTC) + timedelta(days=12)
    )


def test_charges_made_step_by_step_match_those_made_in_one_jump(sqlite_clock_api: Api) -> None:
    customer = new_customer(sqlite_clock_api)
    subscription = new_subscription(sqlite_clock_api, customer, interval="week")["id"]
    promised = upcoming(sqlite_clock_api, subscription, count=6)

    for day in range(0, 37, 3):
        move_clock(sqlite_clock_api, T0 + timedelta(days=day))

    made = charges_of(sqlite_clock_api, subscription)
    assert [c["due_at"] for c in made] == [e["due_at"] for e in promised[:6]]
    assert len({c["id"] for c in made}) == 6


def test_a_failing_card_is_retried_on_the_policy_schedule_then_the_subscription_is_past_due(
    clock_api: Api,
) -> None:
    retry_hours = clock_api.ctx.policy.limits.charge_retry_hours
    customer = new_customer(clock_api, payment_method="pm_card_chargeCustomerFail")
    subscription = new_subscription(clock_api, customer)["id"]

    move_clock(clock_api, T0)
    assert [c["status"] for c in charges_of(clock_api, subscription)] == ["failed"]
    assert subscription_status(clock_api, subscription) == "active"
    for attempt, hours in enumerate(retry_hours, start=1):
        move_clock(clock_api, T0 + timedelta(hours=hours) - timedelta(seconds=1))
        assert len(charges_of(clock_api, subscription)) == attempt
        move_clock(clock_api, T0 + timedelta(hours=hours))
        assert len(charges_of(clock_api, subscription)) == attempt + 1

    made = charges_of(clock_api, subscription)
    assert [(c["status"], c["failure_code"]) for c in made] == [("failed", "card_declined")] * (
        len(retry_hours) + 1
    )
    assert {c["due_at"] for c in made} == {format_api_time(T0)}
    assert subscription_status(clock_api, subscription) == "past_due"


def test_a_clock_jump_past_every_retry_runs_them_all_and_ends_past_due(
    sqlite_clock_api: Api,
) -> None:
    customer = new_customer(sqlite_clock_api, payment_method="pm_card_chargeCustomerFail")
    subscription = new_subscription(sqlite_clock_api, customer, interval="year")["id"]

    failed_at = T0 + timedelta(days=30)
    move_clock(sqlite_clock_api, failed_at)  # retries count from the failure, not the due date
    assert len(charges_of(sqlite_clock_api, subscription)) == 1

    retry_hours = sqlite_clock_api.ctx.policy.limits.charge_retry_hours
    move_clock(sqlite_clock_api, failed_at + timedelta(hours=max(retry_hours), days=1))

    retries = len(retry_hours)
    assert len(charges_of(sqlite_clock_api, subscription)) == retries + 1
    assert subscription_status(sqlite_clock_api, subscription) == "past_due"


def test_a_successful_charge_restores_a_past_due_subscription_to_active(clock_api: Api) -> None:
    customer = new_customer(clock_api)
    subscription = new_subscription(clock_api, customer)["id"]
    with transaction(clock_api.ctx.session_factory) as session:
        session.execute(
            update(Subscription).where(Subscription.id == subscription).values(status="past_due")
        )

    move_clock(clock_api, T0 + timedelta(hours=1))

    assert [c["status"] for c in charges_of(clock_api, subscription)] == ["succeeded"]
    assert subscription_status(clock_api, subscription) == "active"


def test_an_erased_customers_subscription_is_never_charged_again(clock_api: Api) -> None:
    customer = new_customer(clock_api)
    subscription = new_subscription(clock_api, customer)["id"]
    move_clock(clock_api, T0 + timedelta(days=1))
    assert len(charges_of(clock_api, subscription)) == 1

    assert clock_api.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200
    move_clock(clock_api, T0 + timedelta(days=100))

    assert len(charges_of(clock_api, subscription)) == 1


def test_recurring_charges_are_audited_as_the_system(sqlite_clock_api: Api) -> None:
    from sqlalchemy import select

    from service.audit.models import AuditEvent

    customer = new_customer(sqlite_clock_api)
    subscription = new_subscription(sqlite_clock_api, customer)["id"]
    move_clock(sqlite_clock_api, T0 + timedelta(days=40))

    made = charges_of(sqlite_clock_api, subscription)
    with transaction(sqlite_clock_api.ctx.session_factory) as session:
        events = list(
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.action == "jobs:charge:create")
                .order_by(AuditEvent.pk)
            ).scalars()
        )
    assert len(events) == len(made) == 2
    for event, charge in zip(events, made, strict=True):
        assert (event.actor, event.role) == ("system", "system")
        assert charge["id"] in event.targets and subscription in event.targets


def test_a_canceled_subscription_is_not_retried(sqlite_clock_api: Api) -> None:
    customer = new_customer(sqlite_clock_api, payment_method="pm_card_chargeCustomerFail")
    subscription = new_subscription(sqlite_clock_api, customer)["id"]
    move_clock(sqlite_clock_api, T0)
    assert [c["status"] for c in charges_of(sqlite_clock_api, subscription)] == ["failed"]

    canceled = sqlite_clock_api.call(
        "POST", f"/v1/subscriptions/{subscription}/cancel", who="service", json={"at": "now"}
    )
    assert canceled.status_code == 200, canceled.text
    move_clock(sqlite_clock_api, T0 + timedelta(days=30))

    assert len(charges_of(sqlite_clock_api, subscription)) == 1
    assert subscription_status(sqlite_clock_api, subscription) == "canceled"


def test_no_payment_method_ends_past_due_after_the_retries_not_new_attempts_every_period(
    clock_api: Api,
) -> None:
    """``no_payment_method`` is found before the processor is asked: nothing reaches it."""
    retry_hours = clock_api.ctx.policy.limits.charge_retry_hours
    customer = new_customer(clock_api, payment_method=None)
    subscription = new_subscription(clock_api, customer)["id"]

    move_clock(clock_api, T0)
    for hours in retry_hours:
        move_clock(clock_api, T0 + timedelta(hours=hours))
    made = charges_of(clock_api, subscription)
    assert [(c["status"], c["failure_code"]) for c in made] == [("failed", "no_payment_method")] * (
        len(retry_hours) + 1
    )
    assert subscription_status(clock_api, subscription) == "past_due"

    move_clock(clock_api, T0 + timedelta(days=200))  # six more monthly due dates

    assert len(charges_of(clock_api, subscription)) == len(retry_hours) + 1
    assert subscription_status(clock_api, subscription) == "past_due"


def test_a_period_charged_at_exactly_now_is_no_longer_upcoming(sqlite_clock_api: Api) -> None:
    customer = new_customer(sqlite_clock_api)
    subscription = new_subscription(sqlite_clock_api, customer)["id"]
    promised = upcoming(sqlite_clock_api, subscription, count=4)
    due = datetime.fromisoformat(promised[1]["due_at"].replace("Z", "+00:00"))

    move_clock(sqlite_clock_api, due)

    assert [c["due_at"] for c in charges_of(sqlite_clock_api, subscription)] == [
        e["due_at"] for e in promised[:2]
    ]
    assert upcoming(sqlite_clock_api, subscription, count=2) == promised[2:4]
