"""A subscription's timeline: the subscription, its pauses, and what is derived from them.

Every write that changes a subscription's pauses or its end goes through here — a single
pause, a bulk pause (a single pause is a bulk of one), the pause jobs, cancellation and
erasure — so every credit, ``next_charge_at`` and the status are kept in step by one path:

1. :func:`load` (or :meth:`Timelines.of`, for subscriptions the caller already read) reads a
   set of subscriptions (as rows: a Core select) and then their pauses: two queries however
   many, locked when asked;
2. the operations on a :class:`Timeline` (add, start, end and cancel a pause; cancel the
   subscription) change them in memory;
3. :meth:`Timelines.save` recomputes each changed timeline as from scratch with the schedule
   engine (asking it only what the operations can have changed) and writes everything at
   once: the new pauses as rows (COPY for many), the changed subscriptions with one UPDATE
   per set of changed columns (set-based for many), the pause events with one insert per
   event type.

Every writer locks the subscription before it touches its pauses, in id order: no deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Row, Select, inspect, select
from sqlalchemy.orm import Session, instrumentation, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from service.core.rows import COPY_FROM, insert_rows, update_rows
from service.core.timeparse import format_api_time
from service.events.outbox import emit_many
from service.events.types import EventType
from service.subscriptions.errors import SkipReason
from service.subscriptions.models import Pause, PauseStatus, Subscription, SubscriptionStatus
from service.subscriptions.operations import (
    ScheduleInputs,
    cancel_time,
    inputs_from,
    next_charge_for,
    pause_window,
    period_end,
)
from service.subscriptions.schedule import ResumeMode, credit_for_pause, pauses_overlap

# How many tokens one IN list holds (PostgreSQL's driver takes at most 65,535 parameters).
CHUNK = 5000

# What a timeline changes of its subscription (status, next charge, cancellation).
SUBSCRIPTION_COLUMNS = ("status", "next_charge_at", "cancel_at", "canceled_at")

PAUSE_COLUMNS = tuple(column.name for column in Pause.__table__.columns)
# A new pause's row, from the values new_pause put in its __dict__ (no attribute machinery).
_PAUSE_ROW = itemgetter(*PAUSE_COLUMNS)
_PAUSES = instrumentation.manager_of_class(Pause)
_SUBSCRIPTIONS = instrumentation.manager_of_class(Subscription)

# Why a pause cannot be added (bulk reports them as skip reasons; errors.py raises them).
OVERLAPPING_PAUSE = SkipReason.OVERLAPPING_PAUSE
CANCELED_BEFORE_START = SkipReason.CANCELED_BEFORE_START


@dataclass(frozen=True)
class PlannedWindow:
    starts_at: datetime
    ends_at: datetime | None
    latest_end_at: datetime | None


def event_data(pause: Pause) -> dict[str, str | None]:
    """What a pause event carries: tokens and times only."""
    return {
        "subscription": pause.subscription,
        "pause": pause.id,
        "starts_at": _api_time(pause.starts_at),
        "ends_at": _api_time(pause.ends_at),
    }


@lru_cache(maxsize=4096)
def _api_time(moment: datetime | None) -> str | None:
    """``format_api_time``, once per instant: a bulk's pauses share a few."""
    return format_api_time(moment)


def new_pause(**values: Any) -> Pause:
    """A transient Pause with every column's value, built without the ORM's per-attribute
    events (a tenth of a bulk's time): :meth:`Timelines.save` inserts it as a row, then makes it
    persistent with no history anyway."""
    pause: Pause = _PAUSES.new_instance()
    pause.__dict__.update(values)
    return pause


def planned_end(pause: Pause) -> datetime | None:
    """When an active pause ends by itself: its end, or its latest end if open-ended."""
    return pause.ends_at if pause.ends_at is not None else pause.latest_end_at


def conflict(
    subscription: Subscription, pauses: Sequence[Pause], window: PlannedWindow
) -> str | None:
    """Why a pause over ``window`` cannot be added: it overlaps a scheduled or active pause,
    or it would start once the subscription has ended. None when it can."""
    for pause in pauses:
        if pause.status in PauseStatus.LIVE and pauses_overlap(
            window.starts_at, window.ends_at, pause.starts_at, pause.ends_at
        ):
            return OVERLAPPING_PAUSE
    ends = cancel_time(subscription)
    if ends is not None and window.starts_at >= ends:
        return CANCELED_BEFORE_START
    return None


