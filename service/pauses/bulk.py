"""Bulk pauses: one selector, one window, one pause per matching subscription.

A bulk of single pauses: the matches and their pauses are read with two queries (the
timeline's :func:`~service.subscriptions.timeline.load`), each subscription gets its pause on
its timeline in memory, where every credit and ``next_charge_at`` is recomputed by the schedule
engine, and the timelines are saved at once. The per-subscription audit events are returned
for the caller to write in the same transaction.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.access.policy import Limits
from service.audit.recorder import AuditRecord
from service.core.errors import PolicyViolation, ServiceError
from service.core.rows import random_tokens
from service.pauses.operations import plan_window
from service.pauses.schemas import BulkPauseCreate
from service.pauses.selection import matching
from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.errors import skip_reason_of
from service.subscriptions.models import BULK_ID_PREFIX, PAUSE_ID_PREFIX, BulkOperation
from service.subscriptions.operations import ScheduleInputs
from service.subscriptions.timeline import PlannedWindow, Timeline, load


@dataclass(frozen=True)
class BulkActor:
    name: str
    role: str


@dataclass(frozen=True)
class BulkOutcome:
    """The answer's body, and the per-subscription audit events for the caller to write in
    the same transaction (API.md: each subscription paused *or skipped* has its own event;
    a skipped one's status is ``SKIPPED_STATUS``)."""

    body: dict[str, Any]
    paused_events: list[AuditRecord]
    skipped_events: list[AuditRecord]


def _window(
    timeline: Timeline,
    request: BulkPauseCreate,
    limits: Limits,
    now: datetime,
    common: PlannedWindow | None,
) -> PlannedWindow | str:
    """The pause's window for this subscription, or the reason it is skipped. ``common`` is
    the window when it is the same for every subscription."""
    window = common
    if window is None:
        try:
            window = plan_window(request, timeline.inputs(), limits, now)
        except ServiceError as error:
            return skip_reason_of(error)
    return timeline.conflict(window) or window


# A skipped subscription's own audit event: not paused, for the reason in its purpose.
SKIPPED_STATUS = 409


def bulk_pause(
    session: Session,
    request: BulkPauseCreate,
    limits: Limits,
    actor: BulkActor,
    now: datetime,
    *,
    reason: str | None,
) -> BulkOutcome:
    count = session.execute(
        select(func.count()).select_from(matching(request.selector).subquery())
    ).scalar_one()
    if count > limits.max_bulk_subscriptions:
        raise PolicyViolation(
            f"The selector matches more than {limits.max_bulk_subscriptions} subscriptions."
        )
    common = None
    if request.start != "period_end" and request.cycles is None:
        # The same window for every subscription: a bad one fails the whole request.
        common = plan_window(request, _EMPTY_INPUTS, limits, now)
    timelines = load(session, matching(request.selector), lock=not request.dry_run)
    bulk_id = None if request.dry_run else BULK_ID_PREFIX + secrets.token_hex(12)
    paused: list[tuple[str, str]] = []
    skipped: list[dict[str, str]] = []
    affected: dict[str, dict[str, int]] = defaultdict(
        lambda: {"subscriptions": 0, "recurring_amount": 0}
    )
    pause_ids = random_tokens(PAUSE_ID_PREFIX, len(timelines))
    for timeline, pause_id in zip(timelines, pause_ids, strict=True):
        window = _window(timeline, request, limits, now, common)
        if isinstance(window, str):
            skipped.append({"subscription": timeline.id, "reason": window})
            continue
        if not request.dry_run:
            timeline.add_pause(
                window,
                request.resume_mode,
                pause_id=pause_id,
                created_by=actor.name,
                now=now,
                bulk=bulk_id,
            )
        paused.append((timeline.id, pause_id))
        subscription = timeline.subscription
        affected[subscription.currency]["subscriptions"] += 1
        affected[subscription.currency]["recurring_amount"] += subscription.amount
    paused_events: list[AuditRecord] = []
    skipped_events: list[AuditRecord] = []
    if bulk_id is not None:
        session.add(
            BulkOperation(
                id=bulk_id,
                created_by=actor.name,
                created_at=now,
                selector=request.selector.model_dump_json(exclude_none=True),
                resume_mode=str(request.resume_mode),
                matched=len(timelines),
                paused=len(paused),
            )
        )
        timelines.save()
        paused_events = [
            AuditRecord(
                action=Action.PAUSE_CREATE,
                actor=actor.name,
                role=actor.role,
                targets=[subscription, pause_id, bulk_id],
                purpose=reason,
            )
            for subscription, pause_id in paused
        ]
        skipped_events = [
            AuditRecord(
                action=Action.PAUSE_CREATE,
                actor=actor.name,
                role=actor.role,
                targets=[item["subscription"], bulk_id],
                purpose=f"skipped: {item['reason']}",
            )
            for item in skipped
        ]
    body = {
        "id": bulk_id,
        "dry_run": request.dry_run,
        "matched": len(timelines),
        "paused": len(paused),
        "skipped": skipped,
        "affected": {currency: affected[currency] for currency in sorted(affected)},
    }
    return BulkOutcome(body, paused_events, skipped_events)


# Checks a window that does not depend on the subscription (a fixed start, end or days).
_EMPTY_INPUTS = ScheduleInputs(
    Calendar(datetime(2000, 1, 1, tzinfo=UTC), Interval.MONTH), 1, [], None
)
