"""Credits always equal what the schedule engine (and so ``/upcoming``) applies: a credit pause
that starts now, and an existing credit pause when a bulk pause is placed before it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.core.clock import FrozenClock
from tests.fixtures.app import Api
from tests.subscriptions.support import (
    move_clock,
    new_customer,
    new_subscription,
    pause,
    read,
    upcoming,
)


@pytest.fixture
def clocked(make_api: Callable[..., Api], sqlite_url: str, test_clock: FrozenClock) -> Api:
    return make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})


def applied(api: Api, subscription: str) -> int:
    return sum(entry["credit_applied"] for entry in upcoming(api, subscription, 6))


def test_a_credit_pause_starting_now_answers_the_credit_upcoming_applies(clocked: Api) -> None:
    subscription = new_subscription(clocked, new_customer(clocked))
    move_clock(clocked, "2026-12-05T00:00:00Z")  # into the first paid period
    created = pause(clocked, subscription["id"], start="now", days=10, resume_mode="credit")
    assert created.status_code == 201, created.text
    credit = created.json()["credit_amount"]
    assert credit > 0
    assert credit == applied(clocked, subscription["id"])
    stored = read(clocked, subscription["id"])["pauses"][0]
    assert stored["status"] == "active" and stored["credit_amount"] == credit


def test_a_bulk_pause_before_an_existing_credit_pause_keeps_that_credit_true(clocked: Api) -> None:
    subscription = new_subscription(
        clocked, new_customer(clocked), start_at="2026-12-10T00:00:00Z", plan="bulkcredit"
    )["id"]
    later = pause(
        clocked, subscription, start="2027-02-20T00:00:00Z", days=10, resume_mode="credit"
    ).json()
    before = later["credit_amount"]
    bulk = clocked.call(
        "POST",
        "/v1/pauses/bulk",
        who="admin",
        json={
            "selector": {"plan": "bulkcredit"},
            "start": "2027-01-05T00:00:00Z",
            "days": 20,
            "resume_mode": "shift",
            "dry_run": False,
        },
    )
    assert bulk.status_code == 201, bulk.text
    credit = next(p for p in read(clocked, subscription)["pauses"] if p["id"] == later["id"])
    # The shift moved the billing calendar under the credit pause: its credit is recomputed.
    assert credit["credit_amount"] == applied(clocked, subscription)
    assert credit["credit_amount"] != before
