"""The pause schedule engine on concrete examples from API.md "Subscriptions" and "Pauses"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import ClassVar

import pytest

from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.schedule import (
    PauseWindow,
    ResumeMode,
    ScheduledCharge,
    credit_for_pause,
    due_between,
    iter_schedule,
    next_due_after,
    nth_due_after,
    pauses_overlap,
    upcoming,
)

SHIFT, SKIP, CREDIT = ResumeMode.SHIFT, ResumeMode.SKIP, ResumeMode.CREDIT


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def pause(
    starts_at: datetime, ends_at: datetime | None, mode: ResumeMode, id: str = "pau_1"
) -> PauseWindow:
    return PauseWindow(id=id, starts_at=starts_at, ends_at=ends_at, mode=mode)


def first(
    calendar: Calendar, amount: int, pauses: list[PauseWindow], count: int, **options: datetime
) -> list[ScheduledCharge]:
    return list(islice(iter_schedule(calendar, amount, pauses, **options), count))


def dates(charges: list[ScheduledCharge]) -> list[datetime]:
    return [charge.due_at for charge in charges]


MONTHLY_FROM_NOV_30 = Calendar(at(2026, 11, 30), Interval.MONTH)
HOLIDAY = (at(2026, 12, 24), at(2027, 1, 8))


def test_without_pauses_every_charge_is_the_calendar_in_full() -> None:
    calendar = Calendar(at(2023, 1, 31), Interval.MONTH)

    charges = first(calendar, 1999, [], 3)

    assert charges == [
        ScheduledCharge(k, calendar.due(k), calendar.due(k), calendar.due(k + 1), 1999, 0, 1999,
                        "scheduled", None)
        for k in range(3)
    ]  # fmt: skip


# --- shift -------------------------------------------------------------------------------


def test_holiday_shift_moves_each_renewal_after_dec_24_by_exactly_15_days() -> None:
    holiday = pause(*HOLIDAY, SHIFT, id="pau_holiday")

    charges = first(MONTHLY_FROM_NOV_30, 1000, [holiday], 4)

    assert dates(charges) == [at(2026, 11, 30), at(2027, 1, 14), at(2027, 2, 14), at(2027, 3, 15)]
    assert [charge.index for charge in charges] == [0, 1, 2, 3]
    assert [charge.pause for charge in charges] == [
        None,
        "pau_holiday",
        "pau_holiday",
        "pau_holiday",
    ]
    assert charges[0].period_end == at(2027, 1, 14)
    assert all(charge.amount_due == 1000 for charge in charges)


@pytest.mark.parametrize("anchor_day", range(1, 32))
def test_holiday_shift_moves_the_next_renewal_of_any_monthly_subscription_by_15_days(
    anchor_day: int,
) -> None:
    calendar = Calendar(at(2026, 10, anchor_day, 7), Interval.MONTH)
    renewal = next_due_after(calendar, 1000, [], HOLIDAY[0])
    assert renewal is not None

    moved = next_due_after(calendar, 1000, [pause(*HOLIDAY, SHIFT)], HOLIDAY[0])

    assert moved == renewal + timedelta(days=15)


def test_shift_charges_nothing_inside_the_window_and_a_date_at_its_start_moves_to_its_end() -> None:
    weekly = Calendar(at(2027, 1, 4), Interval.WEEK)

    charges = first(weekly, 500, [pause(at(2027, 1, 11), at(2027, 1, 14), SHIFT)], 3)

    assert dates(charges) == [at(2027, 1, 4), at(2027, 1, 14), at(2027, 1, 21)]


def test_stacked_shifts_add_up_for_the_dates_after_both() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    first_pause = pause(at(2027, 2, 10), at(2027, 2, 20), SHIFT, id="pau_a")
    second_pause = pause(at(2027, 4, 5), at(2027, 4, 12), SHIFT, id="pau_b")

    charges = first(calendar, 100, [second_pause, first_pause], 6)

    assert dates(charges) == [
        at(2027, 1, 1),
        at(2027, 2, 1),
        at(2027, 3, 11),
        at(2027, 4, 18),
        at(2027, 5, 18),
        at(2027, 6, 18),
    ]
    assert [charge.pause for charge in charges] == [None, None, "pau_a", "pau_b", "pau_b", "pau_b"]


def test_a_date_one_shift_moves_into_a_later_shift_window_is_moved_again() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    pauses = [
        pause(at(2027, 3, 25), at(2027, 4, 3), SHIFT, id="pau_a"),  # Apr 1 -> Apr 10
        pause(at(2027, 4, 5), at(2027, 4, 12), SHIFT, id="pau_b"),  # Apr 10 -> Apr 17
    ]

    charges = first(calendar, 100, pauses, 5)

    assert dates(charges)[3:] == [at(2027, 4, 17), at(2027, 5, 17)]


def test_shift_keeps_the_raw_calendar_index_of_every_charge() -> None:
    plain = first(MONTHLY_FROM_NOV_30, 1000, [], 12)
    shifted = first(MONTHLY_FROM_NOV_30, 1000, [pause(*HOLIDAY, SHIFT)], 12)

    assert [charge.index for charge in shifted] == [charge.index for charge in plain]
    assert [shifted[k].due_at - plain[k].due_at for k in range(12)] == [timedelta(0)] + [
        timedelta(days=15)
    ] * 11


def test_early_resume_of_a_shift_pause_shifts_by_the_time_actually_paused() -> None:
    resumed_early = pause(HOLIDAY[0], at(2026, 12, 29), SHIFT)

    charges = first(MONTHLY_FROM_NOV_30, 1000, [resumed_early], 3)

    assert dates(charges) == [at(2026, 11, 30), at(2027, 1, 4), at(2027, 2, 4)]


# --- skip --------------------------------------------------------------------------------


def test_skip_marks_the_charges_due_inside_the_window_and_keeps_every_other_one() -> None:
    calendar = Calendar(at(2027, 1, 15), Interval.MONTH)
    skip = pause(at(2027, 2, 10), at(2027, 3, 20), SKIP, id="pau_skip")

    charges = first(calendar, 1000, [skip], 4)

    assert charges == [
        ScheduledCharge(0, at(2027, 1, 15), at(2027, 1, 15), at(2027, 2, 15), 1000, 0, 1000,
                        "scheduled", None),
        ScheduledCharge(1, at(2027, 2, 15), at(2027, 2, 15), at(2027, 3, 15), 1000, 0, 0,
                        "skipped", "pau_skip"),
        ScheduledCharge(2, at(2027, 3, 15), at(2027, 3, 15), at(2027, 4, 15), 1000, 0, 0,
                        "skipped", "pau_skip"),
        ScheduledCharge(3, at(2027, 4, 15), at(2027, 4, 15), at(2027, 5, 15), 1000, 0, 1000,
                        "scheduled", None),
    ]  # fmt: skip


def test_skip_window_contains_its_start_but_not_its_end() -> None:
    calendar = Calendar(at(2027, 1, 15), Interval.MONTH)
    skip = pause(at(2027, 2, 15), at(2027, 3, 15), SKIP)

    statuses = [charge.status for charge in first(calendar, 1000, [skip], 3)]

    assert statuses == ["scheduled", "skipped", "scheduled"]


# --- credit ------------------------------------------------------------------------------


def test_credit_rounds_half_even_per_period_not_on_the_sum() -> None:
    every_two_days = Calendar(at(2027, 1, 1), Interval.DAY, interval_count=2)
    window = pause(at(2027, 1, 2), at(2027, 1, 4), CREDIT)  # half of period 0, half of period 1

    # 2.5 + 2.5 rounds to 2 + 2 (not 5); 3.5 + 3.5 rounds to 4 + 4 (not 7).
    assert credit_for_pause(every_two_days, 5, window, []) == 4
    assert credit_for_pause(every_two_days, 7, window, []) == 8
    assert credit_for_pause(every_two_days, 3, window, []) == 4


def test_credit_is_applied_to_charges_due_after_the_window_and_all_are_collected() -> None:
    every_two_days = Calendar(at(2027, 1, 1), Interval.DAY, interval_count=2)
    window = pause(at(2027, 1, 2), at(2027, 1, 4), CREDIT, id="pau_credit")

    charges = first(every_two_days, 5, [window], 4)

    assert [(charge.credit_applied, charge.amount_due, charge.pause) for charge in charges] == [
        (0, 5, None),
        (0, 5, None),  # due Jan 3, inside the window: collected in full
        (4, 1, "pau_credit"),
        (0, 5, None),
    ]
    assert all(charge.status == "scheduled" for charge in charges)


def test_holiday_credit_is_prorated_per_month_and_spread_until_used_up() -> None:
    window = pause(at(2026, 12, 24), at(2027, 3, 8), CREDIT, id="pau_credit")

    # 6/30 of Nov 30-Dec 30, all of the next two periods, 8/30 of Feb 28-Mar 30.
    assert credit_for_pause(MONTHLY_FROM_NOV_30, 1000, window, []) == 200 + 1000 + 1000 + 267
    charges = first(MONTHLY_FROM_NOV_30, 1000, [window], 8)
    assert [charge.credit_applied for charge in charges] == [0, 0, 0, 0, 1000, 1000, 467, 0]
    assert [charge.amount_due for charge in charges] == [1000] * 4 + [0, 0, 533, 1000]


def test_credit_applies_to_a_charge_due_exactly_at_the_pause_end() -> None:
    weekly = Calendar(at(2027, 1, 4), Interval.WEEK)
    window = pause(at(2027, 1, 5), at(2027, 1, 11), CREDIT)

    charges = first(weekly, 700, [window], 2)

    assert (charges[1].due_at, charges[1].credit_applied, charges[1].amount_due) == (
        at(2027, 1, 11),
        600,
        100,
    )


def test_time_before_the_first_due_date_earns_no_credit() -> None:
    calendar = Calendar(at(2027, 1, 10), Interval.MONTH)
    straddling = pause(at(2027, 1, 1), at(2027, 1, 20), CREDIT)
    before = pause(at(2027, 1, 1), at(2027, 1, 10), CREDIT)

    assert credit_for_pause(calendar, 3100, straddling, []) == 1000  # 10 of 31 days
    assert credit_for_pause(calendar, 3100, before, []) == 0


def test_a_period_whose_charge_was_skipped_earns_no_credit() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    skip = pause(at(2026, 12, 31), at(2027, 1, 2), SKIP, id="pau_skip")
    inside_skipped_period = pause(at(2027, 1, 11), at(2027, 1, 21), CREDIT, id="pau_c")
    into_next_period = pause(at(2027, 1, 21), at(2027, 2, 11), CREDIT, id="pau_c")

    assert credit_for_pause(calendar, 3100, inside_skipped_period, [skip]) == 0
    assert credit_for_pause(calendar, 2800, into_next_period, [skip]) == 1000  # 10 of 28 days


def test_credits_of_several_pauses_accumulate_oldest_first() -> None:
    every_ten_days = Calendar(at(2027, 1, 1), Interval.DAY, interval_count=10)
    older = pause(at(2027, 1, 1), at(2027, 1, 6), CREDIT, id="pau_old")  # 50
    newer = pause(at(2027, 1, 7), at(2027, 1, 11), CREDIT, id="pau_new")  # 40
    later = pause(at(2027, 1, 21), at(2027, 1, 31), CREDIT, id="pau_late")  # 100

    charges = first(every_ten_days, 100, [later, newer, older], 5)

    assert [(charge.credit_applied, charge.pause) for charge in charges] == [
        (0, None),
        (90, "pau_old"),
        (0, None),
        (100, "pau_late"),
        (0, None),
    ]


def test_early_resume_of_a_credit_pause_credits_only_the_time_actually_paused() -> None:
    planned = pause(at(2026, 12, 24), at(2027, 3, 8), CREDIT)
    resumed_early = pause(at(2026, 12, 24), at(2026, 12, 27), CREDIT)

    assert credit_for_pause(MONTHLY_FROM_NOV_30, 1000, planned, []) == 2467
    assert credit_for_pause(MONTHLY_FROM_NOV_30, 1000, resumed_early, []) == 100  # 3 of 30 days


def test_credit_after_a_shift_is_measured_on_the_shifted_calendar() -> None:
    holiday = pause(*HOLIDAY, SHIFT, id="pau_shift")
    # Shifted, the periods are Jan 14-Feb 14 and Feb 14-Mar 15: raw Dec 30-Jan 30 (31 days)
    # and Jan 30-Feb 28 (29 days), translated by 15 days; each keeps its length.
    window = pause(at(2027, 2, 4), at(2027, 2, 24), CREDIT, id="pau_credit")

    credit = credit_for_pause(MONTHLY_FROM_NOV_30, 3100, window, [holiday])

    assert credit == 1000 + 1069  # 3100 x 10/31 + 3100 x 10/29


def test_credit_in_a_period_stretched_by_a_shift_is_prorated_on_its_paid_for_length() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    shift = pause(at(2027, 1, 5), at(2027, 1, 15), SHIFT, id="pau_shift")  # period 0: Jan 1-Feb 11
    window = pause(at(2027, 1, 20), at(2027, 1, 30), CREDIT, id="pau_credit")

    # 10 of the 31 paid-for days, not 10 of the 41 days the period spans on the wall clock.
    assert credit_for_pause(calendar, 3100, window, [shift]) == 1000


def test_only_credit_pauses_earn_credit() -> None:
    for mode in (SHIFT, SKIP):
        assert credit_for_pause(MONTHLY_FROM_NOV_30, 1000, pause(*HOLIDAY, mode), []) == 0


# --- open-ended pauses and cancellation --------------------------------------------------


def test_nothing_is_scheduled_from_the_start_of_an_open_ended_pause() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    open_ended = pause(at(2027, 3, 10), None, SKIP)

    assert dates(first(calendar, 100, [open_ended], 10)) == [
        at(2027, 1, 1),
        at(2027, 2, 1),
        at(2027, 3, 1),
    ]
    assert upcoming(calendar, 100, [open_ended], now=at(2027, 3, 10), count=12) == []
    assert next_due_after(calendar, 100, [open_ended], at(2027, 3, 2)) is None


def test_open_ended_credit_pause_earns_credit_only_up_to_its_max_end() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    open_ended = pause(at(2027, 3, 10), None, CREDIT)
    bounded = pause(at(2027, 3, 10), at(2027, 4, 10), CREDIT)

    assert credit_for_pause(calendar, 3100, open_ended, []) == 0
    with_max_end = credit_for_pause(calendar, 3100, open_ended, [], max_end=at(2027, 4, 10))
    assert (
        with_max_end == credit_for_pause(calendar, 3100, bounded, []) == 2200 + 930
    )  # 22 of 31 days, 9 of 30


def test_cancel_at_period_end_leaves_no_due_date_at_or_after_it() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)

    charges = first(calendar, 100, [], 10, cancel_at=at(2027, 4, 1))

    assert dates(charges) == [at(2027, 1, 1), at(2027, 2, 1), at(2027, 3, 1)]


def test_a_canceled_subscription_has_no_upcoming_entries() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    now = at(2027, 2, 14)

    assert upcoming(calendar, 100, [], now=now, count=12, cancel_at=now) == []


# --- upcoming, due_between and the due-date helpers --------------------------------------


def test_upcoming_starts_at_now_inclusive_and_skipped_entries_count_toward_count() -> None:
    calendar = Calendar(at(2027, 1, 15), Interval.MONTH)
    skip = pause(at(2027, 2, 10), at(2027, 3, 20), SKIP)

    entries = upcoming(calendar, 1000, [skip], now=at(2027, 2, 15), count=3)

    assert dates(entries) == [at(2027, 2, 15), at(2027, 3, 15), at(2027, 4, 15)]
    assert [entry.status for entry in entries] == ["skipped", "skipped", "scheduled"]


def test_upcoming_before_the_start_begins_with_the_first_due_date() -> None:
    calendar = Calendar(at(2027, 1, 15), Interval.WEEK)

    entries = upcoming(calendar, 1000, [], now=at(2026, 12, 1), count=2)

    assert dates(entries) == [at(2027, 1, 15), at(2027, 1, 22)]
    assert upcoming(calendar, 1000, [], now=at(2026, 12, 1), count=0) == []


def test_due_between_is_after_exclusive_and_until_inclusive() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.DAY)

    from_start = due_between(calendar, 100, [], after=None, until=at(2027, 1, 3))
    next_step = due_between(calendar, 100, [], after=at(2027, 1, 3), until=at(2027, 1, 5))

    assert dates(from_start) == [at(2027, 1, 1), at(2027, 1, 2), at(2027, 1, 3)]
    assert dates(next_step) == [at(2027, 1, 4), at(2027, 1, 5)]


def test_due_between_returns_each_jumped_over_period_once_skipped_ones_marked() -> None:
    calendar = Calendar(at(2027, 1, 15), Interval.MONTH)
    skip = pause(at(2027, 2, 10), at(2027, 2, 20), SKIP)

    charged = due_between(calendar, 1000, [skip], after=at(2027, 1, 15), until=at(2027, 6, 1))

    assert [(charge.index, charge.status) for charge in charged] == [
        (1, "skipped"),
        (2, "scheduled"),
        (3, "scheduled"),
        (4, "scheduled"),
    ]


def test_next_due_after_is_the_first_due_date_or_the_next_strictly_after_now() -> None:
    calendar = Calendar(at(2027, 1, 31), Interval.MONTH)

    assert next_due_after(calendar, 100, [], at(2027, 1, 1)) == at(2027, 1, 31)
    assert next_due_after(calendar, 100, [], at(2027, 1, 31)) == at(2027, 2, 28)
    assert next_due_after(calendar, 100, [], at(2027, 3, 1)) == at(2027, 3, 31)


def test_nth_due_after_is_where_a_cycles_pause_ends() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    earlier_shift = pause(at(2027, 1, 10), at(2027, 1, 20), SHIFT)

    assert nth_due_after(calendar, 100, [], at(2027, 2, 1), 2) == at(2027, 4, 1)
    assert nth_due_after(calendar, 100, [earlier_shift], at(2027, 2, 1), 2) == at(2027, 3, 11)
    assert nth_due_after(calendar, 100, [], at(2027, 2, 1), 2, cancel_at=at(2027, 3, 5)) is None
    with pytest.raises(ValueError, match="at least 1"):
        nth_due_after(calendar, 100, [], at(2027, 2, 1), 0)


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((1, 5), (5, 9), False),  # half-open: touching windows do not overlap
        ((5, 9), (1, 5), False),
        ((1, 6), (5, 9), True),
        ((1, 9), (3, 4), True),
        ((1, None), (30, 31), True),
        ((10, 20), (1, None), True),
        ((10, 20), (20, None), False),
        ((1, None), (2, None), True),
        ((3, 3), (1, 9), False),  # an empty window contains nothing
    ],
)
def test_pauses_overlap_on_half_open_windows(
    a: tuple[int, int | None], b: tuple[int, int | None], overlap: bool
) -> None:
    def window(days: tuple[int, int | None]) -> tuple[datetime, datetime | None]:
        start, end = days
        return at(2027, 1, start), None if end is None else at(2027, 1, end)

    assert pauses_overlap(*window(a), *window(b)) is overlap


# --- input validation --------------------------------------------------------------------


def test_overlapping_pauses_are_rejected() -> None:
    calendar = Calendar(at(2027, 1, 1), Interval.MONTH)
    one = pause(at(2027, 2, 1), at(2027, 2, 10), SHIFT, id="pau_1")
    other = pause(at(2027, 2, 9), at(2027, 2, 20), SKIP, id="pau_2")
    after_open_ended = [pause(at(2027, 2, 1), None, SHIFT), pause(at(2027, 5, 1), None, SKIP)]

    with pytest.raises(ValueError, match="overlap"):
        iter_schedule(calendar, 100, [one, other])
    with pytest.raises(ValueError, match="overlap"):
        upcoming(calendar, 100, after_open_ended, now=at(2027, 1, 1), count=3)


def test_a_pause_needs_an_id_an_end_after_its_start_and_aware_times() -> None:
    with pytest.raises(ValueError, match="id"):
        pause(at(2027, 2, 1), at(2027, 2, 2), SHIFT, id="")
    with pytest.raises(ValueError, match="end after"):
        pause(at(2027, 2, 1), at(2027, 2, 1), SHIFT)
    with pytest.raises(ValueError, match="timezone-aware"):
        pause(datetime(2027, 2, 1), at(2027, 2, 2), SHIFT)


@pytest.mark.parametrize("amount", [0, -5, True])
def test_amount_must_be_a_positive_integer(amount: int) -> None:
    with pytest.raises(ValueError, match="amount"):
        iter_schedule(Calendar(at(2027, 1, 1), Interval.MONTH), amount, [])


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        upcoming(Calendar(at(2027, 1, 1), Interval.MONTH), 1, [], now=datetime(2027, 1, 1), count=1)


# --- cost --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountingCalendar(Calendar):
    computed: ClassVar[list[int]] = []

    def due(self, k: int) -> datetime:
        self.computed.append(k)
        return super().due(k)


def test_charging_ten_years_into_a_daily_subscription_does_not_replay_its_history() -> None:
    daily = CountingCalendar(at(2026, 1, 1), Interval.DAY)
    credit = pause(at(2026, 3, 1), at(2026, 3, 11), CREDIT)
    shift = pause(at(2027, 6, 1), at(2027, 6, 16), SHIFT, id="pau_2")
    CountingCalendar.computed.clear()

    charged = due_between(daily, 100, [credit, shift], after=at(2036, 1, 1), until=at(2036, 1, 2))

    raw_date_shifted_to_jan_2 = at(2036, 1, 2) - timedelta(days=15)
    assert [charge.index for charge in charged] == [
        (raw_date_shifted_to_jan_2 - at(2026, 1, 1)).days
    ]
    assert len(CountingCalendar.computed) < 200  # a replay from k = 0 would need > 3,600
