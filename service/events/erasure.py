"""``customer.erased``: internal services learn that a token now names nobody."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.events.outbox import emit
from service.events.types import EventType


def announce_erasure(session: Session, customer: str, at: datetime) -> None:
    emit(session, EventType.CUSTOMER_ERASED, {"customer": customer}, at)
