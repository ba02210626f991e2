"""The reconciler: ``pending`` charges left by a crash, an outage or a lost answer are sent
again with their own processor key, which returns the first outcome if the processor has one
(the Stripe adapter finds the earlier payment by that key) and charges only if it has none.

It runs as a job before the recurring charges, so also on the scheduler's first pass at
start-up. A charge another process is sending right now is locked and skipped (PostgreSQL) or
waited for (SQLite's write lock), then found settled: only one process ever sends a key.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.app.context import AppContext
from service.charges.models import Charge, ChargeStatus
from service.charges.sending import charge_targets, deps_of
from service.charges.settle import settle, start_send
from service.core.errors import ProcessorFailed
from service.customers.models import ProcessorErasure
from service.jobs.registry import JobContext

log = logging.getLogger("strongroom.charges")

BATCH = 100


def reconcile_pending(context: JobContext, now: datetime) -> int:
    """Settle every pending charge the processor can answer for; returns how many were settled.

    Stops at the first processor failure (the rest wait for the next pass), and between
    charges when the process is shutting down."""
    with context.session_factory() as session:
        pending = _pending_ids(session)
    settled = 0
    for charge_id in pending:
        if context.stopping.is_set():
            return settled
        with context.session_factory() as session:
            if not start_send(session, charge_id):
                continue
            try:
                charge, recorded = settle(session, deps_of(context), charge_id, now, wait=False)
            except ProcessorFailed:
                session.rollback()
                log.warning("processor unavailable; pending charges wait for the next pass")
                return settled
            if charge is None or not recorded:
                session.rollback()
                continue
            context.app.audit.system(
                session, Action.JOB_CHARGE_RECONCILE, charge_targets(charge), at=now
            )
            session.commit()
            settled += 1
    return settled


def _pending_ids(session: Session) -> list[str]:
    """The oldest pending charges, but not those of an erased customer whose processor side
    waits for its job (that job settles them by look-up; picked here, they would crowd out the
    charges this pass can settle)."""
    waiting_for_erasure = select(ProcessorErasure.customer).where(
        ProcessorErasure.customer == Charge.customer
    )
    rows = session.execute(
        select(Charge.id)
        .where(Charge.status == ChargeStatus.PENDING, ~waiting_for_erasure.exists())
        .order_by(Charge.created_at, Charge.id)
        .limit(BATCH)
    )
    return [row[0] for row in rows]


def reconcile_at_start(app: AppContext) -> int:
    """For a replica's start-up, before it serves: settle what a crash left pending.

    The background scheduler's first pass does the same; this is for runs without it."""
    return reconcile_pending(JobContext(app), app.clock.now())
