"""When a customer is erased: what the charges domain holds for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from service.charges.models import Charge, ChargeStatus

ERASED_KEY_PREFIX = "erased-"


def charge_tokens(session: Session, customer: str) -> list[str]:
    return [str(t) for t in session.scalars(select(Charge.id).where(Charge.customer == customer))]


def forget_processor_keys_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    """The processor keeps its PaymentIntents (Stripe never deletes them), each carrying its
    processor key: the settled charges of an erased customer forget theirs (and the hash of
    the caller's Idempotency-Key it was derived from), so no token leads to them. A charge
    still pending keeps its key until the reconciler settles it."""
    session.execute(
        update(Charge)
        .where(Charge.customer == customer, Charge.status != ChargeStatus.PENDING)
        .values(processor_key=literal(ERASED_KEY_PREFIX) + Charge.id, request_key=None)
        .execution_options(synchronize_session=False)
    )
