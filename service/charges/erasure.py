"""When a customer is erased: what the charges domain holds for it.

A charge still ``pending`` when its customer is erased may have been paid: the service can die
after the processor took the money and before the outcome was recorded. Such a charge must
never be sent again (the customer asked to be forgotten), and must not be recorded ``failed``
blindly either (the books would disagree with the processor, and a refund owed would go
unnoticed). So, while the processor's customer reference is still known — before the processor's
customer is deleted, at the erasure or by the job that finishes a deferred one — each pending
charge is settled from a look-up only (``PaymentProcessor.find_charge``): what the processor did,
or ``failed`` with ``customer_erased`` when the request never reached it. A payment the processor
still reports processing when the erasure gives up waiting for it is recorded ``failed`` with
``processor_outcome_unknown`` instead (it may yet succeed there), under an audit event of its
own (``jobs:charge:give_up``) and its ``charge.failed`` event carrying that code.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.charges.models import (
    CUSTOMER_ERASED,
    PROCESSOR_OUTCOME_UNKNOWN,
    Charge,
    ChargeStatus,
)
from service.charges.recurring import charge_targets, deps_of
from service.charges.settle import call_processor, lock_charge, record_outcome
from service.core.hooks import GiveUp
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


class Settled(Enum):
    """What ``_settle_one`` did with one charge."""

    RECORDED = "recorded"  # settled from the look-up, or found settled already (by another)
    PROCESSING = "processing"  # still processing at the processor: left pending
    FORCED = "forced"  # still processing, recorded failed on giving up: outcome unknown


def settle_pending_by_lookup(
    context: JobContext,
    customer: str,
    processor_ref: str,
    now: datetime,
    give_up: GiveUp | None = None,
) -> bool:
    """Settle every pending charge of a customer being erased from what the processor did,
    each in a transaction of its own; never sends a charge. True when none is left pending;
    False when the processor still reports one as processing (the reference must be kept
    and this run again) — unless ``give_up`` (the erasure waited long enough): such a charge
    is then failed with ``processor_outcome_unknown`` and its token appended to
    ``give_up.forced`` once committed. A processor outage raises ``ProcessorFailed`` (the
    charges forced before it are in ``give_up.forced`` already)."""
    with context.session_factory() as session:
        pending = list(
            session.scalars(
                select(Charge.id)
                .where(Charge.customer == customer, Charge.status == ChargeStatus.PENDING)
                .order_by(Charge.created_at, Charge.id)
            )
        )
    done = True
    for charge_id in pending:
        settled = _settle_one(context, charge_id, processor_ref, now, give_up is not None)
        if settled is Settled.FORCED and give_up is not None:
            give_up.forced.append(charge_id)
        done = done and settled is not Settled.PROCESSING
    return done


def _settle_one(
    context: JobContext, charge_id: str, processor_ref: str, now: datetime, give_up: bool
) -> Settled:
    """One charge, locked across its look-up as ``settle`` locks it (``call_processor``).

    ``FORCED`` only for the charge this call itself moved from ``pending`` to ``failed``
    without the processor's outcome, decided under the row lock: one whose payment finished
    between the look-ups is recorded as the processor says, and one another replica settled
    first is not pending any more — neither is reported."""
    with context.session_factory() as session:
        charge = lock_charge(session, charge_id, wait=True)
        if charge is None or charge.status != ChargeStatus.PENDING:
            return Settled.RECORDED
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
            return Settled.RECORDED
        charge = still[charge_id]
        unfinished = outcome is not None and outcome.status == ChargeStatus.PENDING
        if unfinished and not give_up:
            session.rollback()
            return Settled.PROCESSING
        if unfinished:
            status, failure_code = ChargeStatus.FAILED, PROCESSOR_OUTCOME_UNKNOWN
        elif outcome is None:
            status, failure_code = ChargeStatus.FAILED, CUSTOMER_ERASED
        else:
            status, failure_code = outcome.status, outcome.failure_code
        record_outcome(session, deps_of(context), charge, status, failure_code, now)
        if customer_state(session, charge.customer) == "erased":
            # settled after the erasure (a deferred one): forget the key as the erasure did
            charge.processor_key = ERASED_KEY_PREFIX + charge.id
            charge.request_key = None
        action = Action.JOB_CHARGE_GIVE_UP if unfinished else Action.JOB_CHARGE_RECONCILE
        context.app.audit.system(session, action, charge_targets(charge), at=now)
        session.commit()
        return Settled.FORCED if unfinished else Settled.RECORDED
