"""The pause jobs: start the pauses whose start has come, end those whose end has.

Items are claimed by locking their subscriptions (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
the lock every writer of a subscription takes first, then re-read: if another replica already
did the work the item is let go. Transitions commit in small batches, each batch in one
transaction together with one audit event and one pause event per transition (the audit head
is locked once per batch), so a holiday's thousands of simultaneous starts do not cost a
commit and a head lock each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select

from service.access.actions import Action
from service.audit.recorder import SYSTEM_ACTOR, AuditRecord, append_events
from service.jobs.registry import JobContext, lock_for_work, register_job
from service.subscriptions.models import Pause, PauseStatus, Subscription
from service.subscriptions.timeline import Timeline, Timelines, planned_end

MAX_BATCHES_PER_RUN = 10_000
BATCH = 50
# How many of the earliest due pauses a claim looks at; beyond that, other replicas' turn.
CLAIM_WINDOW = 4 * BATCH


def due_to_start(now: datetime) -> ColumnElement[bool]:
    return and_(Pause.status == PauseStatus.SCHEDULED, Pause.starts_at <= now)


def due_to_end(now: datetime) -> ColumnElement[bool]:
    return and_(
        Pause.status == PauseStatus.ACTIVE,
        or_(
            and_(Pause.ends_at.is_not(None), Pause.ends_at <= now),
            and_(Pause.ends_at.is_(None), Pause.latest_end_at <= now),
        ),
    )


def is_due_to_start(pause: Pause, now: datetime) -> bool:
    """:func:`due_to_start`, for a pause in memory."""
    return pause.status == PauseStatus.SCHEDULED and pause.starts_at <= now


def is_due_to_end(pause: Pause, now: datetime) -> bool:
    """:func:`due_to_end`, for a pause in memory."""
    end = planned_end(pause)
    return pause.status == PauseStatus.ACTIVE and end is not None and end <= now


def system_record(action: Action, targets: list[str]) -> AuditRecord:
    return AuditRecord(action=action, actor=SYSTEM_ACTOR, role=SYSTEM_ACTOR, targets=targets)


def run_pause_transitions(
    context: JobContext,
    now: datetime,
    due: Callable[[datetime], ColumnElement[bool]],
    is_due: Callable[[Pause, datetime], bool],
    apply: Callable[[Timeline, Pause], None],
    action: Action,
) -> int:
    handled = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        with context.session_factory() as session:
            # The earliest due pauses through the (status, time) index, then those of their
            # subscriptions that no other replica holds: each claim stays cheap however many
            # pauses start at the same instant.
            candidates = (
                select(Pause.subscription)
                .where(due(now))
                .order_by(Pause.starts_at, Pause.id)
                .limit(CLAIM_WINDOW)
            )
            claim = (
                select(Subscription)
                .where(Subscription.id.in_(candidates))
                .order_by(Subscription.id)
                .limit(BATCH)
            )
            subscriptions = list(session.execute(lock_for_work(session, claim)).scalars())
            if not subscriptions:
                session.commit()
                return handled
            timelines = Timelines.of(session, subscriptions)
            records = []
            for timeline in timelines:
                # each claimed subscription's earliest due pause, if another replica has not
                # handled it already
                due_pause = next((p for p in timeline.pauses if is_due(p, now)), None)
                if due_pause is None:
                    continue
                apply(timeline, due_pause)
                records.append(system_record(action, [timeline.id, due_pause.id]))
            timelines.save()
            append_events(
                session,
                records,
                at=now,
                status=None,
            )
            session.commit()
            handled += len(records)
    return handled


@register_job("pauses.start", 100)
def start_due_pauses(context: JobContext, now: datetime) -> int:
    def apply(timeline: Timeline, pause: Pause) -> None:
        timeline.start_pause(pause, now)

    return run_pause_transitions(
        context, now, due_to_start, is_due_to_start, apply, Action.JOB_PAUSE_START
    )


@register_job("pauses.end", 110)
def end_due_pauses(context: JobContext, now: datetime) -> int:
    def apply(timeline: Timeline, pause: Pause) -> None:
        end_at = planned_end(pause)
        assert end_at is not None  # is_due_to_end holds
        timeline.end_pause(pause, end_at, now)

    return run_pause_transitions(
        context, now, due_to_end, is_due_to_end, apply, Action.JOB_PAUSE_END
    )
