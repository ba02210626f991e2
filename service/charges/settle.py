"""Sending a recorded charge to the processor and recording what it did.

On PostgreSQL whoever sends a charge holds its row lock from before the processor call until
the outcome commits: a second sender (another request, a replica's job, the reconciler)
either waits and then finds the charge settled, or skips it. Only one process at a time ever
sends a given ``processor_key``, which the Stripe adapter needs (its look-up-then-create is not
atomic across processes); the server releases the lock if the sender dies, so the reconciler
can take the charge over after a crash. SQLite serves one process: see ``settle``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

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
from service.charges.retries import after_recurring_outcome, after_recurring_outcomes
from service.core.errors import Gone, ValidationFailed
from service.customers.models import Customer
from service.customers.operations import (
    CustomerState,
    PaymentRefs,
    awaits_processor_erasure,
    customer_state,
    live_customers,
    payment_refs,
    refs_of,
)
from service.events.outbox import emit, emit_many
from service.events.types import EventType
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor

T = TypeVar("T")


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


def lock_pending(session: Session, charge_ids: Sequence[str], *, wait: bool) -> list[Charge]:
    """The charges still ``pending`` among ``charge_ids``, locked for this transaction
    (PostgreSQL; those another sender holds are skipped unless ``wait``), in id order."""
    query = (
        select(Charge)
        .where(Charge.id.in_(charge_ids))
        .order_by(Charge.id)
        .execution_options(populate_existing=True)
    )
    if holds_row_locks(session):
        query = query.with_for_update(skip_locked=not wait)
    return [c for c in session.scalars(query) if c.status == ChargeStatus.PENDING]


def call_processor(
    session: Session, locked: Sequence[Charge], call: Callable[[], T]
) -> tuple[T, dict[str, Charge]]:
    """Run ``call`` (the processor calls for the ``pending`` charges ``locked`` in ``session``)
    and return its result with those of the charges still ``pending`` afterwards, locked, by
    id: only their outcomes may be recorded.

    PostgreSQL: the row locks stay held across the call, so across replicas one sender at a
    time per charge. SQLite: its lock is the whole database's write lock, which must not wait
    on a processor (every request would queue behind it): the read is ended before the call
    (nothing was written) and the charges locked and checked again after it. Within one
    process the adapter makes concurrent calls for one key take turns, and a re-send returns
    the first outcome, so this is exact for the single process SQLite serves."""
    if holds_row_locks(session):
        return call(), {charge.id: charge for charge in locked}
    ids = [charge.id for charge in locked]
    session.rollback()  # nothing was written: this only ends the read (and its lock)
    result = call()
    return result, {charge.id: charge for charge in lock_pending(session, ids, wait=True)}


def refs_or_failure(session: Session, deps: ChargeDeps, customer: str) -> PaymentRefs | str:
    """The customer's processor refs, or the failure code of a charge that cannot be sent."""
    try:
        return payment_refs(session, deps.key_service, deps.cache, customer)
    except Gone:
        return CUSTOMER_ERASED
    except ValidationFailed:
        return NO_PAYMENT_METHOD


def refs_or_failures(
    session: Session, deps: ChargeDeps, customers: Iterable[str]
) -> dict[str, PaymentRefs | str]:
    """``refs_or_failure`` of many customers: one statement, one unwrap of the data keys not
    cached. A token naming no live customer gets ``CUSTOMER_ERASED`` (customers are never
    deleted, only erased)."""
    wanted = set(customers)
    live = live_customers(session, deps.key_service, deps.cache, wanted)
    found: dict[str, PaymentRefs | str] = {}
    for token in sorted(wanted):
        customer = live.get(token)
        if customer is None:
            found[token] = CUSTOMER_ERASED
            continue
        try:
            found[token] = refs_of(customer, deps.key_service, deps.cache)
        except Gone:
            found[token] = CUSTOMER_ERASED
        except ValidationFailed:
            found[token] = NO_PAYMENT_METHOD
    return found


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

    The processor is called as ``call_processor`` calls it: on PostgreSQL with the row lock
    held, on SQLite outside the write lock, the outcome recorded only if still ``pending``.
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
    outcome, still = call_processor(session, [charge], lambda: deps.processor.charge(**request))
    if charge_id not in still:
        return session.get(Charge, charge_id), False
    charge = still[charge_id]
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


def record_outcomes(
    session: Session,
    deps: ChargeDeps,
    outcomes: Sequence[tuple[Charge, str, str | None]],
    now: datetime,
) -> list[Charge]:
    """``record_outcome`` for a batch of (charge, status, failure code): the events of each
    type written together, the recurring ones' subscriptions locked and updated together.
    Returns the charges whose outcome was recorded (a ``pending`` one is not)."""
    recorded: list[Charge] = []
    for charge, status, failure_code in outcomes:
        if status == ChargeStatus.PENDING:
            continue
        charge.status = status
        charge.failure_code = (
            (failure_code or "declined") if status == ChargeStatus.FAILED else None
        )
        charge.settled_at = now
        recorded.append(charge)
    for status in (ChargeStatus.SUCCEEDED, ChargeStatus.FAILED):
        of_status = [event_data(c) for c in recorded if c.status == status]
        if of_status:
            emit_many(session, _event_type(status), of_status, now)
    recurring = [c for c in recorded if c.kind == ChargeKind.RECURRING]
    after_recurring_outcomes(session, recurring, deps.policy.limits.charge_retry_hours, now)
    session.flush()
    return recorded


def customer_states(session: Session, customers: Iterable[str]) -> dict[str, CustomerState]:
    """``customer_state`` of many customers in one statement (unknown tokens left out)."""
    wanted = sorted(set(customers))
    if not wanted:
        return {}
    rows = session.execute(select(Customer.id, Customer.erased_at).where(Customer.id.in_(wanted)))
    return {token: "active" if erased_at is None else "erased" for token, erased_at in rows}


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
