"""Erasure at the payment processor: its customer and payment methods are deleted when ours is.

The processor's customer id is sealed under the customer's data key, which the erasure
destroys. So the deletion runs first, synchronously. When the key service or the processor is
down, the erasure does not wait (the right to be forgotten is not suspended by an outage):
everything is shredded at once except the processor reference, kept in ``processor_erasures``
until the job (service/customers/jobs.py) has deleted the processor's customer — then that row
goes too. The kept reference is sealed under a data key of its own; only while the key service
itself is down (nothing can be re-sealed) does the row keep the customer's wrapped key instead.

The same row lets the job settle the customer's charges left ``pending`` (paid or not at the
processor: service/charges/erasure.py) by look-up before the deletion. Keeping it that long keeps
erasure's promise: the processor's customer id is pseudonymous payment metadata, not personal data
Strongroom can read — it opens none of the customer's ciphertexts (their key is destroyed at once),
it is sealed and never logged, and it goes as soon as the processor's copy does. Without it a
charge the processor did take could only be guessed ``failed``, and a refund owed would go unseen.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.core.errors import KeyServiceUnavailable
from service.customers import sensitive
from service.customers.models import Customer, ProcessorErasure
from service.customers.vault import data_key, seal, unseal
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService

log = logging.getLogger("strongroom.customers")

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


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
