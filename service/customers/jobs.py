"""The customers domain's job: deferred deletions at the payment processor are retried
(service/customers/processor_erasure.py keeps them when the processor or key service is down)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from service.access.actions import Action
from service.core.errors import ServiceError
from service.customers import sensitive
from service.customers.models import Customer, ProcessorErasure
from service.customers.processor_erasure import FIRST_RETRY, LONGEST_RETRY
from service.customers.vault import unseal
from service.jobs.registry import JobContext, lock_for_work

log = logging.getLogger("strongroom.customers")


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
