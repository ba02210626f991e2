"""When a customer is erased: what the charges domain holds for it.

A charge still ``pending`` when its customer is erased may have been paid: the service can die
after the processor took the money and before the outcome was recorded. Such a charge must
never be sent again (the customer asked to be forgotten), and must not be recorded ``failed``
blindly either (the books would disagree with the processor, and a refund owed would go
unnoticed). So, while the processor's customer reference is still known — before the processor's
customer is deleted, at the erasure or by the job that finishes a deferred one — each pending
charge is settled from a look-up only (``PaymentProcessor.find_charge``): what the processor did,
or ``failed`` with ``customer_erased`` when the request never reached it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.charges.models import CUSTOMER_ERASED, Charge, ChargeStatus
from service.charges.recurring import charge_targets, deps_of
from service.charges.settle import call_processor, lock_charge, record_outcome
from service.customers.operations import customer_state
from service.jobs.registry import JobContext

ERASED_KEY_PREFIX = "erased-"


def charge_tokens(session: Session, customer: str) -> list[str]:
    return [str(t) for t in session.scalars(select(Charge.id).where(Charge.customer == customer))]


def forget_processor_keys_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    """The processor keeps its PaymentIntents (Stripe never deletes them), each carrying its
    processor key: the settled charges of an erased customer forget theirs (and the hash of
    the caller's Idempotency-Key it was derived from), so no token leads to them. A charge
    still pending keeps its key until it is settled by look-up (``settle_pending_by_lookup``),
    which then forgets it."""
    session.execute(
        update(Charge)
        .where(Charge.customer == customer, Charge.status != ChargeStatus.PENDING)
        .values(processor_key=literal(ERASED_KEY_PREFIX) + Charge.id, request_key=None)
        .execution_options(synchronize_session=False)
    )


def settle_pending_by_lookup(
    context: JobContext, customer: str, processor_ref: str, now: datetime, give_up: bool = False
) -> bool:
    """Settle every pending charge of a customer being erased from what the processor did,
    each in a transaction of its own; never sends a charge. True when none is left pending;
    False when the processor still reports one as processing (the reference must be kept
    and this run again) — unless ``give_up`` (the erasure waited long enough): such a charge
    is then failed with ``customer_erased``, like one the processor never had. A processor
    outage raises ``ProcessorFailed``."""
    with context.session_factory() as session:
        pending = list(
            session.scalars(
                select(Charge.id)
                .where(Charge.customer == customer, Charge.status == ChargeStatus.PENDING)
                .order_by(Charge.created_at, Charge.id)
            )
        )
    settled = [
        _settle_one(context, charge_id, processor_ref, now, give_up) for charge_id in pending
    ]
    return all(settled)


def _settle_one(
    context: JobContext, charge_id: str, processor_ref: str, now: datetime, give_up: bool
) -> bool:
    """One charge, locked across its look-up as ``settle`` locks it (``call_processor``)."""
    with context.session_factory() as session:
        charge = lock_charge(session, charge_id, wait=True)
        if charge is None or charge.status != ChargeStatus.PENDING:
            return True
        request = {
            "customer_ref": processor_ref,
            "amount": charge.amount,
            "currency": charge.currency,
            "idempotency_key": charge.processor_key,
        }
        outcome, still = call_processor(
            session, [charge], lambda: context.processor.find_charge(**request)
        )
        if charge_id not in still:
            return True
        charge = still[charge_id]
        unfinished = outcome is not None and outcome.status == ChargeStatus.PENDING
        if unfinished and not give_up:
            session.rollback()
            return False
        if outcome is None or unfinished:
            status, failure_code = ChargeStatus.FAILED, CUSTOMER_ERASED
        else:
            status, failure_code = outcome.status, outcome.failure_code
        record_outcome(session, deps_of(context), charge, status, failure_code, now)
        if customer_state(session, charge.customer) == "erased":
            # settled after the erasure (a deferred one): forget the key as the erasure did
            charge.processor_key = ERASED_KEY_PREFIX + charge.id
            charge.request_key = None
        context.app.audit.system(
            session, Action.JOB_CHARGE_RECONCILE, charge_targets(charge), at=now
        )
        session.commit()
        return True
