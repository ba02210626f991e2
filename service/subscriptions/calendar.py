"""The billing calendar: due date k is the anchor plus k intervals, clamped to the month's end.

Month and year arithmetic is always measured from the anchor, never from the previous due
date, so a subscription anchored on Jan 31 is due Feb 28 (29 in a leap year), Mar 31, Apr 30:
the clamp of one month never leaks into the next. Everything is in UTC.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


# One interval is at most one year long (API.md), whatever the unit it is counted in.
MAX_INTERVAL_COUNT: dict[Interval, int] = {
    Interval.DAY: 365,
    Interval.WEEK: 52,
    Interval.MONTH: 12,
    Interval.YEAR: 1,
}

_DAYS_PER_UNIT = {Interval.DAY: 1, Interval.WEEK: 7}
_MONTHS_PER_UNIT = {Interval.MONTH: 1, Interval.YEAR: 12}


def require_utc(value: datetime, name: str) -> datetime:
    """``value`` in UTC; a naive datetime (or anything else) is a ValueError."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months, the day clamped to the target month's end."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    last_day = gregorian.monthrange(year, month_index + 1)[1]
    return moment.replace(year=year, month=month_index + 1, day=min(moment.day, last_day))


@dataclass(frozen=True)
class Calendar:
    """When a subscription is due: ``anchor + k * (interval_count * interval)`` for k = 0, 1, …

    Constructing a Calendar validates it, so an invalid one never exists; ``validate`` is
    there for callers that want to say so explicitly.
    """

    anchor: datetime
    interval: Interval
    interval_count: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchor", require_utc(self.anchor, "anchor"))
        try:
            object.__setattr__(self, "interval", Interval(self.interval))
        except ValueError:
            raise ValueError("interval must be one of day, week, month, year") from None
        self.validate()

    def validate(self) -> None:
        """Raise ValueError unless the count is a positive integer and the interval ≤ a year."""
        count = self.interval_count
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError("interval_count must be an integer")
        if count < 1:
            raise ValueError("interval_count must be at least 1")
        if count > MAX_INTERVAL_COUNT[Interval(self.interval)]:
            raise ValueError("one interval is at most one year long")

    def due(self, k: int) -> datetime:
        """The raw (unpaused) due date k; OverflowError past the year 9999."""
        if k < 0:
            raise ValueError("due dates are numbered from 0")
        steps = k * self.interval_count
        if self.interval in _DAYS_PER_UNIT:
            return self.anchor + timedelta(days=steps * _DAYS_PER_UNIT[self.interval])
        return add_months(self.anchor, steps * _MONTHS_PER_UNIT[self.interval])

    def period_length(self, k: int) -> timedelta:
        """How long period k ``[due_k, due_k+1)`` is: the time its charge pays for."""
        return self.due(k + 1) - self.due(k)
