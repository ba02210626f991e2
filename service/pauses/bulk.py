"""Bulk pauses: one selector, one window, one pause per matching subscription.

Set-based: the matches and their pauses are read with two queries (``selection``), each
subscription's window, conflicts, credit and new ``next_charge_at`` are computed in memory by
the schedule engine, and the pauses, events and audit events are written with one COPY each on
PostgreSQL (executemany elsewhere), the moved renewal dates with one UPDATE.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.access.policy import Limits
from service.audit.recorder import AuditRecord
from service.core.errors import PolicyViolation, ServiceError
from service.core.rows import insert_rows, random_tokens
from service.core.timeparse import format_api_time
from service.events.outbox import emit_many
from service.events.types import EventType
from service.pauses.models import (
    BULK_ID_PREFIX,
    PAUSE_ID_PREFIX,
    BulkOperation,
    Pause,
    PauseStatus,
)
from service.pauses.recompute import recompute_subscriptions, set_next_charge
from service.pauses.schemas import BulkPauseCreate
from service.pauses.selection import Match, load_matches, matching
from service.pauses.service import PlannedWindow, plan_window
from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.errors import EndsBeforePause, PauseOverlaps, skip_reason_of
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.schedule import (
    PauseWindow,
    ResumeMode,
    credit_for_pause,
    first_charge_from,
    pauses_overlap,
)
from service.subscriptions.service import ScheduleInputs

CHUNK = 5000


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


@dataclass
class _Planned:
    match: Match
    pause_id: str
    window: PlannedWindow
    credit: int
    next_charge_at: datetime | None


def _plan_one(
    match: Match,
    request: BulkPauseCreate,
    limits: Limits,
    now: datetime,
    common: PlannedWindow | None,
    pause_id: str,
) -> _Planned | str:
    """The pause this subscription would get, or the reason it is skipped. ``common`` is the
    window when it is the same for every subscription."""
    window = common
    if window is None:
        try:
            window = plan_window(request, match.inputs(), limits, now)
        except ServiceError as error:
            return skip_reason_of(error)
    for _pid, status, start, end, _mode in match.pauses:
        if status in PauseStatus.LIVE and pauses_overlap(
            window.starts_at, window.ends_at, start, end
        ):
            return PauseOverlaps.skip_reason
    if match.cancel_at is not None and window.starts_at >= match.cancel_at:
        return EndsBeforePause.skip_reason
    credit, next_charge_at = 0, match.next_charge_at
    # A pause changes nothing due before its start (every mode moves, skips or hides only
    # dates at or after it), so the engine is asked only when the next charge could change.
    affects_next = next_charge_at is not None and next_charge_at >= window.starts_at
    if affects_next or request.resume_mode is ResumeMode.CREDIT:
        inputs = match.inputs()
        new = PauseWindow(pause_id, window.starts_at, window.ends_at, request.resume_mode)
        if request.resume_mode is ResumeMode.CREDIT:
            credit = credit_for_pause(
                inputs.calendar, inputs.amount, new, inputs.pauses, cancel_at=inputs.cancel_at
            )
        if affects_next:
            entry = first_charge_from(
                inputs.calendar,
                inputs.amount,
                [*inputs.pauses, new],
                match.charged_through_index + 1,
                cancel_at=inputs.cancel_at,
            )
            next_charge_at = None if entry is None else entry.due_at
    return _Planned(match, pause_id, window, credit, next_charge_at)


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
    matches = load_matches(session, request.selector, lock=not request.dry_run)
    planned: list[_Planned] = []
    skipped: list[dict[str, str]] = []
    affected: dict[str, dict[str, int]] = defaultdict(
        lambda: {"subscriptions": 0, "recurring_amount": 0}
    )
    pause_ids = random_tokens(PAUSE_ID_PREFIX, len(matches))
    for match, pause_id in zip(matches, pause_ids, strict=True):
        outcome = _plan_one(match, request, limits, now, common, pause_id)
        if isinstance(outcome, str):
            skipped.append({"subscription": match.id, "reason": outcome})
            continue
        planned.append(outcome)
        affected[match.currency]["subscriptions"] += 1
        affected[match.currency]["recurring_amount"] += match.amount
    bulk_id = None
    paused_events: list[AuditRecord] = []
    skipped_events: list[AuditRecord] = []
    if not request.dry_run:
        bulk_id = BULK_ID_PREFIX + secrets.token_hex(12)
        _apply(session, bulk_id, request, planned, actor, now, reason, len(matches))
        paused_events = [
            AuditRecord(
                action=Action.PAUSE_CREATE,
                actor=actor.name,
                role=actor.role,
                targets=[item.match.id, item.pause_id, bulk_id],
                purpose=reason,
            )
            for item in planned
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
        "matched": len(matches),
        "paused": len(planned),
        "skipped": skipped,
        "affected": {currency: affected[currency] for currency in sorted(affected)},
    }
    return BulkOutcome(body, paused_events, skipped_events)


# Checks a window that does not depend on the subscription (a fixed start, end or days).
_EMPTY_INPUTS = ScheduleInputs(
    Calendar(datetime(2000, 1, 1, tzinfo=UTC), Interval.MONTH), 1, [], None
)


def _chunks(rows: list[Any]) -> list[list[Any]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _apply(
    session: Session,
    bulk_id: str,
    request: BulkPauseCreate,
    planned: list[_Planned],
    actor: BulkActor,
    now: datetime,
    reason: str | None,
    matched: int,
) -> None:
    session.add(
        BulkOperation(
            id=bulk_id,
            created_by=actor.name,
            created_at=now,
            selector=request.selector.model_dump_json(exclude_none=True),
            resume_mode=str(request.resume_mode),
            matched=matched,
            paused=len(planned),
        )
    )
    session.flush()
    started = [item for item in planned if item.window.starts_at <= now]
    insert_rows(
        session,
        Pause.__table__,  # type: ignore[arg-type]
        PAUSE_COLUMNS,
        [
            (
                item.pause_id,
                item.match.id,
                PauseStatus.ACTIVE if item.window.starts_at <= now else PauseStatus.SCHEDULED,
                item.window.starts_at,
                item.window.ends_at,
                item.window.latest_end_at,
                str(request.resume_mode),
                None,  # the reason is sealed once, on the bulk operation (pauses.reasons)
                item.credit,
                bulk_id,
                actor.name,
                now,
            )
            for item in planned
        ],
    )
    moved = [item for item in planned if item.next_charge_at != item.match.next_charge_at]
    set_next_charge(session, [(item.match.id, item.next_charge_at) for item in moved])
    table = Subscription.__table__
    for chunk in _chunks(started):
        session.execute(
            update(table)
            .where(table.c.id.in_([item.match.id for item in chunk]))
            .values(status=SubscriptionStatus.PAUSED)
        )
    emit_many(session, EventType.PAUSE_SCHEDULED, (_event(item) for item in planned), now)
    emit_many(session, EventType.PAUSE_STARTED, (_event(item) for item in started), now)
    # A new pause moves the calendar under a credit pause the subscription already has: that
    # credit is recomputed (the plan computed only the new pause's).
    recompute_subscriptions(
        session, [item.match.id for item in planned if _has_credit_pause(item.match)]
    )
    session.expire_all()


def _has_credit_pause(match: Match) -> bool:
    return any(
        status in PauseStatus.LIVE and str(mode) == str(ResumeMode.CREDIT)
        for _pid, status, _start, _end, mode in match.pauses
    )


def _event(item: _Planned) -> dict[str, str | None]:
    return {
        "subscription": item.match.id,
        "pause": item.pause_id,
        "starts_at": _api_time(item.window.starts_at),
        "ends_at": _api_time(item.window.ends_at),
    }


@lru_cache(maxsize=4096)
def _api_time(moment: datetime | None) -> str | None:
    return format_api_time(moment)


PAUSE_COLUMNS = (
    "id",
    "subscription",
    "status",
    "starts_at",
    "ends_at",
    "latest_end_at",
    "resume_mode",
    "reason",
    "credit_amount",
    "bulk",
    "created_by",
    "created_at",
)
