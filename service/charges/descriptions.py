"""A one-off charge's ``description``: redacted, sealed under the customer's data key, opened
for the Charge view, never sent to the processor, shredded on erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.charges.models import Charge
from service.customers import free_text
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService

COLUMN = "description_ciphertext"


def _place(charge_id: str) -> free_text.Place:
    return free_text.Place(Charge.__tablename__, COLUMN, charge_id)


def seal_description(
    session: Session,
    key_service: KeyService,
    cache: DataKeyCache,
    charge: Charge,
    description: str | None,
) -> None:
    if description is None:
        return
    key = free_text.customer_keys(session, key_service, cache, [charge.customer])[charge.customer]
    charge.description_ciphertext = free_text.seal(
        key, _place(charge.id), free_text.redacted(description)
    )


def descriptions_of(
    session: Session, key_service: KeyService, cache: DataKeyCache, charges: Sequence[Charge]
) -> dict[str, str | None]:
    """Each charge's clear description (None when it has none or its customer was erased)."""
    sealed = [charge for charge in charges if charge.description_ciphertext is not None]
    keys = free_text.customer_keys(session, key_service, cache, [c.customer for c in sealed])
    result: dict[str, str | None] = {charge.id: None for charge in charges}
    for charge in sealed:
        result[charge.id] = free_text.open_sealed(
            keys.get(charge.customer), _place(charge.id), charge.description_ciphertext
        )
    return result


def shred_descriptions_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    session.execute(
        update(Charge)
        .where(Charge.customer == customer)
        .values(description_ciphertext=None, description=None)
        .execution_options(synchronize_session=False)
    )
