"""The pause schedule engine: the calendar with its pauses applied, charge by charge.

This is the one implementation behind both ``GET /v1/subscriptions/{id}/upcoming`` and the
job that charges, so what ``upcoming`` promises is what the engine runs. It is pure: no
database, no clock, no I/O; the same inputs always give the same schedule.

Resume modes (API.md, "Pauses"), windows half-open ``[starts_at, ends_at)``:

- ``shift``: every due date at or after the pause's start moves by the paused duration. Shift
  pauses apply in order of start, each to the dates as the earlier ones left them, so shifts
  add up and nothing is ever due inside a shift window.
- ``skip``: dates stay; a charge due inside the window is ``skipped`` (nothing due).
- ``credit``: dates stay and every charge is collected; each paid-for period the window
  overlaps earns ``amount * overlap / period length``, rounded half-even per period, and the
  credit is applied to charges due at or after the pause's end until used up, oldest pause
  first. A period whose own charge was skipped was not paid for and earns nothing; neither
  does time before the first due date.
- An open-ended pause (``ends_at`` None) hides every charge due at or after its start, in any
  mode: the schedule resumes only once the pause has an end.

``ScheduledCharge.index`` is the raw calendar index k: a shift moves a charge's date but never
renumbers it, and a skipped charge keeps its number, so ``(subscription, index)`` names one
period for ever and is what the processor idempotency key should be derived from. After an
open-ended credit pause ends, charges due while it was open reappear before "now": the charge
job should track which indexes it has charged rather than rely on a time watermark alone.

Cost: finding where "now" is takes O(log n) due-date computations (a galloping search on k),
and the credit carried into that point is replayed only across charges that consume credit,
so ``upcoming`` and ``due_between`` do not grow with the subscription's age.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import islice, pairwise
from typing import Literal, NamedTuple

from service.subscriptions.calendar import Calendar, require_utc


class ResumeMode(StrEnum):
    SHIFT = "shift"
    SKIP = "skip"
    CREDIT = "credit"


@dataclass(frozen=True)
class PauseWindow:
    """A scheduled, active or completed pause (canceled pauses are never passed in)."""

    id: str
    starts_at: datetime
    ends_at: datetime | None
    mode: ResumeMode

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a pause needs an id")
        object.__setattr__(self, "starts_at", require_utc(self.starts_at, "starts_at"))
        if self.ends_at is not None:
            object.__setattr__(self, "ends_at", require_utc(self.ends_at, "ends_at"))
            if self.ends_at <= self.starts_at:
                raise ValueError("a pause must end after it starts")
        object.__setattr__(self, "mode", ResumeMode(self.mode))


@dataclass(frozen=True)
class ScheduledCharge:
    """One due date as the engine will run it.

    ``pause`` names the pause that skipped it, else the (first) pause whose credit it uses,
    else the last shift pause that moved it, else None.
    """

    index: int
    due_at: datetime
    period_start: datetime
    period_end: datetime
    amount: int
    credit_applied: int
    amount_due: int
    status: Literal["scheduled", "skipped"]
    pause: str | None


def pauses_overlap(
    a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
) -> bool:
    """Whether two half-open windows share an instant; an end of None is open-ended."""
    if (a_end is not None and a_end <= a_start) or (b_end is not None and b_end <= b_start):
        return False
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _micros(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


def prorate(amount: int, part: timedelta, whole: timedelta) -> int:
    """``amount * part / whole`` rounded half-even to the minor unit, in exact integers."""
    quotient, remainder = divmod(amount * _micros(part), _micros(whole))
    twice = 2 * remainder
    if twice > _micros(whole) or (twice == _micros(whole) and quotient % 2 == 1):
        quotient += 1
    return quotient


class _Window(NamedTuple):
    """A closed pause window ``[starts_at, ends_at)``."""

    starts_at: datetime
    ends_at: datetime
    pause: str
    mode: ResumeMode


@dataclass
class _CreditLeft:
    pause: str
    remaining: int


class _Timeline:
    """A calendar with a set of pauses applied; built once per question asked."""

    def __init__(
        self,
        calendar: Calendar,
        amount: int,
        pauses: Sequence[PauseWindow],
        cancel_at: datetime | None,
    ) -> None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise ValueError("amount must be a positive integer of minor units")
        self.calendar = calendar
        self.amount = amount
        ordered = sorted(pauses, key=lambda pause: pause.starts_at)
        for earlier, later in pairwise(ordered):
            if pauses_overlap(earlier.starts_at, earlier.ends_at, later.starts_at, later.ends_at):
                raise ValueError("pauses must not overlap")
        closed = [
            _Window(pause.starts_at, pause.ends_at, pause.id, pause.mode)
            for pause in ordered
            if pause.ends_at is not None
        ]
        self.shifts = [window for window in closed if window.mode is ResumeMode.SHIFT]
        self.skips = [window for window in closed if window.mode is ResumeMode.SKIP]
        stops = [pause.starts_at for pause in ordered if pause.ends_at is None]
        if cancel_at is not None:
            stops.append(require_utc(cancel_at, "cancel_at"))
        self.stop_at = min(stops, default=None)
        credits = [
            (window, self.credit_of(window))
            for window in closed
            if window.mode is ResumeMode.CREDIT
        ]
        self.releases = [(window, credit) for window, credit in credits if credit > 0]

    def due(self, k: int) -> tuple[datetime, str | None] | None:
        """Due date k with every shift applied, and the last shift pause that moved it."""
        try:
            moment = self.calendar.due(k)
        except OverflowError:
            return None
        moved_by = None
        for window in self.shifts:
            if moment < window.starts_at:
                break
            moment += window.ends_at - window.starts_at
            moved_by = window.pause
        return moment, moved_by

    def first_index(self, when: datetime, *, inclusive: bool) -> int:
        """The smallest k whose shifted due date is at (if ``inclusive``) or after ``when``.

        Shifted due dates increase with k, and those past the year 9999 count as reached, so
        galloping then bisecting finds it in O(log k) due-date computations.
        """

        def reached(k: int) -> bool:
            due = self.due(k)
            return due is None or due[0] > when or (inclusive and due[0] == when)

        if reached(0):
            return 0
        below, above = 0, 1
        while not reached(above):
            below, above = above, above * 2
        while above - below > 1:
            middle = (below + above) // 2
            if reached(middle):
                above = middle
            else:
                below = middle
        return above

    def skipped_by(self, due_at: datetime) -> str | None:
        for window in self.skips:
            if due_at < window.starts_at:
                break
            if due_at < window.ends_at:
                return window.pause
        return None

    def exists(self, due_at: datetime) -> bool:
        return self.stop_at is None or due_at < self.stop_at

    def credit_of(self, window: _Window) -> int:
        """The credit a closed pause's window earns over the paid-for periods it overlaps."""
        starts_at, ends_at = window.starts_at, window.ends_at
        # The period that contains starts_at begins at the last due date before it.
        k = max(self.first_index(starts_at, inclusive=False) - 1, 0)
        credit = 0
        while True:
            start, following = self.due(k), self.due(k + 1)
            if start is None or following is None:
                return credit
            period_start, period_end = start[0], following[0]
            if period_start >= ends_at or not self.exists(period_start):
                return credit
            overlap = min(period_end, ends_at) - max(period_start, starts_at)
            if overlap > timedelta(0) and self.skipped_by(period_start) is None:
                # The window never overlaps a shift window, so no frozen time is in `overlap`
                # and the period's paid-for length is its calendar length.
                credit += prorate(self.amount, overlap, self.calendar.period_length(k))
            k += 1

    def charges(self, first_wanted: int) -> Iterator[ScheduledCharge]:
        """Every charge from index ``first_wanted`` on, in due order, credits carried in."""
        pool: deque[_CreditLeft] = deque()
        released = 0
        k = 0
        while True:
            if not pool and k < first_wanted:
                # Nothing to consume: charges before the next credit release change nothing.
                target = first_wanted
                if released < len(self.releases):
                    pause_end = self.releases[released][0].ends_at
                    target = min(target, self.first_index(pause_end, inclusive=True))
                k = max(k, target)
            current, following = self.due(k), self.due(k + 1)
            if current is None or following is None or not self.exists(current[0]):
                return
            due_at, moved_by = current
            while released < len(self.releases):
                window, credit = self.releases[released]
                if window.ends_at > due_at:
                    break
                pool.append(_CreditLeft(window.pause, credit))
                released += 1
            skipped_by = self.skipped_by(due_at)
            applied, credited_by = 0, None
            while skipped_by is None and pool and applied < self.amount:
                head = pool[0]
                taken = min(head.remaining, self.amount - applied)
                applied += taken
                head.remaining -= taken
                if credited_by is None:
                    credited_by = head.pause
                if head.remaining == 0:
                    pool.popleft()
            if k >= first_wanted:
                yield ScheduledCharge(
                    index=k,
                    due_at=due_at,
                    period_start=due_at,
                    period_end=following[0],
                    amount=self.amount,
                    credit_applied=applied,
                    amount_due=self.amount - applied if skipped_by is None else 0,
                    status="scheduled" if skipped_by is None else "skipped",
                    pause=skipped_by or credited_by or moved_by,
                )
            k += 1


