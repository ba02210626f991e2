"""Erasure at the payment processor: its customer and payment methods are deleted when ours is.

The processor's customer id is sealed under the customer's data key, which the erasure
destroys. So the deletion runs first, synchronously. When the key service or the processor is
down, the erasure does not wait (the right to be forgotten is not suspended by an outage):
everything is shredded at once except the processor reference, kept in ``processor_erasures``
until the job below has deleted the processor's customer — then that row goes too. The kept
reference is sealed under a data key of its own; only while the key service itself is down
(nothing can be re-sealed) does the row keep the customer's wrapped key instead.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.access.actions import Action
from service.core.errors import KeyServiceUnavailable, ProcessorFailed, ServiceError
from service.customers import sensitive
from service.customers.models import Customer, ProcessorErasure
from service.customers.vault import data_key, seal, unseal
from service.jobs.registry import JobContext, lock_for_work, register_job
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor

log = logging.getLogger("strongroom.customers")

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def erase_at_processor(
    factory: sessionmaker[Session],
    key_service: KeyService,
    processor: PaymentProcessor,
    cache: DataKeyCache,
    token: str,
) -> bool:
    """Delete the customer at the processor now. True when done (or it has none there);
    False when an outage defers it to the job. Read in a short session of its own, so no lock
    is held while the processor answers. NotFound and Gone propagate as usual."""
    from service.customers.service import processor_customer_ref

    try:
        with factory() as session:
            ref = processor_customer_ref(session, key_service, cache, token)
        if ref is not None:
            processor.delete_customer(ref)
    except (KeyServiceUnavailable, ProcessorFailed):
        return False
    return True


def keep_for_processor(
    session: Session,
    customer: Customer,
    now: datetime,
    key_service: KeyService | None = None,
    cache: DataKeyCache | None = None,
) -> None:
    """Before the shredding: keep what the deferred processor deletion needs, sealed.

    When the key service answers (only the processor is down), the processor reference is
    opened and sealed again under a fresh data key of its own: the customer's key is destroyed
    with everything else, so no backup of the customer's ciphertexts can be opened with what
    this row keeps. Only when the key service itself is down is the customer's wrapped key
    kept (it cannot be unwrapped to re-seal) until the job has finished."""
    if customer.processor_ref_ciphertext is None or customer.wrapped_data_key is None:
        return
    row = ProcessorErasure(
        customer=customer.id,
        wrapped_data_key=customer.wrapped_data_key,
        key_version=customer.key_version,
        data_key_generation=customer.data_key_generation,
        processor_ref_ciphertext=customer.processor_ref_ciphertext,
        attempts=0,
        next_attempt_at=now,
    )
    if key_service is not None:
        try:
            _reseal_under_own_key(row, customer, key_service, cache or DataKeyCache())
        except KeyServiceUnavailable:
            log.warning("processor erasure keeps the customer's wrapped key: key service down")
    session.add(row)


def _reseal_under_own_key(
    row: ProcessorErasure, customer: Customer, key_service: KeyService, cache: DataKeyCache
) -> None:
    refs = unseal(customer, data_key(customer, key_service, cache), sensitive.PROCESSOR_REF)
    fresh = key_service.generate_data_key()
    holder = Customer(
        id=customer.id,
        data_key_generation=customer.data_key_generation,
        processor_ref_ciphertext=None,
    )
    seal(holder, fresh.plaintext, sensitive.PROCESSOR_REF, refs)
    row.wrapped_data_key = fresh.wrapped
    row.key_version = fresh.version
    row.processor_ref_ciphertext = holder.processor_ref_ciphertext


@register_job("customers-processor-erasure", order=50)
def finish_processor_erasures(context: JobContext, now: datetime) -> int:
    """Each due deferred deletion in its own transaction; a failure backs off (1 min, doubling
    up to 6 h). Returns how many were finished."""
    finished = 0
    while True:
        with context.session_factory() as session:
            pending = session.scalars(
                lock_for_work(
                    session,
                    select(ProcessorErasure)
                    .where(ProcessorErasure.next_attempt_at <= now)
                    .order_by(ProcessorErasure.next_attempt_at)
                    .limit(1),
                )
            ).first()
            if pending is None:
                return finished
            try:
                _delete_at_processor(context, pending)
            except ServiceError:
                pending.attempts += 1
                pending.next_attempt_at = now + min(
                    FIRST_RETRY * 2 ** (pending.attempts - 1), LONGEST_RETRY
                )
                session.commit()
                log.warning(
                    "processor erasure deferred again", extra={"attempts": pending.attempts}
                )
                continue
            session.delete(pending)
            context.app.audit.system(
                session, Action.JOB_PROCESSOR_ERASURE, [pending.customer], at=now
            )
            session.commit()
            finished += 1


def _delete_at_processor(context: JobContext, pending: ProcessorErasure) -> None:
    key = context.key_service.unwrap_data_key(pending.wrapped_data_key)
    sealed = Customer(
        id=pending.customer,
        data_key_generation=pending.data_key_generation,
        processor_ref_ciphertext=pending.processor_ref_ciphertext,
    )
    refs = unseal(sealed, key, sensitive.PROCESSOR_REF)
    if refs and refs.get("customer"):
        context.processor.delete_customer(str(refs["customer"]))
