"""The engine's two lookups for the service: the entry after the last one handled
(``first_charge_from``) and the period that holds a moment (``current_period``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.schedule import (
    PauseWindow,
    ResumeMode,
    current_period,
    first_charge_from,
    iter_schedule,
)

ANCHOR = datetime(2027, 1, 31, tzinfo=UTC)
MONTHLY = Calendar(ANCHOR, Interval.MONTH)
HOLIDAY = PauseWindow(
    "pau_holiday",
    datetime(2027, 3, 1, tzinfo=UTC),
    datetime(2027, 3, 16, tzinfo=UTC),
    ResumeMode.SHIFT,
)


def test_first_charge_from_an_index_is_the_schedule_entry_with_that_index() -> None:
    schedule = list(iter_schedule(MONTHLY, 1000, [HOLIDAY], until=datetime(2028, 1, 1, tzinfo=UTC)))
    for entry in schedule:
        found = first_charge_from(MONTHLY, 1000, [HOLIDAY], entry.index)
        assert found == entry
    before_any = first_charge_from(MONTHLY, 1000, [], -1)
    assert before_any is not None and (before_any.index, before_any.due_at) == (0, ANCHOR)


def test_first_charge_from_is_none_once_the_schedule_has_stopped() -> None:
    cancel_at = datetime(2027, 4, 1, tzinfo=UTC)
    assert first_charge_from(MONTHLY, 1000, [], 2, cancel_at=cancel_at) is not None
    assert first_charge_from(MONTHLY, 1000, [], 3, cancel_at=cancel_at) is None
    open_ended = PauseWindow("pau_open", datetime(2027, 2, 10, tzinfo=UTC), None, ResumeMode.SKIP)
    assert first_charge_from(MONTHLY, 1000, [open_ended], 1) is None


def test_current_period_holds_the_moment_and_is_none_before_the_first_due_date() -> None:
    assert current_period(MONTHLY, 1000, [], ANCHOR - timedelta(seconds=1)) is None
    first = current_period(MONTHLY, 1000, [], ANCHOR)
    assert first is not None and (first.index, first.period_end) == (
        0,
        datetime(2027, 2, 28, tzinfo=UTC),
    )
    during_holiday = current_period(MONTHLY, 1000, [HOLIDAY], datetime(2027, 3, 10, tzinfo=UTC))
    assert during_holiday is not None
    assert during_holiday.period_start == datetime(2027, 2, 28, tzinfo=UTC)
    assert during_holiday.period_end == datetime(2027, 3, 31, tzinfo=UTC) + timedelta(days=15)


def test_current_period_is_none_after_a_cancellation() -> None:
    cancel_at = datetime(2027, 3, 1, tzinfo=UTC)
    assert (
        current_period(MONTHLY, 1000, [], datetime(2027, 5, 1, tzinfo=UTC), cancel_at=cancel_at)
        is None
    )
