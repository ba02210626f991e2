"""The errors of a subscription's timeline, each with the slug a bulk operation reports when
it skips a subscription for that reason (API.md: ``skipped: [{subscription, reason}]``).

A single pause answers the error; a bulk pause skips the subscription with ``skip_reason``:
one place defines both, so the two paths cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from service.core.errors import Conflict, PolicyViolation, ServiceError, ValidationFailed


class SkipReason(StrEnum):
    POLICY_VIOLATION = "policy_violation"
    NO_DUE_DATE = "no_due_date"
    OVERLAPPING_PAUSE = "overlapping_pause"
    CANCELED_BEFORE_START = "canceled_before_start"


class PauseOverlaps(Conflict):
    skip_reason = SkipReason.OVERLAPPING_PAUSE

    def __init__(self) -> None:
        super().__init__("The pause overlaps another scheduled or active pause.")


class EndsBeforePause(Conflict):
    skip_reason = SkipReason.CANCELED_BEFORE_START

    def __init__(self) -> None:
        super().__init__("The subscription ends before the pause would start.")


class NoUpcomingDueDate(Conflict):
    skip_reason = SkipReason.NO_DUE_DATE

    def __init__(self) -> None:
        super().__init__("The subscription has no upcoming due date.")


class TooFewDueDates(ValidationFailed):
    skip_reason = SkipReason.NO_DUE_DATE

    def __init__(self) -> None:
        super().__init__("cycles: the schedule ends before that many due dates.")


def skip_reason_of(error: ServiceError) -> SkipReason:
    """Why a bulk operation skips a subscription whose own pause would fail with ``error``."""
    reason = getattr(error, "skip_reason", None)
    if isinstance(reason, SkipReason):
        return reason
    if isinstance(error, PolicyViolation):
        return SkipReason.POLICY_VIOLATION
    # any other refusal of a per-subscription window: its schedule has no date to pause at
    return SkipReason.NO_DUE_DATE
