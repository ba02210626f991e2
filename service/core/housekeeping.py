"""Housekeeping job: expired idempotency keys (kept 24 hours) are purged."""

from __future__ import annotations

from datetime import datetime

from service.core.idempotency import purge_expired
from service.jobs.registry import JobContext, register_job


@register_job("idempotency-expiry", order=900)
def expire_idempotency_keys(context: JobContext, now: datetime) -> int:
    with context.session_factory() as session:
        purged = purge_expired(session, now)
        session.commit()
    return purged
