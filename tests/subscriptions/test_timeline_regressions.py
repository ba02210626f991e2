"""Mismatches the timeline property tests found, kept as explicit examples
(``test_timeline_properties``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from service.core.clock import FrozenClock
from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.schedule import PauseWindow, ResumeMode, credit_for_pause
from tests.fixtures.app import Api
from tests.subscriptions.support import (
    move_clock,
    new_customer,
    new_subscription,
    pause,
    read,
)


@pytest.fixture
def clocked(make_api: Callable[..., Api], db_url: str, test_clock: FrozenClock) -> Api:
    return make_api(db_url, clock=test_clock, settings_overrides={"test_clock": True})


@pytest.mark.parametrize("second_start", ["2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z"])
def test_a_pause_that_starts_as_or_after_another_ends_keeps_the_subscription_paused(
    clocked: Api, second_start: str
) -> None:
    """One clock move (or scheduler run) covers the first pause's end and the second's start,
    adjacent or not: the second is active, so the subscription reads ``paused``."""
    token = new_subscription(clocked, new_customer(clocked), start_at="2026-12-01T12:00:00Z")["id"]
    first = pause(clocked, token, start="2026-12-05T00:00:00Z", days=6, resume_mode="skip")
    assert first.status_code == 201, first.text
    second = pause(clocked, token, start=second_start, days=10, resume_mode="credit")
    assert second.status_code == 201, second.text

    move_clock(clocked, "2026-12-14T00:00:00Z")

    view = read(clocked, token)
    statuses = {p["id"]: p["status"] for p in view["pauses"]}
    assert statuses == {first.json()["id"]: "completed", second.json()["id"]: "active"}
    assert view["status"] == "paused"


def test_cancel_at_period_end_recomputes_the_credit_of_a_pause_that_spans_the_end(
    clocked: Api,
) -> None:
    """The periods after ``cancel_at`` never come, so they earn no credit (schedule engine)."""
    token = new_subscription(clocked, new_customer(clocked), start_at="2026-12-01T12:00:00Z")["id"]
    made = pause(clocked, token, start="2026-12-20T00:00:00Z", days=21, resume_mode="credit")
    assert made.status_code == 201, made.text
    canceled = clocked.call(
        "POST", f"/v1/subscriptions/{token}/cancel", who="service", json={"at": "period_end"}
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["cancel_at"] == "2027-01-01T12:00:00Z"

    calendar = Calendar(datetime(2026, 12, 1, 12, tzinfo=UTC), Interval.MONTH)
    window = PauseWindow(
        made.json()["id"],
        datetime(2026, 12, 20, tzinfo=UTC),
        datetime(2027, 1, 10, tzinfo=UTC),
        ResumeMode.CREDIT,
    )
    cancel_at = datetime(2027, 1, 1, 12, tzinfo=UTC)
    expected = credit_for_pause(calendar, 3000, window, [window], cancel_at=cancel_at)
    assert expected == 1210  # 12.5 of December's 31 days; January never comes
    assert read(clocked, token)["pauses"][0]["credit_amount"] == expected
