"""The pause jobs: start the pauses whose start has come, end those whose end has.

Each item is claimed by locking its subscription (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
the lock every writer of a subscription takes first, then re-read: if another replica already
did the work the item is let go. Each transition commits in its own transaction together with
its audit event and its pause event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.audit.recorder import SYSTEM_ACTOR, AuditRecord, append_event
from service.jobs.registry import JobContext, lock_for_work, register_job
from service.pauses.models import Pause, PauseStatus
from service.pauses.transitions import end_pause, planned_end, start_pause
from service.subscriptions.models import Subscription

MAX_ITEMS_PER_RUN = 100_000
# How many of the earliest due pauses a claim looks at; beyond that, other replicas' turn.
CLAIM_WINDOW = 64


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


def record_system_event(
    session: Session, context: JobContext, action: Action, targets: list[str], now: datetime
) -> None:
    append_event(
        session,
        AuditRecord(action=action, actor=SYSTEM_ACTOR, role=SYSTEM_ACTOR, targets=targets),
        at=now,
        status=None,
        signer=context.key_service,
        checkpoints=context.app.checkpoints,
    )


def run_pause_transitions(
    context: JobContext,
    now: datetime,
    due: Callable[[datetime], ColumnElement[bool]],
    apply: Callable[[Session, Pause, Subscription], None],
    action: Action,
) -> int:
    handled = 0
    for _ in range(MAX_ITEMS_PER_RUN):
        with context.session_factory() as session:
            condition = due(now)
            # The earliest due pauses through the (status, time) index, then one of their
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
                .limit(1)
            )
            subscription = session.execute(lock_for_work(session, claim)).scalar_one_or_none()
            if subscription is None:
                session.commit()
                return handled
            pause = session.execute(
                select(Pause)
                .where(Pause.subscription == subscription.id, condition)
                .order_by(Pause.starts_at)
                .limit(1)
            ).scalar_one_or_none()
            if pause is None:  # another replica got there first
                session.commit()
                continue
            apply(session, pause, subscription)
            record_system_event(session, context, action, [subscription.id, pause.id], now)
            session.commit()
            handled += 1
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
