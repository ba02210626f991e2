"""A pause's reason: redacted, then sealed under the customer's data key (a single pause) or
under the bulk operation's own data key (every pause of a bulk), and opened for the views.

Erasure shreds a single pause's reason with the customer's key (and empties the column); the
audit holds only :func:`service.customers.free_text.for_audit` of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.customers import free_text
from service.keys.cache import DataKeyCache
from service.keys.envelope import decrypt_field, encrypt_field
from service.keys.port import KeyService
from service.subscriptions.models import BulkOperation, Pause, Subscription
from service.subscriptions.operations import PauseRecord

PAUSES_TABLE = "pauses"
BULK_TABLE = "bulk_operations"
REASON_COLUMN = "reason_ciphertext"
# A bulk operation's data key is never replaced: its ciphertext is bound to generation 1.
BULK_KEY_GENERATION = 1


def _pause_place(pause_id: str) -> free_text.Place:
    return free_text.Place(PAUSES_TABLE, REASON_COLUMN, pause_id)


def seal_pause_reason(
    session: Session,
    key_service: KeyService,
    cache: DataKeyCache,
    pause: Pause,
    customer: str,
    reason: str | None,
) -> None:
    if reason is None:
        return
    key = free_text.customer_keys(session, key_service, cache, [customer])[customer]
    pause.reason_ciphertext = free_text.seal(
        key, _pause_place(pause.id), free_text.redacted(reason)
    )
    session.flush()


def seal_bulk_reason(
    session: Session, key_service: KeyService, cache: DataKeyCache, bulk_id: str, reason: str | None
) -> None:
    if reason is None:
        return
    key = key_service.generate_data_key()
    cache.put(key.wrapped, key.plaintext)
    session.execute(
        update(BulkOperation)
        .where(BulkOperation.id == bulk_id)
        .values(
            wrapped_key=key.wrapped,
            key_version=key.version,
            reason_ciphertext=encrypt_field(
                key.plaintext,
                free_text.redacted(reason).encode("utf-8"),
                table=BULK_TABLE,
                column=REASON_COLUMN,
                record_id=bulk_id,
                key_version=BULK_KEY_GENERATION,
            ),
        )
    )


def reasons_of(
    session: Session, key_service: KeyService, cache: DataKeyCache, pauses: Sequence[PauseRecord]
) -> dict[str, str | None]:
    """Each pause's clear reason (None when it has none or its customer was erased)."""
    result: dict[str, str | None] = {pause.id: None for pause in pauses}
    own = [pause for pause in pauses if pause.reason_ciphertext is not None]
    if own:
        customers = dict(
            session.execute(
                select(Subscription.id, Subscription.customer).where(
                    Subscription.id.in_({pause.subscription for pause in own})
                )
            ).all()
        )
        keys = free_text.customer_keys(session, key_service, cache, customers.values())
        for pause in own:
            key = keys.get(customers.get(pause.subscription, ""))
            result[pause.id] = free_text.open_sealed(
                key, _pause_place(pause.id), pause.reason_ciphertext
            )
    bulk_ids = {pause.bulk for pause in pauses if pause.bulk is not None}
    if bulk_ids:
        bulk_reasons = _bulk_reasons(session, key_service, cache, bulk_ids)
        for pause in pauses:
            if pause.bulk is not None and result[pause.id] is None:
                result[pause.id] = bulk_reasons.get(pause.bulk)
    return result


def _bulk_reasons(
    session: Session, key_service: KeyService, cache: DataKeyCache, bulk_ids: set[str]
) -> dict[str, str]:
    rows = session.execute(
        select(BulkOperation.id, BulkOperation.wrapped_key, BulkOperation.reason_ciphertext).where(
            BulkOperation.id.in_(bulk_ids), BulkOperation.reason_ciphertext.is_not(None)
        )
    ).all()
    reasons: dict[str, str] = {}
    for bulk_id, wrapped, blob in rows:
        key = cache.get(wrapped)
        if key is None:
            key = key_service.unwrap_data_key(wrapped)
            cache.put(wrapped, key)
        reasons[bulk_id] = decrypt_field(
            key,
            bytes(blob),
            table=BULK_TABLE,
            column=REASON_COLUMN,
            record_id=bulk_id,
            key_version=BULK_KEY_GENERATION,
        ).decode("utf-8")
    return reasons


def shred_reasons_of_erased_customer(session: Session, customer: str, at: object) -> None:
    """The key that sealed them is gone already; the ciphertexts go too."""
    subscriptions = select(Subscription.id).where(Subscription.customer == customer)
    session.execute(
        update(Pause)
        .where(Pause.subscription.in_(subscriptions))
        .values(reason_ciphertext=None, reason=None)
        .execution_options(synchronize_session=False)
    )
