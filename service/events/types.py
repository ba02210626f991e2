"""The notification types internal services can subscribe to."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    CHARGE_UPCOMING = "charge.upcoming"
    PAUSE_SCHEDULED = "pause.scheduled"
    PAUSE_STARTED = "pause.started"
    PAUSE_ENDING = "pause.ending"
    PAUSE_ENDED = "pause.ended"
    CHARGE_SUCCEEDED = "charge.succeeded"
    CHARGE_FAILED = "charge.failed"
    CUSTOMER_ERASED = "customer.erased"
