"""The customer vault: create, read masked, reveal, search, erase — and what other domains need.

Functions take the session and their collaborators as arguments; they flush, never commit.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.core import hooks
from service.core.errors import (
    Gone,
    KeyServiceUnavailable,
    NotFound,
    ProcessorFailed,
    ServiceError,
    ValidationFailed,
)
from service.core.timeparse import format_api_time
from service.customers import blind_index, masks, processor_erasure, sensitive
from service.customers.models import CUSTOMER_ID_PREFIX, Customer, ProcessorErasure
from service.customers.schemas import CustomerCreate
from service.customers.vault import data_key, seal, unseal
from service.idempotency.claims import forget_responses_naming
from service.jobs.registry import JobContext
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor, ProcessorCustomer

log = logging.getLogger(__name__)

FIRST_DATA_KEY_GENERATION = 1
CustomerState = Literal["active", "erased"]


@dataclass(frozen=True)
class PaymentRefs:
    """The processor's ids for charging a customer: sensitive, memory only, never logged."""

    processor_customer: str = field(repr=False)
    payment_method: str = field(repr=False)


def new_customer_token() -> str:
    return CUSTOMER_ID_PREFIX + secrets.token_hex(12)


# -- lookups ------------------------------------------------------------------------------------


def find_customer(session: Session, token: str, *, for_update: bool = False) -> Customer:
    """The customer, erased or not; NotFound when the token names nothing."""
    query = select(Customer).where(Customer.id == token)
    if for_update:
        query = query.with_for_update()
    customer = session.execute(query).scalar_one_or_none()
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def live_customer(session: Session, token: str) -> Customer:
    """The customer; NotFound when unknown, Gone when erased."""
    customer = find_customer(session, token)
    if customer.erased:
        raise Gone("This customer has been erased.")
    return customer


def customer_exists(session: Session, token: str) -> bool:
    return session.execute(select(Customer.id).where(Customer.id == token)).first() is not None


def customer_state(session: Session, token: str) -> CustomerState | None:
    """``"active"``, ``"erased"``, or None for a token that names no customer."""
    erased_at = session.execute(select(Customer.erased_at).where(Customer.id == token)).first()
    if erased_at is None:
        return None
    return "active" if erased_at[0] is None else "erased"


# -- create -------------------------------------------------------------------------------------


def create_customer(
    session: Session,
    key_service: KeyService,
    processor: PaymentProcessor,
    cache: DataKeyCache,
    request: CustomerCreate,
    now: datetime,
) -> dict[str, Any]:
    """Create a customer and return its masked view.

    Everything that can fail (key service, processor) runs before anything is added to the
    session, so a failure leaves nothing behind.
    """
    token = new_customer_token()
    key = key_service.generate_data_key()
    email_index, email_index_version = blind_index.email_digest(key_service, request.email)
    at_processor: ProcessorCustomer | None = None
    if request.payment_method is not None:
        at_processor = processor.create_customer(
            request.payment_method, idempotency_key=f"strongroom:customer:{token}"
        )

    customer = Customer(
        id=token,
        created_at=now,
        wrapped_data_key=key.wrapped,
        key_version=key.version,
        data_key_generation=FIRST_DATA_KEY_GENERATION,
        email_index=email_index,
        email_index_version=email_index_version,
    )
    values: dict[sensitive.SensitiveColumn, Any] = {
        sensitive.NAME: request.name,
        sensitive.EMAIL: request.email,
        sensitive.PHONE: request.phone,
        sensitive.ADDRESS: (
            request.address.model_dump(exclude_none=True) if request.address else None
        ),
        sensitive.CARD: _card(at_processor),
        sensitive.PROCESSOR_REF: _processor_ref(at_processor),
        sensitive.METADATA: request.metadata or None,
    }
    for column, value in values.items():
        seal(customer, key.plaintext, column, value)
    session.add(customer)
    session.flush()
    cache.put(key.wrapped, key.plaintext)
    return masked_view(customer, key.plaintext)


def _card(at_processor: ProcessorCustomer | None) -> dict[str, Any] | None:
    if at_processor is None or not at_processor.card_brand or not at_processor.card_last4:
        return None
    return {
        "brand": at_processor.card_brand,
        "last4": at_processor.card_last4,
        "exp_month": at_processor.card_exp_month,
        "exp_year": at_processor.card_exp_year,
    }


