"""Single pauses: create, read, resume, cancel.

Functions take the session and their collaborators as arguments; they flush, never commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.policy import Limits
from service.core.errors import Conflict, NotFound, PolicyViolation, ValidationFailed
from service.pauses.schemas import PauseCreate, PauseWindowRequest
from service.subscriptions.errors import EndsBeforePause, PauseOverlaps, TooFewDueDates
from service.subscriptions.models import (
    PAUSE_ID_PREFIX,
    Pause,
    PauseStatus,
    Subscription,
    SubscriptionStatus,
)
from service.subscriptions.operations import ScheduleInputs, get_subscription, period_end
from service.subscriptions.schedule import nth_due_after
from service.subscriptions.timeline import (
    CANCELED_BEFORE_START,
    OVERLAPPING_PAUSE,
    PlannedWindow,
    Timeline,
    Timelines,
    conflict,
)


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


CONFLICTS: dict[str, type[PauseOverlaps | EndsBeforePause]] = {
    OVERLAPPING_PAUSE: PauseOverlaps,
    CANCELED_BEFORE_START: EndsBeforePause,
}


def refuse_conflicts(
    subscription: Subscription, window: PlannedWindow, pauses: list[Pause]
) -> None:
    """Conflict when the window overlaps a live pause or starts after the subscription ends."""
    reason = conflict(subscription, pauses, window)
    if reason is not None:
        raise CONFLICTS[reason]()


def timeline_of(session: Session, subscription_token: str) -> tuple[Timelines, Timeline]:
    """The subscription to act on, locked, with its pauses (NotFound, Gone as
    ``get_subscription``)."""
    subscription = get_subscription(session, subscription_token, for_update=True)
    timelines = Timelines.of(session, [subscription])
    return timelines, timelines[subscription.id]


def create_pause(
    session: Session,
    subscription_token: str,
    request: PauseCreate,
    limits: Limits,
    created_by: str,
    now: datetime,
) -> tuple[Pause, Subscription]:
    """The new pause, and its subscription (whose customer the caller names in the audit)."""
    timelines, timeline = timeline_of(session, subscription_token)
    subscription = timeline.subscription
    if subscription.status == SubscriptionStatus.CANCELED:
        raise Conflict("The subscription is canceled.")
    window = plan_window(request, timeline.inputs(), limits, now)
    refuse_conflicts(subscription, window, timeline.pauses)
    pause = timeline.add_pause(
        window, request.resume_mode, pause_id=new_pause_token(), created_by=created_by, now=now
    )
    timelines.save()
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
    timelines, timeline = timeline_of(session, subscription_token)
    active = timeline.active()
    if active is None:
        raise Conflict("The subscription has no active pause.")
    timeline.end_pause(active, now, now)
    timelines.save()
    return active, timeline.subscription


def cancel_pause(
    session: Session, subscription_token: str, pause_token: str, now: datetime
) -> tuple[Pause, Subscription]:
    """Cancel a scheduled pause or resume an active one; Conflict for any other."""
    timelines, timeline = timeline_of(session, subscription_token)
    pause = timeline.find(pause_token) or find_pause(session, subscription_token, pause_token)
    if pause.status == PauseStatus.SCHEDULED:
        timeline.cancel_pause(pause)
    elif pause.status == PauseStatus.ACTIVE:
        timeline.end_pause(pause, now, now)
    else:
        raise Conflict("The pause has already ended or was canceled.")
    timelines.save()
    return pause, timeline.subscription
