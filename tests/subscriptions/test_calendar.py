"""The billing calendar: API.md "Subscriptions", due date k = start_at + k intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.subscriptions.calendar import Calendar, Interval


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def due_dates(calendar: Calendar, count: int) -> list[datetime]:
    return [calendar.due(k) for k in range(count)]


def test_monthly_from_jan_31_clamps_to_each_month_end_measured_from_the_anchor() -> None:
    calendar = Calendar(at(2023, 1, 31, 9, 30), Interval.MONTH)

    assert due_dates(calendar, 6) == [
        at(2023, 1, 31, 9, 30),
        at(2023, 2, 28, 9, 30),
        at(2023, 3, 31, 9, 30),
        at(2023, 4, 30, 9, 30),
        at(2023, 5, 31, 9, 30),
        at(2023, 6, 30, 9, 30),
    ]


def test_monthly_from_jan_31_is_due_feb_29_in_a_leap_year() -> None:
    calendar = Calendar(at(2024, 1, 31), Interval.MONTH)

    assert due_dates(calendar, 3) == [at(2024, 1, 31), at(2024, 2, 29), at(2024, 3, 31)]


def test_monthly_from_the_30th_crosses_the_year_end() -> None:
    calendar = Calendar(at(2026, 11, 30), Interval.MONTH)

    assert due_dates(calendar, 4) == [
        at(2026, 11, 30),
        at(2026, 12, 30),
        at(2027, 1, 30),
        at(2027, 2, 28),
    ]


def test_yearly_from_feb_29_is_due_feb_28_until_the_next_leap_year() -> None:
    calendar = Calendar(at(2024, 2, 29, 12), Interval.YEAR)

    assert due_dates(calendar, 5) == [
        at(2024, 2, 29, 12),
        at(2025, 2, 28, 12),
        at(2026, 2, 28, 12),
        at(2027, 2, 28, 12),
        at(2028, 2, 29, 12),
    ]


def test_quarterly_interval_count_multiplies_the_months_from_the_anchor() -> None:
    calendar = Calendar(at(2025, 1, 31), Interval.MONTH, interval_count=3)

    assert due_dates(calendar, 5) == [
        at(2025, 1, 31),
        at(2025, 4, 30),
        at(2025, 7, 31),
        at(2025, 10, 31),
        at(2026, 1, 31),
    ]


def test_weekly_and_fortnightly_calendars_step_by_whole_weeks() -> None:
    weekly = Calendar(at(2026, 12, 28, 8), Interval.WEEK)
    fortnightly = Calendar(at(2026, 12, 28, 8), Interval.WEEK, interval_count=2)

    assert due_dates(weekly, 3) == [at(2026, 12, 28, 8), at(2027, 1, 4, 8), at(2027, 1, 11, 8)]
    assert due_dates(fortnightly, 3) == [
        at(2026, 12, 28, 8),
        at(2027, 1, 11, 8),
        at(2027, 1, 25, 8),
    ]


def test_daily_calendar_with_interval_count_steps_by_that_many_days_across_feb_29() -> None:
    calendar = Calendar(at(2024, 2, 27), Interval.DAY, interval_count=2)

    assert due_dates(calendar, 3) == [at(2024, 2, 27), at(2024, 2, 29), at(2024, 3, 2)]


def test_period_length_is_the_time_to_the_next_due_date() -> None:
    calendar = Calendar(at(2024, 1, 31), Interval.MONTH)

    assert calendar.period_length(0) == timedelta(days=29)
    assert calendar.period_length(1) == timedelta(days=31)


def test_anchor_with_an_offset_is_kept_as_the_same_instant_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    calendar = Calendar(datetime(2026, 3, 1, 1, 0, tzinfo=plus_two), Interval.MONTH)

    assert calendar.anchor == at(2026, 2, 28, 23)
    assert calendar.anchor.tzinfo is UTC
    assert calendar.due(1) == at(2026, 3, 28, 23)


def test_interval_given_as_text_is_accepted() -> None:
    assert Calendar(at(2026, 1, 1), "week").interval is Interval.WEEK  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("interval", "longest"),
    [(Interval.DAY, 365), (Interval.WEEK, 52), (Interval.MONTH, 12), (Interval.YEAR, 1)],
)
def test_one_interval_may_be_up_to_a_year_and_no_longer(interval: Interval, longest: int) -> None:
    Calendar(at(2026, 1, 1), interval, interval_count=longest).validate()

    with pytest.raises(ValueError, match="at most one year"):
        Calendar(at(2026, 1, 1), interval, interval_count=longest + 1)


@pytest.mark.parametrize("count", [0, -1, True, 1.0, "2"])
def test_interval_count_must_be_a_positive_integer(count: object) -> None:
    with pytest.raises(ValueError, match="interval_count"):
        Calendar(at(2026, 1, 1), Interval.MONTH, interval_count=count)  # type: ignore[arg-type]


def test_unknown_interval_is_rejected() -> None:
    with pytest.raises(ValueError, match="interval"):
        Calendar(at(2026, 1, 1), "fortnight")  # type: ignore[arg-type]


def test_naive_anchor_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Calendar(datetime(2026, 1, 1), Interval.MONTH)


def test_negative_index_is_rejected() -> None:
    with pytest.raises(ValueError, match="numbered from 0"):
        Calendar(at(2026, 1, 1), Interval.DAY).due(-1)


@pytest.mark.parametrize("interval", list(Interval))
def test_due_dates_past_the_year_9999_overflow(interval: Interval) -> None:
    calendar = Calendar(at(9999, 6, 1), interval)

    with pytest.raises(OverflowError):
        calendar.due(10_000)