def _processor_ref(at_processor: ProcessorCustomer | None) -> dict[str, Any] | None:
    if at_processor is None:
        return None
    return {
        "customer": at_processor.customer_ref,
        "payment_method": at_processor.payment_method_ref,
    }


# -- read, reveal, search -----------------------------------------------------------------------


def masked_view(customer: Customer, key: bytes) -> dict[str, Any]:
    masked: dict[str, Any] = {
        "name": masks.mask_name(unseal(customer, key, sensitive.NAME)),
        "email": masks.mask_email(unseal(customer, key, sensitive.EMAIL)),
    }
    phone = unseal(customer, key, sensitive.PHONE)
    if phone is not None:
        masked["phone"] = masks.mask_phone(phone)
    address = unseal(customer, key, sensitive.ADDRESS)
    if address is not None:
        masked["address"] = masks.mask_address(address)
    card = unseal(customer, key, sensitive.CARD)
    if card is not None:
        masked["card"] = masks.mask_card(card)
    return {
        "id": customer.id,
        "masked": masked,
        "metadata": unseal(customer, key, sensitive.METADATA) or {},
        "created_at": format_api_time(customer.created_at),
    }


def read_customer(
    session: Session, key_service: KeyService, cache: DataKeyCache, token: str
) -> dict[str, Any]:
    customer = live_customer(session, token)
    return masked_view(customer, data_key(customer, key_service, cache))


def reveal_fields(
    customer: Customer, key_service: KeyService, cache: DataKeyCache, fields: list[str]
) -> dict[str, Any]:
    """The clear values of ``fields`` (already checked against what may be revealed)."""
    key = data_key(customer, key_service, cache)
    return {name: unseal(customer, key, sensitive.REVEALABLE[name]) for name in fields}


def search_by_email(session: Session, key_service: KeyService, email: str) -> list[str]:
    """Tokens of the live customers whose normalised email is exactly this one."""
    return blind_index.search(session, key_service, email)


# -- erase --------------------------------------------------------------------------------------


def erase_customer(
    session: Session,
    cache: DataKeyCache,
    token: str,
    now: datetime,
    *,
    processor_done: bool = True,
    key_service: KeyService | None = None,
) -> dict[str, Any]:
    """Crypto-shred: the wrapped data key, the blind index and every ciphertext become NULL,
    and the customer's subscriptions are canceled (through the erasure hook). When the
    processor's customer could not be deleted yet (``processor_done`` False), its sealed
    reference is kept for the job that finishes it (``processor_erasure``)."""
    customer = find_customer(session, token, for_update=True)
    if customer.erased:
        raise Gone("This customer has been erased.")
    if not processor_done:
        processor_erasure.keep_for_processor(session, customer, now, key_service, cache)
    if session.get_bind().dialect.name == "sqlite":
        # Overwrite freed bytes in the database file, so the old row does not linger there.
        session.execute(text("PRAGMA secure_delete = ON"))
    if customer.wrapped_data_key is not None:
        cache.discard(customer.wrapped_data_key)
    customer.wrapped_data_key = None
    customer.key_version = None
    customer.data_key_generation = None
    customer.email_index = None
    customer.email_index_version = None
    for column in sensitive.SENSITIVE_COLUMNS:
        if column.table == sensitive.CUSTOMERS_TABLE:
            setattr(customer, column.column, None)
    customer.erased_at = now
    _forget_stored_responses(session, customer)
    session.flush()
    hooks.customer_erased(session, token, now)
    return {"id": token, "erased": True, "erased_at": format_api_time(now)}


def _forget_stored_responses(session: Session, customer: Customer) -> None:
    """Stored idempotent responses naming the customer or anything it owns go with it: its
    creation holds its masks and metadata, a subscription's cancel its subscription metadata,
    a pause its reason. A retry of one of those requests then runs afresh."""
    forget_responses_naming(session, hooks.tokens_owned_by(session, customer.id))