def _bounded(
    charges: Iterator[ScheduledCharge], until: datetime | None
) -> Iterator[ScheduledCharge]:
    for charge in charges:
        if until is not None and charge.due_at > until:
            return
        yield charge


def iter_schedule(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    *,
    cancel_at: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[ScheduledCharge]:
    """Every charge from k = 0 in due order, up to ``until`` (inclusive) if given.

    Stops before ``cancel_at`` and before the start of an open-ended pause; without either
    and without ``until`` it runs to the year 9999, so take what you need lazily.
    Invalid input raises ValueError at the call, not at the first ``next``.
    """
    timeline = _Timeline(calendar, amount, pauses, cancel_at)
    bound = None if until is None else require_utc(until, "until")
    return _bounded(timeline.charges(0), bound)


def upcoming(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    *,
    now: datetime,
    count: int,
    cancel_at: datetime | None = None,
    charged_through: int = -1,
) -> list[ScheduledCharge]:
    """The next ``count`` charges due at or after ``now``; skipped ones count too.

    ``charged_through``: the highest calendar index the charge job has already handled (a
    period due exactly at ``now`` may have been charged already; it is not upcoming)."""
    if count < 0:
        raise ValueError("count must not be negative")
    timeline = _Timeline(calendar, amount, pauses, cancel_at)
    moment = require_utc(now, "now")
    first = max(timeline.first_index(moment, inclusive=True), charged_through + 1)
    return list(islice(timeline.charges(first), count))


def due_between(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    *,
    after: datetime | None,
    until: datetime,
    cancel_at: datetime | None = None,
) -> list[ScheduledCharge]:
    """The charges with ``after < due_at <= until`` (``after`` None: from the first).

    Skipped entries are included (status ``skipped``, nothing due): the caller charges only
    ``scheduled`` ones.
    """
    timeline = _Timeline(calendar, amount, pauses, cancel_at)
    bound = require_utc(until, "until")
    if after is None:
        first = 0
    else:
        since = require_utc(after, "after")
        first = timeline.first_index(since, inclusive=False)
    return list(_bounded(timeline.charges(first), bound))


def credit_for_pause(
    calendar: Calendar,
    amount: int,
    pause: PauseWindow,
    prior_pauses: Sequence[PauseWindow],
    *,
    cancel_at: datetime | None = None,
    max_end: datetime | None = None,
) -> int:
    """The pause's ``credit_amount``: 0 unless its mode is ``credit``.

    ``prior_pauses`` are the subscription's other non-canceled pauses (the pause itself, if
    among them, is ignored); only shift and skip pauses before it change its credit. An
    open-ended pause has earned nothing settled yet: its credit is 0 unless ``max_end`` (when
    it will be ended at the latest) is given, which bounds its window.
    """
    ends_at = pause.ends_at if pause.ends_at is not None else max_end
    if pause.mode is not ResumeMode.CREDIT or ends_at is None:
        return 0
    ends_at = require_utc(ends_at, "max_end")
    others = [other for other in prior_pauses if other.id != pause.id]
    timeline = _Timeline(calendar, amount, [*others, replace(pause, ends_at=ends_at)], cancel_at)
    return timeline.credit_of(_Window(pause.starts_at, ends_at, pause.id, pause.mode))


def next_due_after(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    now: datetime,
    *,
    cancel_at: datetime | None = None,
) -> datetime | None:
    """The first due date strictly after ``now`` (``period_end``), skipped ones included."""
    return nth_due_after(calendar, amount, pauses, now, 1, cancel_at=cancel_at)


def nth_due_after(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    start: datetime,
    n: int,
    *,
    cancel_at: datetime | None = None,
) -> datetime | None:
    """The n-th due date strictly after ``start`` on the calendar as these pauses leave it.

    This is where a ``cycles: n`` pause starting at ``start`` ends. None when the schedule
    stops (cancellation, an open-ended pause) before reaching it.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    timeline = _Timeline(calendar, amount, pauses, cancel_at)
    moment = require_utc(start, "start")
    first = timeline.first_index(moment, inclusive=False)
    for charge in islice(timeline.charges(first), n - 1, n):
        return charge.due_at
    return None


def first_charge_from(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    index: int,
    *,
    cancel_at: datetime | None = None,
) -> ScheduledCharge | None:
    """The first schedule entry whose index is at least ``index`` (skipped ones included);
    None when the schedule stops before it. The charge engine's next entry after it handled
    index k is ``first_charge_from(..., k + 1)``."""
    timeline = _Timeline(calendar, amount, pauses, cancel_at)
    return next(timeline.charges(max(index, 0)), None)


def current_period(
    calendar: Calendar,
    amount: int,
    pauses: Sequence[PauseWindow],
    now: datetime,
    *,
    cancel_at: datetime | None = None,
) -> ScheduledCharge | None:
    """The entry whose period ``[due_at, period_end)`` holds ``now``: the last due date at or
    before it. None before the first due date and once the schedule has stopped."""
    timeline = _Timeline(calendar, amount, pauses, cancel_at)
    following = timeline.first_index(require_utc(now, "now"), inclusive=False)
    if following == 0:
        return None
    return next(timeline.charges(following - 1), None)
