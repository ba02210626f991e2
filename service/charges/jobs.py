"""The charges domain's jobs: the reconciler first, then recurring charges and their retries."""

from __future__ import annotations

from datetime import datetime

from service.charges.reconcile import reconcile_pending
from service.charges.recurring import charge_due_periods, retry_failed_charges
from service.jobs.registry import JobContext


def reconcile_pending_charges(context: JobContext, now: datetime) -> int:
    return reconcile_pending(context, now)


def charge_recurring(context: JobContext, now: datetime) -> int:
    return charge_due_periods(context, now) + retry_failed_charges(context, now)
