"""Housekeeping jobs: expired idempotency keys (kept 24 hours) and old rate counters are purged."""

from __future__ import annotations

from datetime import datetime

from service.idempotency.claims import purge_expired
from service.jobs.registry import JobContext, register_job


@register_job("idempotency-expiry", order=900)
def expire_idempotency_keys(context: JobContext, now: datetime) -> int:
    with context.session_factory() as session:
        purged = purge_expired(session, now)
        session.commit()
    return purged


@register_job("rate-counter-expiry", order=910)
def expire_rate_counters(context: JobContext, now: datetime) -> int:
    # Counters live on wall-clock minutes whatever the service's clock says (a test clock
    # moved a year ahead must not purge the minute in progress). Not counted as work: it
    # never makes other jobs due.
    context.app.rate_limiter.purge()
    return 0
