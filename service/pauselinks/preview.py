"""What a subscriber sees before deciding: the schedule from the pause engine as it is, with
the chosen pause in it, or with the running pause ended now. The same ``upcoming`` that
``GET /v1/subscriptions/{id}/upcoming`` runs, on the same inputs plus the one change asked
about, so the page promises exactly what the API will then show."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from service.access.policy import Limits, SubscriberPause
from service.core.errors import Conflict, PolicyViolation
from service.pauses.operations import plan_window, refuse_conflicts
from service.pauses.schemas import PauseWindowRequest
from service.subscriptions.models import Pause, PauseStatus, Subscription
from service.subscriptions.operations import ScheduleInputs, inputs_from
from service.subscriptions.schedule import PauseWindow, ResumeMode, ScheduledCharge, upcoming

# How many charges the page lists (``/upcoming?count=3`` lists the same ones).
SHOWN_CHARGES = 3
PREVIEW_PAUSE_ID = "pau_preview"


@dataclass(frozen=True)
class Outlook:
    charges: list[ScheduledCharge]
    starts_at: datetime | None = None
    resumes_at: datetime | None = None

    @property
    def next_charge(self) -> ScheduledCharge | None:
        """The first charge that takes money (skipped or fully credited ones take none)."""
        return next((c for c in self.charges if c.status == "scheduled" and c.amount_due > 0), None)

    @property
    def promise(self) -> str:
        """A digest of everything the page shows: the confirmation carries the one the
        subscriber saw, and nothing is done if the engine's answer has changed since."""
        shown = [self.starts_at, self.resumes_at] + [
            (c.due_at, c.amount_due, c.credit_applied, c.status) for c in self.charges
        ]
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


def _charges(
    inputs: ScheduleInputs, windows: list[PauseWindow], now: datetime
) -> list[ScheduledCharge]:
    return upcoming(
        inputs.calendar,
        inputs.amount,
        windows,
        now=now,
        count=SHOWN_CHARGES,
        cancel_at=inputs.cancel_at,
        charged_through=inputs.charged_through,
    )


def as_it_is(subscription: Subscription, pauses: list[Pause], now: datetime) -> Outlook:
    inputs = inputs_from(subscription, pauses)
    return Outlook(_charges(inputs, inputs.pauses, now))


def with_pause(
    subscription: Subscription,
    pauses: list[Pause],
    days: int,
    mode: str,
    policy: SubscriberPause,
    limits: Limits,
    now: datetime,
) -> Outlook:
    """The schedule if the subscriber confirms a pause of ``days`` in ``mode`` now."""
    if not policy.allows_days(days) or mode not in policy.modes:
        raise PolicyViolation("Choose one of the lengths and modes offered.")
    inputs = inputs_from(subscription, pauses)
    request = PauseWindowRequest(start=policy.start, days=days, resume_mode=mode)
    window = plan_window(request, inputs, limits, now)
    refuse_conflicts(subscription, window, pauses)
    assert window.ends_at is not None  # a length in days always ends
    planned = PauseWindow(PREVIEW_PAUSE_ID, window.starts_at, window.ends_at, ResumeMode(mode))
    charges = _charges(inputs, [*inputs.pauses, planned], now)
    return Outlook(charges, window.starts_at, window.ends_at)


def running_pause(pauses: list[Pause]) -> Pause | None:
    return next((p for p in pauses if p.status == PauseStatus.ACTIVE), None)


def with_resume(subscription: Subscription, pauses: list[Pause], now: datetime) -> Outlook:
    """The schedule if the running pause ends now (as ``POST …/resume`` would end it)."""
    active = running_pause(pauses)
    if active is None:
        raise Conflict("The subscription has no active pause.")
    inputs = inputs_from(subscription, pauses)
    windows = [w for w in inputs.pauses if w.id != active.id]
    ended_at = max(now, active.starts_at)
    if ended_at > active.starts_at:
        windows.append(
            PauseWindow(active.id, active.starts_at, ended_at, ResumeMode(active.resume_mode))
        )
    return Outlook(_charges(inputs, windows, now), active.starts_at, ended_at)
