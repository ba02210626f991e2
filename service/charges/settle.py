"""Sending a recorded charge to the processor and recording what it did.

On PostgreSQL whoever sends a charge holds its row lock from before the processor call until
the outcome commits: a second sender (another request, a replica's job, the reconciler)
either waits and then finds the charge settled, or skips it. Only one process at a time ever
sends a given ``processor_key``, which the Stripe adapter needs (its look-up-then-create is not
atomic across processes); the server releases the lock if the sender dies, so the reconciler
can take the charge over after a crash. SQLite serves one process: see ``settle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.policy import Policy
from service.charges.models import (
    CUSTOMER_ERASED,
    NO_PAYMENT_METHOD,
    Charge,
    ChargeKind,
    ChargeStatus,
)
from service.charges.retries import after_recurring_outcome
from service.core.errors import Gone, ValidationFailed
from service.customers.operations import (
    PaymentRefs,
    awaits_processor_erasure,
    customer_state,
    payment_refs,
)
from service.events.outbox import emit
from service.events.types import EventType
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor


@dataclass(frozen=True)
class ChargeDeps:
    """The collaborators every charge path needs."""

    processor: PaymentProcessor
    key_service: KeyService
    cache: DataKeyCache
    policy: Policy


def lock_charge(session: Session, charge_id: str, *, wait: bool) -> Charge | None:
    """The charge, locked for this transaction; None when another sender holds it
    (``wait=False``, PostgreSQL only: SQLite's write lock is always waited for)."""
    query = select(Charge).where(Charge.id == charge_id).execution_options(populate_existing=True)
    if holds_row_locks(session):
        query = query.with_for_update(skip_locked=not wait)
    return session.execute(query).scalar_one_or_none()


def holds_row_locks(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def refs_or_failure(session: Session, deps: ChargeDeps, customer: str) -> PaymentRefs | str:
    """The customer's processor refs, or the failure code of a charge that cannot be sent."""
    try:
        return payment_refs(session, deps.key_service, deps.cache, customer)
    except Gone:
        return CUSTOMER_ERASED
    except ValidationFailed:
        return NO_PAYMENT_METHOD


def settle(
    session: Session,
    deps: ChargeDeps,
    charge_id: str,
    now: datetime,
    refs: PaymentRefs | None = None,
    *,
    wait: bool = True,
    recorder: bool = False,
) -> tuple[Charge | None, bool]:
    """Send a ``pending`` charge with its own processor key and record the outcome in
    ``session`` (the caller adds its audit event and commits).

    Returns the charge (settled, or still ``pending`` if the processor says so; None when
    another sender holds it, ``wait=False``) and whether this call recorded its outcome. A
    processor outage raises ``ProcessorFailed``: the caller rolls back and the charge stays
    ``pending`` for the reconciler.

    ``recorder``: the caller recorded the charge with ``send_attempts`` 1 and sends it now for
    the first time. If the locked row still shows 1, no other sender started (each commits an
    increment first, ``start_send``), so the processor need not look for an earlier payment
    (PostgreSQL only, where that lock is held across the call).

    PostgreSQL: the row lock is held across the processor call, so across replicas one sender
    at a time. SQLite: its lock is the whole database's write lock, which must not wait on a
    processor (every request would queue behind it); the charge is read, the transaction
    ended, the processor called, and the outcome recorded if the charge is still pending.
    Within one process the adapter makes concurrent sends of one key take turns, and a re-send
    returns the first outcome, so this is exact for the single process SQLite serves.
    """
    charge = lock_charge(session, charge_id, wait=wait)
    if charge is None or charge.status != ChargeStatus.PENDING:
        return charge, False
    if refs is None:
        found: PaymentRefs | str = refs_or_failure(session, deps, charge.customer)
    elif customer_state(session, charge.customer) != "active":
        # refs read earlier for a whole batch: the customer may have been erased since (and
        # the processor's copy of it not yet deleted, if that deletion was deferred)
        found = CUSTOMER_ERASED
    else:
        found = refs
    if found == CUSTOMER_ERASED and awaits_processor_erasure(session, charge.customer):
        # Its processor reference is kept for the job that settles it by look-up (this charge
        # may have been paid before the erasure): it is neither sent nor failed here.
        return charge, False
    if isinstance(found, str):
        record_outcome(session, deps, charge, ChargeStatus.FAILED, found, now)
        return charge, True
    request: dict[str, Any] = {
        "customer_ref": found.processor_customer,
        "payment_method_ref": found.payment_method,
        "amount": charge.amount,
        "currency": charge.currency,
        "idempotency_key": charge.processor_key,
        # SQLite ends its read before the call (see below): only a held row lock makes the
        # count still true when the processor is asked.
        "first_send": recorder and holds_row_locks(session) and charge.send_attempts == 1,
    }
    if not holds_row_locks(session):
        session.rollback()  # nothing was written: this only ends the read (and its lock)
    outcome = deps.processor.charge(**request)
    if not holds_row_locks(session):
        charge = lock_charge(session, charge_id, wait=True)
        if charge is None or charge.status != ChargeStatus.PENDING:
            return charge, False
    record_outcome(session, deps, charge, outcome.status, outcome.failure_code, now)
    return charge, outcome.status != ChargeStatus.PENDING


def start_send(session: Session, charge_id: str) -> bool:
    """For a sender that did not record the charge (the reconciler): count this send in a
    commit of its own before the processor call, so that the recorder's send, if it comes
    later, looks for this one's payment. False when the charge is taken or settled."""
    charge = lock_charge(session, charge_id, wait=False)
    if charge is None or charge.status != ChargeStatus.PENDING:
        session.rollback()
        return False
    charge.send_attempts += 1
    session.commit()
    return True


def record_outcome(
    session: Session,
    deps: ChargeDeps,
    charge: Charge,
    status: str,
    failure_code: str | None,
    now: datetime,
) -> None:
    """Record a final outcome with its event (a ``pending`` one changes nothing)."""
    if status == ChargeStatus.PENDING:
        return
    charge.status = status
    charge.failure_code = (failure_code or "declined") if status == ChargeStatus.FAILED else None
    charge.settled_at = now
    emit(session, _event_type(status), event_data(charge), now)
    if charge.kind == ChargeKind.RECURRING:
        after_recurring_outcome(session, charge, deps.policy.limits.charge_retry_hours, now)
    session.flush()


def event_data(charge: Charge) -> dict[str, Any]:
    """Tokens and amounts only."""
    return {
        "charge": charge.id,
        "subscription": charge.subscription,
        "customer": charge.customer,
        "amount": charge.amount,
        "currency": charge.currency,
        "failure_code": charge.failure_code,
    }


def _event_type(status: str) -> EventType:
    if status == ChargeStatus.SUCCEEDED:
        return EventType.CHARGE_SUCCEEDED
    return EventType.CHARGE_FAILED