@dataclass
class Timeline:
    """One subscription and its pauses but the canceled ones, oldest start first. A canceled
    pause never paused anything and never changes again; a subscription paused and un-paused
    for years would otherwise load its whole history on every operation."""

    subscription: Subscription
    pauses: list[Pause] = field(default_factory=list)
    changed: bool = False
    # Where the operations so far can have changed the schedule from (the earliest start of a
    # pause added, ended or canceled): entries due before it are the same with and without
    # them. None while nothing moved; ``rescheduled`` when everything may have (cancellation).
    moved_from: datetime | None = None
    rescheduled: bool = False
    new: list[Pause] = field(default_factory=list)
    events: list[tuple[EventType, dict[str, str | None], datetime]] = field(default_factory=list)
    # The subscription's SUBSCRIPTION_COLUMNS as last written: save writes what differs.
    saved: tuple[Any, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.saved = _written(self.subscription)

    @property
    def id(self) -> str:
        return self.subscription.id

    def inputs(self) -> ScheduleInputs:
        return inputs_from(self.subscription, self.pauses)

    def find(self, pause_id: str) -> Pause | None:
        return next((pause for pause in self.pauses if pause.id == pause_id), None)

    def active(self) -> Pause | None:
        return next((p for p in self.pauses if p.status == PauseStatus.ACTIVE), None)

    def conflict(self, window: PlannedWindow) -> str | None:
        return conflict(self.subscription, self.pauses, window)

    # -- operations: in memory, recomputed and written by Timelines.save ----------------------

    def add_pause(
        self,
        window: PlannedWindow,
        mode: ResumeMode | str,
        *,
        pause_id: str,
        created_by: str,
        now: datetime,
        bulk: str | None = None,
    ) -> Pause:
        """A new pause over ``window`` (checked by the caller), started at once if its start
        has come."""
        pause = new_pause(
            id=pause_id,
            subscription=self.id,
            status=PauseStatus.SCHEDULED,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            latest_end_at=window.latest_end_at,
            resume_mode=str(mode),
            reason=None,  # sealed by service.subscriptions.reasons, never kept in clear
            reason_ciphertext=None,
            credit_amount=0,
            bulk=bulk,
            created_by=created_by,
            created_at=now,
        )
        self.pauses.append(pause)
        self.pauses.sort(key=lambda each: each.starts_at)
        self.new.append(pause)
        self._event(EventType.PAUSE_SCHEDULED, pause, now)
        self._moved(pause.starts_at)
        if pause.starts_at <= now:
            self.start_pause(pause, now)
        self.changed = True
        return pause

    def start_pause(self, pause: Pause, now: datetime) -> None:
        pause.status = PauseStatus.ACTIVE
        self._event(EventType.PAUSE_STARTED, pause, now)
        self.changed = True

    def end_pause(self, pause: Pause, at: datetime, now: datetime) -> None:
        """End an active pause at ``at`` (its planned end, its latest end, or now on resume)."""
        self._moved(pause.starts_at)
        if pause.ends_at is None or at < pause.ends_at:
            pause.ends_at = max(at, pause.starts_at)
        pause.latest_end_at = None
        pause.status = PauseStatus.COMPLETED
        self._event(EventType.PAUSE_ENDED, pause, now)
        self.changed = True

    def cancel_pause(self, pause: Pause) -> None:
        """Cancel a scheduled pause: it never paused anything."""
        self._moved(pause.starts_at)
        pause.status = PauseStatus.CANCELED
        self.changed = True

    def cancel(self, at: datetime, now: datetime) -> None:
        """Canceled from ``at`` on, never charged again; its pauses stop with it."""
        self.rescheduled = True
        for pause in self.pauses:
            if pause.status == PauseStatus.SCHEDULED:
                self.cancel_pause(pause)
            elif pause.status == PauseStatus.ACTIVE:
                self.end_pause(pause, at, now)
        subscription = self.subscription
        subscription.status = SubscriptionStatus.CANCELED
        subscription.canceled_at = at
        if subscription.cancel_at is None or subscription.cancel_at > at:
            subscription.cancel_at = at
        self.changed = True

    def cancel_at_period_end(self, now: datetime) -> None:
        """Canceled at the next due date (by the job then); Conflict when there is none."""
        self.subscription.cancel_at = None
        self.subscription.cancel_at = period_end(self.inputs(), now)
        self.rescheduled = True
        self.changed = True

    # -- derived state --------------------------------------------------------------------

    def recompute(self) -> None:
        """Every credit, ``next_charge_at`` and the status, as from scratch.

        The engine is asked only for what the operations can have changed: the schedule with
        and without them agrees on every entry due before ``moved_from`` (a pause changes
        nothing due before its start, in any mode), so a credit pause that ends by then keeps
        its credit and a next charge due before then stays (a pause's start alone moves
        nothing). The property tests hold this against a recomputation from scratch."""
        inputs: ScheduleInputs | None = None
        for pause in self.pauses:
            if pause.resume_mode != ResumeMode.CREDIT or pause.status == PauseStatus.CANCELED:
                continue
            window = pause_window(pause)
            if window is None:
                pause.credit_amount = 0
                continue
            if window.ends_at is not None and not self._moved_before(window.ends_at):
                continue
            inputs = inputs or self.inputs()
            pause.credit_amount = credit_for_pause(
                inputs.calendar, inputs.amount, window, inputs.pauses, cancel_at=inputs.cancel_at
            )
        subscription = self.subscription
        status = subscription.status
        if status != SubscriptionStatus.CANCELED:
            if self.active() is not None:
                status = SubscriptionStatus.PAUSED
            elif status == SubscriptionStatus.PAUSED:
                status = SubscriptionStatus.ACTIVE
        next_charge_at = subscription.next_charge_at
        if (
            status == SubscriptionStatus.CANCELED
            or next_charge_at is None
            or self._moved_before(next_charge_at, inclusive=True)
        ):
            next_charge_at = next_charge_for(subscription, inputs or self.inputs())
        # set only what moved: the flush then looks at fewer attributes
        if status != subscription.status:
            subscription.status = status
        if next_charge_at != subscription.next_charge_at:
            subscription.next_charge_at = next_charge_at
        self.moved_from, self.rescheduled = None, False

    def _moved(self, at: datetime) -> None:
        if self.moved_from is None or at < self.moved_from:
            self.moved_from = at

    def _moved_before(self, moment: datetime, *, inclusive: bool = False) -> bool:
        """Whether the operations can have changed the schedule before ``moment`` (or at it)."""
        if self.rescheduled:
            return True
        if self.moved_from is None:
            return False
        return self.moved_from <= moment if inclusive else self.moved_from < moment

    def _event(self, type_: EventType, pause: Pause, now: datetime) -> None:
        self.events.append((type_, event_data(pause), now))


class Timelines:
    """A set of timelines read together, saved together."""

    def __init__(self, session: Session, timelines: list[Timeline]) -> None:
        self.session = session
        self._by_id = {timeline.id: timeline for timeline in timelines}

    @classmethod
    def of(
        cls,
        session: Session,
        subscriptions: Sequence[Subscription],
        ids: Select[Any] | None = None,
    ) -> Timelines:
        """The timelines of subscriptions already read (and locked, if they must be): one
        query for their pauses. ``ids``, the query that selected them, when there are many."""
        timelines = [Timeline(subscription) for subscription in subscriptions]
        by_id = {timeline.id: timeline for timeline in timelines}
        query = (
            select(Pause)
            .where(Pause.status != PauseStatus.CANCELED)
            .order_by(Pause.starts_at, Pause.id)
        )
        if ids is not None:
            groups: list[Any] = [ids]
        else:
            tokens = list(by_id)
            groups = [tokens[i : i + CHUNK] for i in range(0, len(tokens), CHUNK)]
        for group in groups:
            for pause in session.scalars(query.where(Pause.subscription.in_(group))):
                if pause.subscription in by_id:
                    by_id[pause.subscription].pauses.append(pause)
        return cls(session, timelines)

    def __getitem__(self, token: str) -> Timeline:
        return self._by_id[token]

    def __iter__(self) -> Iterator[Timeline]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def save(self) -> None:
        """Recompute every changed timeline and write the changes: new pauses and changed
        rows in one flush, the pause events with one insert per type (in the order their
        first one happened)."""
        changed = [timeline for timeline in self if timeline.changed]
        new: list[Pause] = []
        events: dict[tuple[EventType, datetime], list[dict[str, str | None]]] = {}
        for timeline in changed:
            timeline.recompute()
            new += timeline.new
            for type_, data, now in timeline.events:
                events.setdefault((type_, now), []).append(data)
            timeline.new, timeline.events, timeline.changed = [], [], False
        updates = _changed_rows(changed)  # before the flush, which would write them row by row
        self.session.flush()
        for columns, rows in updates.items():
            update_rows(self.session, Subscription.__table__, columns, rows)
        # New pauses as rows (COPY for many). A few (a single pause) then join the session as
        # the rows they are: later changes (a sealed reason) are updates. The unit of work
        # would insert them one by one. Many (a bulk's, never changed after) stay out of it:
        # each would cost the session's bookkeeping and every later flush a look.
        table: Any = Pause.__table__
        insert_rows(self.session, table, PAUSE_COLUMNS, [_PAUSE_ROW(vars(p)) for p in new])
        if len(new) < COPY_FROM:
            for pause in new:
                make_transient_to_detached(pause)
                self.session.add(pause)
        for (type_, now), datas in events.items():
            emit_many(self.session, type_, datas, now)


def _written(subscription: Subscription) -> tuple[Any, ...]:
    return tuple(getattr(subscription, column) for column in SUBSCRIPTION_COLUMNS)


def _changed_rows(timelines: Sequence[Timeline]) -> dict[tuple[str, ...], list[tuple[Any, ...]]]:
    """What the timelines changed of their subscriptions, as rows for one UPDATE per set of
    changed columns (``update_rows``) rather than the unit of work's one UPDATE per row; a
    subscription the session holds gets the new values as committed, so no flush writes them
    again."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for timeline in timelines:
        subscription = timeline.subscription
        values = _written(subscription)
        if values == timeline.saved:
            continue
        changed = [
            (column, value)
            for column, value, before in zip(
                SUBSCRIPTION_COLUMNS, values, timeline.saved, strict=True
            )
            if value != before
        ]
        timeline.saved = values
        if inspect(subscription).persistent:
            for column, value in changed:
                set_committed_value(subscription, column, value)
        columns = tuple(column for column, _ in changed)
        groups.setdefault(columns, []).append((subscription.id, *(v for _, v in changed)))
    return groups


def load(session: Session, ids: Select[Any] | Sequence[str], *, lock: bool) -> Timelines:
    """The timelines of the subscriptions ``ids`` names (a query of ids, or the tokens), in id
    order, locked ``FOR UPDATE`` when ``lock``: two queries.

    The subscriptions are read as rows (a Core select: no identity map, no per-object loading
    events) into Subscription objects outside the session; one the session already holds is
    used as it is. ``Timelines.save`` writes what their timelines changed, and only that."""
    table: Any = Subscription.__table__
    query = select(table).order_by(table.c.id)
    if lock:
        query = query.with_for_update()
    if isinstance(ids, Select):
        rows = list(session.execute(query.where(table.c.id.in_(ids))))
        return Timelines.of(session, _subscriptions(session, rows), ids)
    tokens = sorted(set(ids))
    rows = []
    for start in range(0, len(tokens), CHUNK):
        rows += session.execute(query.where(table.c.id.in_(tokens[start : start + CHUNK])))
    return Timelines.of(session, _subscriptions(session, rows))


def _subscriptions(session: Session, rows: Sequence[Row[Any]]) -> list[Subscription]:
    held = session.identity_map
    subscriptions = []
    for row in rows:
        values = row._asdict()
        subscription = held.get(identity_key(Subscription, values["id"])) if held else None
        if subscription is None:
            subscription = _SUBSCRIPTIONS.new_instance()
            subscription.__dict__.update(values)
        subscriptions.append(subscription)
    return subscriptions
