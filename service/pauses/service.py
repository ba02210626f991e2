"""Single pauses: create, read, resume, cancel.

Functions take the session and their collaborators as arguments; they flush, never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.policy import Limits
from service.core.errors import Conflict, NotFound, PolicyViolation, ValidationFailed
from service.events.outbox import emit
from service.events.types import EventType
from service.pauses.models import PAUSE_ID_PREFIX, Pause, PauseStatus
from service.pauses.schemas import PauseCreate, PauseWindowRequest
from service.pauses.transitions import (
    after_change,
    cancel_scheduled_pause,
    end_pause,
    event_data,
    start_pause,
)
from service.subscriptions.errors import EndsBeforePause, PauseOverlaps, TooFewDueDates
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.schedule import nth_due_after, pauses_overlap
from service.subscriptions.service import (
    ScheduleInputs,
    get_subscription,
    inputs_from,
    live_pauses,
    period_end,
)


@dataclass(frozen=True)
class PlannedWindow:
    starts_at: datetime
    ends_at: datetime | None
    latest_end_at: datetime | None


def new_pause_token() -> str:
    return PAUSE_ID_PREFIX + secrets.token_hex(12)


def plan_window(
    request: PauseWindowRequest,
    inputs: ScheduleInputs,
    limits: Limits,
    now: datetime,
) -> PlannedWindow:
    """The pause's window for this subscription, checked against the policy."""
    if request.start == "now":
        starts_at = now
    elif request.start == "period_end":
        starts_at = period_end(inputs, now)
    else:
        starts_at = request.start
        if starts_at < now:
            raise ValidationFailed("start: a pause cannot start in the past.")
    ends_at: datetime | None
    if request.end is not None:
        ends_at = request.end
        if ends_at <= starts_at:
            raise ValidationFailed("end: a pause must end after it starts.")
    elif request.days is not None:
        ends_at = starts_at + timedelta(days=request.days)
    elif request.cycles is not None:
        ends_at = nth_due_after(
            inputs.calendar,
            inputs.amount,
            inputs.pauses,
            starts_at,
            request.cycles,
            cancel_at=inputs.cancel_at,
        )
        if ends_at is None:
            raise TooFewDueDates()
    else:
        ends_at = None
    longest = timedelta(days=limits.max_pause_days)
    if ends_at is None:
        if not limits.allow_open_ended_pauses:
            raise PolicyViolation("Open-ended pauses are not allowed by the policy.")
        return PlannedWindow(starts_at, None, starts_at + longest)
    if ends_at - starts_at > longest:
        raise PolicyViolation(f"A pause lasts at most {limits.max_pause_days} days.")
    return PlannedWindow(starts_at, ends_at, None)


def overlapping(window: PlannedWindow, pauses: list[Pause]) -> Pause | None:
    for pause in pauses:
        if pause.status in PauseStatus.LIVE and pauses_overlap(
            window.starts_at, window.ends_at, pause.starts_at, pause.ends_at
        ):
            return pause
    return None


def refuse_conflicts(
    subscription: Subscription, window: PlannedWindow, pauses: list[Pause]
) -> None:
    """Conflict when the window overlaps a live pause or starts after the subscription ends."""
    if overlapping(window, pauses) is not None:
        raise PauseOverlaps()
    if subscription.cancel_at is not None and window.starts_at >= subscription.cancel_at:
        raise EndsBeforePause()


def create_pause(
    session: Session,
    subscription_token: str,
    request: PauseCreate,
    limits: Limits,
    created_by: str,
    now: datetime,
) -> tuple[Pause, Subscription]:
    """The new pause, and its subscription (whose customer the caller names in the audit)."""
    subscription = get_subscription(session, subscription_token, for_update=True)
    if subscription.status == SubscriptionStatus.CANCELED:
        raise Conflict("The subscription is canceled.")
    pauses = live_pauses(session, subscription.id)
    window = plan_window(request, inputs_from(subscription, pauses), limits, now)
    refuse_conflicts(subscription, window, pauses)
    pause = Pause(
        id=new_pause_token(),
        subscription=subscription.id,
        status=PauseStatus.SCHEDULED,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        latest_end_at=window.latest_end_at,
        resume_mode=str(request.resume_mode),
        reason=None,  # sealed by service.pauses.reasons, never kept in clear
        credit_amount=0,
        bulk=None,
        created_by=created_by,
        created_at=now,
    )
    session.add(pause)
    session.flush()
    emit(session, EventType.PAUSE_SCHEDULED, event_data(pause), now)
    if pause.starts_at <= now:
        start_pause(session, pause, subscription, now)
    # Credits and the next charge come from the schedule with this pause in it, whether it
    # starts now or later (starting a pause that already exists changes neither).
    after_change(session, subscription)
    return pause, subscription


def find_pause(session: Session, subscription_token: str, pause_token: str) -> Pause:
    pause = session.execute(
        select(Pause).where(Pause.id == pause_token, Pause.subscription == subscription_token)
    ).scalar_one_or_none()
    if pause is None:
        raise NotFound("No such pause for this subscription.")
    return pause


def pause_exists(session: Session, token: str) -> bool:
    return session.execute(select(Pause.id).where(Pause.id == token)).first() is not None


def resume(session: Session, subscription_token: str, now: datetime) -> tuple[Pause, Subscription]:
    """End the active pause now; Conflict without one."""
    subscription = get_subscription(session, subscription_token, for_update=True)
    active = [p for p in live_pauses(session, subscription.id) if p.status == PauseStatus.ACTIVE]
    if not active:
        raise Conflict("The subscription has no active pause.")
    end_pause(session, active[0], subscription, now, now)
    return active[0], subscription


def cancel_pause(
    session: Session, subscription_token: str, pause_token: str, now: datetime
) -> tuple[Pause, Subscription]:
    """Cancel a scheduled pause or resume an active one; Conflict for any other."""
    subscription = get_subscription(session, subscription_token, for_update=True)
    pause = find_pause(session, subscription.id, pause_token)
    if pause.status == PauseStatus.SCHEDULED:
        cancel_scheduled_pause(session, pause, subscription)
    elif pause.status == PauseStatus.ACTIVE:
        end_pause(session, pause, subscription, now, now)
    else:
        raise Conflict("The pause has already ended or was canceled.")
    return pause, subscription
