"""Audit events for charges the service makes itself (actor and role ``system``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.app.context import AppContext
from service.audit.recorder import SYSTEM_ACTOR, AuditRecord, append_event
from service.charges.models import Charge


def audit_charge(
    session: Session, app: AppContext, action: str, charge: Charge, now: datetime
) -> None:
    """The last statement before the commit: it locks the audit chain's head."""
    targets = [charge.id, charge.customer]
    if charge.subscription is not None:
        targets.append(charge.subscription)
    append_event(
        session,
        AuditRecord(action=action, actor=SYSTEM_ACTOR, role=SYSTEM_ACTOR, targets=targets),
        at=now,
        status=None,
    )
