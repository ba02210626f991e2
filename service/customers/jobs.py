"""The customers domain's job: deferred deletions at the payment processor are retried
(service/customers/processor_erasure.py keeps them when the processor or key service is down),
each after the erased customer's pending charges are settled by look-up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.core import hooks
from service.core.errors import ServiceError
from service.customers import sensitive
from service.customers.models import Customer, ProcessorErasure
from service.customers.processor_erasure import FIRST_RETRY, LONGEST_RETRY
from service.customers.vault import unseal
from service.jobs.registry import JobContext, lock_for_work

log = logging.getLogger("strongroom.customers")


def finish_processor_erasures(context: JobContext, now: datetime) -> int:
    """Each due deferred deletion: first the customer's pending charges are settled by
    look-up, in transactions of their own (the row's lock is let go meanwhile: SQLite's is the
    whole database's), then the processor's customer is deleted and the row with it. A failure
    backs off (1 min, doubling up to 6 h); so does a payment still processing, up to the
    policy's wait (``_settled``). Returns how many were finished."""
    finished = 0
    while True:
        with context.session_factory() as session:
            pending = _next_due(session, now)
            if pending is None:
                return finished
            customer = pending.customer
            try:
                ref = _processor_ref(context, pending)
            except ServiceError:
                _back_off(session, pending, now)
                continue
            erased_at = session.scalar(select(Customer.erased_at).where(Customer.id == customer))
            session.rollback()
            done = ref is None or _settled(context, customer, ref, erased_at or now, now)
            pending = _next_due(session, now, customer)
            if pending is None:
                continue  # another replica finished it meanwhile
            if not done:
                _back_off(session, pending, now)
                continue
            try:
                if ref is not None:
                    context.processor.delete_customer(ref)
            except ServiceError:
                _back_off(session, pending, now)
                continue
            session.delete(pending)
            context.app.audit.system(session, Action.JOB_PROCESSOR_ERASURE, [customer], at=now)
            session.commit()
            finished += 1


def _settled(
    context: JobContext, customer: str, ref: str, erased_at: datetime, now: datetime
) -> bool:
    """The customer's pending charges settled by look-up (False: not yet, or an outage).

    While the processor reports a payment still processing, the customer's payment methods are
    detached (the payment needs them no more) and the job waits — for
    ``limits.processor_erasure_max_wait_days`` after the erasure at most. Then it gives up: the
    charge is recorded ``failed`` with ``processor_outcome_unknown`` (its ``charge.failed``
    event says so too) under a ``jobs:charge:give_up`` audit event, and the processor's
    customer is deleted anyway. Waiting longer would keep an erased customer at the processor,
    and its reference here, for as long as the processor pleases; the payment goes on there
    without its customer (Stripe keeps PaymentIntents). So the give-up is also an ERROR naming
    the charges and a metric: should that payment still succeed, a refund is owed. Only the
    charges this run itself forced are reported (``hooks.GiveUp``): none when the payment
    finished between the look-ups, or when another replica gave up first."""
    give_up = hooks.GiveUp()
    try:
        if hooks.settled_before_processor_erasure(context, customer, ref, now):
            return True
        max_wait = timedelta(days=context.app.policy.limits.processor_erasure_max_wait_days)
        if now < erased_at + max_wait:
            context.processor.detach_payment_methods(ref)
            return False
        hooks.settled_before_processor_erasure(context, customer, ref, now, give_up=give_up)
    except ServiceError:
        return False
    finally:
        _report_give_up(context, give_up.forced, now - erased_at)
    return True


def _report_give_up(context: JobContext, forced: list[str], waited: timedelta) -> None:
    """The ERROR and the metric of a give-up, for the charges it recorded failed (charge
    tokens are no personal data; the customer's token and processor id are not logged)."""
    if not forced:
        return
    log.error(
        "processor erasure gave up waiting for a payment still processing: its charge is"
        " recorded failed (processor_outcome_unknown) and the processor's customer deleted"
        " anyway; check the payment there",
        extra={"waited_days": waited.days, "charges": forced},
    )
    context.app.metrics.processor_erasures_gave_up.inc()


def _next_due(
    session: Session, now: datetime, customer: str | None = None
) -> ProcessorErasure | None:
    query = select(ProcessorErasure).where(ProcessorErasure.next_attempt_at <= now)
    if customer is not None:
        query = query.where(ProcessorErasure.customer == customer)
    query = query.order_by(ProcessorErasure.next_attempt_at).limit(1)
    return session.scalars(lock_for_work(session, query)).first()


def _back_off(session: Session, pending: ProcessorErasure, now: datetime) -> None:
    pending.attempts += 1
    pending.next_attempt_at = now + min(FIRST_RETRY * 2 ** (pending.attempts - 1), LONGEST_RETRY)
    session.commit()
    log.warning("processor erasure deferred again", extra={"attempts": pending.attempts})


def _processor_ref(context: JobContext, pending: ProcessorErasure) -> str | None:
    key = context.key_service.unwrap_data_key(pending.wrapped_data_key)
    sealed = Customer(
        id=pending.customer,
        data_key_generation=pending.data_key_generation,
        processor_ref_ciphertext=pending.processor_ref_ciphertext,
    )
    refs = unseal(sealed, key, sensitive.PROCESSOR_REF)
    return str(refs["customer"]) if refs and refs.get("customer") else None
