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
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.audit.log import system_record
from service.jobs.registry import JobContext, lock_for_work, register_job
from service.pauses.models import Pause, PauseStatus
from service.pauses.transitions import end_pause, planned_end, start_pause
from service.subscriptions.models import Subscription

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


def run_pause_transitions(
    context: JobContext,
    now: datetime,
    due: Callable[[datetime], ColumnElement[bool]],
    apply: Callable[[Session, Pause, Subscription], None],
    action: Action,
) -> int:
    handled = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        with context.session_factory() as session:
            condition = due(now)
            # The earliest due pauses through the (status, time) index, then those of their
            # subscriptions that no other replica holds: each claim stays cheap however many
            # pauses start at the same instant.
            candidates = (
                select(Pause.subscription)
                .where(condition)
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
            # each claimed subscription's earliest due pause, in one query
            first_due: dict[str, Pause] = {}
            for pause in session.scalars(
                select(Pause)
                .where(Pause.subscription.in_([sub.id for sub in subscriptions]), condition)
                .order_by(Pause.starts_at, Pause.id)
            ):
                first_due.setdefault(pause.subscription, pause)
            records = []
            for subscription in subscriptions:
                due_pause = first_due.get(subscription.id)
                if due_pause is None:  # another replica got there first
                    continue
                apply(session, due_pause, subscription)
                records.append(system_record(action, [subscription.id, due_pause.id]))
            context.app.audit.records(session, records, at=now)
            session.commit()
            handled += len(records)
    return handled


@register_job("pauses.start", 100)
def start_due_pauses(context: JobContext, now: datetime) -> int:
    def apply(session: Session, pause: Pause, subscription: Subscription) -> None:
        start_pause(session, pause, subscription, now)

    return run_pause_transitions(context, now, due_to_start, apply, Action.JOB_PAUSE_START)


@register_job("pauses.end", 110)
def end_due_pauses(context: JobContext, now: datetime) -> int:
    def apply(session: Session, pause: Pause, subscription: Subscription) -> None:
        end_at: Any = planned_end(pause)
        end_pause(session, pause, subscription, end_at, now)

    return run_pause_transitions(context, now, due_to_end, apply, Action.JOB_PAUSE_END)
