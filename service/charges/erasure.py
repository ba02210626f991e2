"""When a customer is erased: what the charges domain holds for it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.charges.models import Charge
from service.core.hooks import owned_tokens


@owned_tokens
def charge_tokens(session: Session, customer: str) -> list[str]:
    return [str(t) for t in session.scalars(select(Charge.id).where(Charge.customer == customer))]