def no_erased_customer(session: Session, targets: list[str]) -> bool:
    """A stored response naming an erased customer is never replayed (erasure forgot it;
    this holds even for a response stored while the erasure ran)."""
    named = [token for token in targets if token.startswith(CUSTOMER_ID_PREFIX)]
    if not named:
        return True
    erased = session.execute(
        select(Customer.id).where(Customer.id.in_(named), Customer.erased_at.is_not(None))
    ).first()
    return erased is None


def processor_customer_ref(
    session: Session, key_service: KeyService, cache: DataKeyCache, token: str
) -> str | None:
    """The processor's id of the customer (None when it has none); NotFound, Gone as usual."""
    customer = live_customer(session, token)
    if customer.processor_ref_ciphertext is None:
        return None
    refs = unseal(customer, data_key(customer, key_service, cache), sensitive.PROCESSOR_REF)
    return str(refs["customer"]) if refs and refs.get("customer") else None


def erase_at_processor(context: JobContext, token: str, now: datetime) -> bool:
    """Settle what waits on the processor for the customer (its pending charges, by look-up
    only), then delete the customer there. True when done (or it has none there); False when
    an outage, or a payment still processing, defers both to the job, which keeps the sealed
    reference until then (a processing payment needs the saved card no more: the customer's
    payment methods are detached at once). Read in a short session of its own, so no lock is
    held while the processor answers. NotFound and Gone propagate as usual."""
    try:
        with context.session_factory() as session:
            ref = processor_customer_ref(session, context.key_service, context.app.data_keys, token)
    except (KeyServiceUnavailable, ProcessorFailed):
        return False
    if ref is None:
        return True
    try:
        if not hooks.settled_before_processor_erasure(context, token, ref, now):
            context.processor.detach_payment_methods(ref)
            return False
        context.processor.delete_customer(ref)
    except ServiceError as error:
        # Whatever a look-up or the deletion answers (an outage, a payment that does not match
        # its charge), the erasure itself goes ahead: both wait for the job, with the sealed
        # reference kept until then.
        log.warning("processor side of an erasure deferred: %s", type(error).__name__)
        return False
    return True


def awaits_processor_erasure(session: Session, token: str) -> bool:
    """Whether an erased customer's processor reference is still kept for the job, which
    settles its pending charges by look-up before deleting it at the processor."""
    return session.get(ProcessorErasure, token) is not None


# -- for the charges engine ---------------------------------------------------------------------


def payment_refs(
    session: Session, key_service: KeyService, cache: DataKeyCache, customer_token: str
) -> PaymentRefs:
    """The processor ids to charge this customer with.

    NotFound for an unknown token, Gone for an erased customer, ValidationFailed when the
    customer has no payment method.
    """
    return refs_of(live_customer(session, customer_token), key_service, cache)


def live_customers(
    session: Session, key_service: KeyService, cache: DataKeyCache, tokens: Iterable[str]
) -> dict[str, Customer]:
    """The live (not erased) customers among ``tokens``, in one statement, their data keys
    not yet cached unwrapped in one call: what ``refs_of`` needs for a batch of charges."""
    wanted = sorted(set(tokens))
    if not wanted:
        return {}
    found = session.scalars(
        select(Customer).where(Customer.id.in_(wanted), Customer.erased_at.is_(None))
    ).all()
    missing = sorted(
        {
            c.wrapped_data_key
            for c in found
            if c.wrapped_data_key and cache.get(c.wrapped_data_key) is None
        }
    )
    if missing:
        for wrapped, plaintext in zip(missing, key_service.unwrap_data_keys(missing), strict=True):
            cache.put(wrapped, plaintext)
    return {customer.id: customer for customer in found}


def refs_of(customer: Customer, key_service: KeyService, cache: DataKeyCache) -> PaymentRefs:
    """``payment_refs`` of a customer already read: ValidationFailed when it has no payment
    method, Gone when erased."""
    refs = None
    if customer.processor_ref_ciphertext is not None:
        refs = unseal(customer, data_key(customer, key_service, cache), sensitive.PROCESSOR_REF)
    if not refs or not refs.get("payment_method"):
        raise ValidationFailed("the customer has no payment method")
    return PaymentRefs(
        processor_customer=str(refs["customer"]), payment_method=str(refs["payment_method"])
    )
