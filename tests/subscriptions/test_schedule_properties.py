"""Properties of the schedule engine over random calendars, anchors, intervals and pauses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from service.subscriptions.calendar import MAX_INTERVAL_COUNT, Calendar, Interval
from service.subscriptions.schedule import (
    PauseWindow,
    ResumeMode,
    ScheduledCharge,
    credit_for_pause,
    due_between,
    iter_schedule,
    upcoming,
)

# Pause windows are drawn around the first WINDOW_SPAN raw due dates; shifts only move dates
# later, so ENOUGH entries always reach past every window.
WINDOW_SPAN = 12
ENOUGH = 40

bounded = settings(max_examples=150, deadline=None)

UTC_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1),  # naive bounds: the strategy adds UTC
    max_value=datetime(2045, 1, 1),
    timezones=st.just(UTC),
)


@dataclass(frozen=True)
class Scenario:
    calendar: Calendar
    amount: int
    pauses: list[PauseWindow]
    cancel_at: datetime | None = None

    def schedule(self, pauses: list[PauseWindow] | None = None) -> list[ScheduledCharge]:
        chosen = self.pauses if pauses is None else pauses
        charges = iter_schedule(self.calendar, self.amount, chosen, cancel_at=self.cancel_at)
        return list(islice(charges, ENOUGH))

    def of_mode(self, mode: ResumeMode) -> list[PauseWindow]:
        return [pause for pause in self.pauses if pause.mode is mode]


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    interval = draw(st.sampled_from(list(Interval)))
    count = draw(st.integers(1, MAX_INTERVAL_COUNT[interval]))
    return Calendar(draw(UTC_TIMES), interval, count)


@st.composite
def instants(draw: st.DrawFn, calendar: Calendar, span: int = WINDOW_SPAN) -> datetime:
    """A moment near one of the first due dates, often exactly on one."""
    due = calendar.due(draw(st.integers(0, span)))
    if draw(st.booleans()):
        return due
    reach = int(calendar.period_length(0).total_seconds())
    return due + timedelta(
        seconds=draw(st.integers(-reach, reach)), microseconds=draw(st.integers(0, 999_999))
    )


@st.composite
def scenarios(
    draw: st.DrawFn,
    modes: tuple[ResumeMode, ...] = tuple(ResumeMode),
    max_pauses: int = 3,
    open_ended: bool = False,
    cancel: bool = False,
    crowded: bool = False,
) -> Scenario:
    calendar = draw(calendars())
    amount = draw(st.one_of(st.integers(1, 1000), st.integers(1, 10**12)))
    # Crowding every window into the first periods makes pauses share periods.
    span = 1 if crowded else draw(st.sampled_from([1, WINDOW_SPAN]))
    moments = sorted(set(draw(st.lists(instants(calendar, span), max_size=2 * max_pauses))))
    pauses = [
        PauseWindow(f"pau_{i}", starts_at, ends_at, draw(st.sampled_from(modes)))
        for i, (starts_at, ends_at) in enumerate(zip(moments[0::2], moments[1::2], strict=False))
    ]
    if open_ended and draw(st.booleans()):
        after_last = draw(instants(calendar, span=2 * WINDOW_SPAN))
        if not pauses or after_last >= pauses[-1].ends_at:  # type: ignore[operator]
            pauses.append(PauseWindow("pau_open", after_last, None, draw(st.sampled_from(modes))))
    cancel_at = draw(st.none() | instants(calendar, span=2 * WINDOW_SPAN)) if cancel else None
    return Scenario(calendar, amount, draw(st.permutations(pauses)), cancel_at)


def duration(pause: PauseWindow) -> timedelta:
    assert pause.ends_at is not None
    return pause.ends_at - pause.starts_at


def inside(moment: datetime, pause: PauseWindow) -> bool:
    return pause.starts_at <= moment and (pause.ends_at is None or moment < pause.ends_at)


def micros(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


# --- shift -------------------------------------------------------------------------------


@bounded
@given(scenarios(modes=(ResumeMode.SHIFT,)))
def test_shift_moves_every_due_date_at_or_after_its_start_by_exactly_the_paused_duration(
    scenario: Scenario,
) -> None:
    in_start_order = sorted(scenario.pauses, key=lambda pause: pause.starts_at)
    for added_at, added in enumerate(in_start_order):
        before = scenario.schedule(in_start_order[:added_at])
        after = scenario.schedule(in_start_order[: added_at + 1])
        for old, new in zip(before, after, strict=True):
            moved = old.due_at >= added.starts_at
            assert new.index == old.index
            assert new.due_at == (old.due_at + duration(added) if moved else old.due_at)
            assert new.period_end - new.period_start >= old.period_end - old.period_start
            assert new.amount_due == old.amount_due == scenario.amount


@bounded
@given(scenarios(open_ended=True, cancel=True))
def test_nothing_is_ever_due_inside_a_shift_window_and_only_shifts_move_dates(
    scenario: Scenario,
) -> None:
    shifts = scenario.of_mode(ResumeMode.SHIFT)
    closed_shifts = [pause for pause in shifts if pause.ends_at is not None]
    charges = scenario.schedule()

    assert not [c for c in charges for pause in closed_shifts if inside(c.due_at, pause)]
    dates_by_shifts_alone = [c.due_at for c in scenario.schedule(closed_shifts)]
    assert [c.due_at for c in charges] == dates_by_shifts_alone[: len(charges)]


# --- skip --------------------------------------------------------------------------------


@bounded
@given(scenarios(modes=(ResumeMode.SKIP, ResumeMode.SKIP, ResumeMode.SHIFT, ResumeMode.CREDIT)))
def test_skip_never_changes_the_date_or_amount_of_a_charge_it_does_not_skip(
    scenario: Scenario,
) -> None:
    with_all = scenario.schedule()
    for skip in scenario.of_mode(ResumeMode.SKIP):
        without = scenario.schedule([pause for pause in scenario.pauses if pause is not skip])
        no_credit_pauses = not scenario.of_mode(ResumeMode.CREDIT)
        for new, old in zip(with_all, without, strict=True):
            assert (new.index, new.due_at, new.amount) == (old.index, old.due_at, old.amount)
            if inside(new.due_at, skip):
                assert (new.status, new.credit_applied, new.amount_due) == ("skipped", 0, 0)
                assert new.pause == skip.id
            else:
                assert new.status == old.status
                if no_credit_pauses:
                    assert new == old


# --- credit ------------------------------------------------------------------------------


def assert_credit_is_the_paid_for_time_in_the_window_pro_rata(scenario: Scenario) -> None:
    charges = scenario.schedule()
    for pause in scenario.of_mode(ResumeMode.CREDIT):
        credit = credit_for_pause(
            scenario.calendar, scenario.amount, pause, scenario.pauses, cancel_at=scenario.cancel_at
        )
        assert pause.ends_at is not None
        paid_overlaps = [
            (
                charge,
                min(charge.period_end, pause.ends_at) - max(charge.period_start, pause.starts_at),
            )
            for charge in charges
            if charge.status == "scheduled"
        ]
        paid_overlaps = [
            (charge, overlap) for charge, overlap in paid_overlaps if overlap > timedelta(0)
        ]
        pro_rata = sum(
            (
                Fraction(
                    scenario.amount * micros(overlap),
                    micros(scenario.calendar.period_length(charge.index)),
                )
                for charge, overlap in paid_overlaps
            ),
            Fraction(0),
        )
        assert 0 <= credit <= scenario.amount * len(paid_overlaps)
        # Each period is rounded on its own, so the sum is within half a unit per period.
        assert abs(credit - pro_rata) <= Fraction(len(paid_overlaps), 2)


@bounded
@given(scenarios(cancel=True))
def test_credit_is_never_negative_nor_more_than_the_paid_for_time_in_the_window(
    scenario: Scenario,
) -> None:
    assert_credit_is_the_paid_for_time_in_the_window_pro_rata(scenario)


@bounded
@given(scenarios(modes=(ResumeMode.SHIFT, ResumeMode.CREDIT), max_pauses=4, crowded=True))
def test_credit_in_a_period_a_shift_stretched_counts_only_the_paid_for_time(
    scenario: Scenario,
) -> None:
    assert_credit_is_the_paid_for_time_in_the_window_pro_rata(scenario)


@bounded
@given(scenarios(max_pauses=4))
def test_credit_is_applied_only_after_each_pause_ends_and_is_fully_used_up(
    scenario: Scenario,
) -> None:
    credits = {
        pause.id: credit_for_pause(scenario.calendar, scenario.amount, pause, scenario.pauses)
        for pause in scenario.of_mode(ResumeMode.CREDIT)
    }
    total = sum(credits.values())
    last_end = max((pause.ends_at for pause in scenario.pauses if pause.ends_at), default=None)
    everything = iter_schedule(scenario.calendar, scenario.amount, scenario.pauses)
    charges: list[ScheduledCharge] = []
    for charge in everything:  # every pause over, then enough whole charges to use the credit
        charges.append(charge)
        if last_end is None or charge.due_at >= last_end:
            break
    charges.extend(islice(everything, -(-total // scenario.amount)))

    applied_so_far = 0
    for charge in charges:
        released = sum(
            credits[pause.id]
            for pause in scenario.of_mode(ResumeMode.CREDIT)
            if pause.ends_at is not None and pause.ends_at <= charge.due_at
        )
        applied_so_far += charge.credit_applied
        assert applied_so_far <= released
        assert 0 <= charge.credit_applied <= charge.amount == scenario.amount
        if charge.status == "skipped":
            assert (charge.credit_applied, charge.amount_due) == (0, 0)
        else:
            assert charge.amount_due == charge.amount - charge.credit_applied
    assert applied_so_far == total


# --- upcoming and due_between agree with the one schedule --------------------------------


@st.composite
def scenario_and_now(draw: st.DrawFn) -> tuple[Scenario, datetime, int]:
    scenario = draw(scenarios(open_ended=True, cancel=True))
    if draw(st.booleans()):
        now = draw(instants(scenario.calendar, span=WINDOW_SPAN))
    else:
        now = draw(UTC_TIMES)
    return scenario, now, draw(st.integers(0, 25))


@bounded
@given(scenario_and_now())
def test_upcoming_from_any_now_is_the_matching_slice_of_the_schedule(
    case: tuple[Scenario, datetime, int],
) -> None:
    scenario, now, count = case
    whole = iter_schedule(
        scenario.calendar, scenario.amount, scenario.pauses, cancel_at=scenario.cancel_at
    )
    expected = list(islice((charge for charge in whole if charge.due_at >= now), count))

    assert (
        upcoming(
            scenario.calendar,
            scenario.amount,
            scenario.pauses,
            now=now,
            count=count,
            cancel_at=scenario.cancel_at,
        )
        == expected
    )


@st.composite
def scenario_and_clock_moves(draw: st.DrawFn) -> tuple[Scenario, list[datetime]]:
    scenario = draw(scenarios(open_ended=True, cancel=True))
    moves = draw(
        st.lists(instants(scenario.calendar, span=2 * WINDOW_SPAN), min_size=1, max_size=30)
    )
    return scenario, sorted(moves)


@bounded
@given(scenario_and_clock_moves())
def test_due_between_over_many_small_clock_moves_charges_what_one_big_move_does(
    case: tuple[Scenario, list[datetime]],
) -> None:
    scenario, moves = case

    def charged(after: datetime | None, until: datetime) -> list[ScheduledCharge]:
        return due_between(
            scenario.calendar,
            scenario.amount,
            scenario.pauses,
            after=after,
            until=until,
            cancel_at=scenario.cancel_at,
        )

    in_steps: list[ScheduledCharge] = []
    previous = None
    for move in moves:
        in_steps.extend(charged(previous, move))
        previous = move

    in_one_step = charged(None, moves[-1])
    assert in_steps == in_one_step
    whole = iter_schedule(
        scenario.calendar,
        scenario.amount,
        scenario.pauses,
        cancel_at=scenario.cancel_at,
        until=moves[-1],
    )
    assert in_one_step == list(whole)
    assert [charge.index for charge in in_steps] == list(range(len(in_steps)))


@bounded
@given(scenario_and_now(), st.lists(st.integers(1, 10**7), min_size=1, max_size=10))
def test_what_upcoming_promises_is_exactly_what_the_clock_moves_then_charge(
    case: tuple[Scenario, datetime, int], step_minutes: list[int]
) -> None:
    scenario, now, count = case
    promised = upcoming(
        scenario.calendar,
        scenario.amount,
        scenario.pauses,
        now=now,
        count=count,
        cancel_at=scenario.cancel_at,
    )
    if not promised:
        return
    # The engine last ran just before `now`, then the clock moves in steps past the last promise.
    clock = now - timedelta(microseconds=1)
    charged: list[ScheduledCharge] = []
    for minutes in step_minutes * (1 + len(promised)):
        moved = min(clock + timedelta(minutes=minutes), promised[-1].due_at)
        charged.extend(
            due_between(
                scenario.calendar,
                scenario.amount,
                scenario.pauses,
                after=clock,
                until=moved,
                cancel_at=scenario.cancel_at,
            )
        )
        clock = moved
        if clock == promised[-1].due_at:
            break
    charged.extend(
        due_between(
            scenario.calendar,
            scenario.amount,
            scenario.pauses,
            after=clock,
            until=promised[-1].due_at,
            cancel_at=scenario.cancel_at,
        )
    )

    assert charged == promised


@bounded
@given(scenarios(open_ended=True, cancel=True), st.randoms(use_true_random=False))
def test_the_schedule_does_not_depend_on_the_order_pauses_are_given_in(
    scenario: Scenario, shuffler: object
) -> None:
    shuffled = list(scenario.pauses)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]

    assert scenario.schedule(shuffled) == scenario.schedule()
