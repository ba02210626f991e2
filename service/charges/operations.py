"""Charges: one-off intents, reading and listing, and the keys the processor deduplicates on.

Functions take the session and their collaborators as arguments; they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.charges.descriptions import seal_description
from service.charges.models import (
    CHARGE_ID_PREFIX,
    PROCESSOR_NAME,
    Charge,
    ChargeKind,
    ChargeStatus,
)
from service.charges.schemas import ChargeCreate
from service.charges.settle import ChargeDeps
from service.core.errors import (
    Conflict,
    Gone,
    IdempotencyMismatch,
    NotFound,
    PolicyViolation,
    ValidationFailed,
)
from service.core.timeparse import format_api_time
from service.customers.operations import PaymentRefs, customer_state, payment_refs
from service.subscriptions.models import SubscriptionStatus
from service.subscriptions.operations import find_subscription


def new_charge_id() -> str:
    return CHARGE_ID_PREFIX + secrets.token_hex(12)


def request_key(principal: str, idempotency_key: str) -> str:
    """One-off charges are named by (API key id, Idempotency-Key); the caller's key itself,
    which may hold anything, is never stored."""
    return hashlib.sha256(f"{principal}\n{idempotency_key}".encode()).hexdigest()


def one_off_processor_key(request: str) -> str:
    return f"sr-ch-{request[:48]}"


def recurring_processor_key() -> str:
    """A random key, recorded in the charge's intent row (unique per subscription, period and
    attempt) before anything is sent: a crash, a retry of the job or a second replica can only
    re-send that recorded key. Random, not derived from the subscription's token, so nothing at
    the processor links a payment to a token once erasure has forgotten the key."""
    return "sr-rc-" + secrets.token_hex(20)


def charge_exists(session: Session, token: str) -> bool:
    return session.execute(select(Charge.id).where(Charge.id == token)).first() is not None


# -- one-off charges ----------------------------------------------------------------------------


def record_one_off(
    session: Session,
    deps: ChargeDeps,
    *,
    principal: str,
    idempotency_key: str,
    request: ChargeCreate,
    description: str | None,
    now: datetime,
) -> tuple[Charge, PaymentRefs | None, bool]:
    """The charge this request names, recorded ``pending`` if new, with the customer's refs
    when it still has to be sent, and whether this call recorded it.

    A charge already recorded for (principal, key) is returned instead of a new one: that is
    how a retry after a 502 (whose idempotency key the route class released) finds its
    pending charge and re-sends it rather than charging anew. Its body must be the same, and
    a re-send of a pending charge counts itself in ``send_attempts`` (committed with this
    session, before the processor call), so that the recording request's own send, if it has
    not locked the row yet, looks for this one's payment (see ``Charge.send_attempts``).

    A new charge is recorded with ``send_attempts`` 1: the recording request sends it next.
    """
    key = request_key(principal, idempotency_key)
    earlier = _charge_for_request(session, key)
    if earlier is not None:
        return (*_same_request(session, deps, earlier, request), False)

    customer, subscription = _payer(session, request)
    cap = deps.policy.limits.max_charge_for(request.currency)
    if request.amount > cap:
        raise PolicyViolation("amount: over the policy's maximum charge for this currency.")
    refs = payment_refs(session, deps.key_service, deps.cache, customer)
    charge = Charge(
        id=new_charge_id(),
        kind=ChargeKind.ONE_OFF,
        status=ChargeStatus.PENDING,
        amount=request.amount,
        currency=request.currency,
        customer=customer,
        subscription=subscription,
        processor=PROCESSOR_NAME,
        processor_key=one_off_processor_key(key),
        request_key=key,
        request_hash=request.fingerprint(),
        attempt=0,
        credit_applied=0,
        created_at=now,
        send_attempts=1,  # this request sends it next: see Charge.send_attempts
    )
    seal_description(session, deps.key_service, deps.cache, charge, description)
    session.add(charge)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("A request with this Idempotency-Key is in flight.") from None
    return charge, refs, True


def _charge_for_request(session: Session, key: str) -> Charge | None:
    return session.execute(select(Charge).where(Charge.request_key == key)).scalar_one_or_none()


def _same_request(
    session: Session, deps: ChargeDeps, earlier: Charge, request: ChargeCreate
) -> tuple[Charge, PaymentRefs | None]:
    if earlier.request_hash != request.fingerprint():
        raise IdempotencyMismatch("This Idempotency-Key was used with a different request body.")
    if customer_state(session, earlier.customer) != "active":
        raise Gone("This customer has been erased.")
    if earlier.status != ChargeStatus.PENDING:
        return earlier, None
    session.execute(
        update(Charge)
        .where(Charge.id == earlier.id)
        .values(send_attempts=Charge.send_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return earlier, payment_refs(session, deps.key_service, deps.cache, earlier.customer)


def _payer(session: Session, request: ChargeCreate) -> tuple[str, str | None]:
    """(customer, subscription) to charge; 422 for a token naming nothing, 410 erased, 409
    canceled subscription."""
    if request.subscription is not None:
        try:
            subscription = find_subscription(session, request.subscription)
        except NotFound:
            raise ValidationFailed("subscription: no such subscription.") from None
        if customer_state(session, subscription.customer) != "active":
            raise Gone("This subscription's customer has been erased.")
        if subscription.status == SubscriptionStatus.CANCELED:
            raise Conflict("A canceled subscription cannot be charged.")
        return subscription.customer, subscription.id
    customer = str(request.customer)  # the schema requires exactly one of the two
    state = customer_state(session, customer)
    if state is None:
        raise ValidationFailed("customer: no such customer.")
    if state == "erased":
        raise Gone("This customer has been erased.")
    return customer, None


# -- reading ------------------------------------------------------------------------------------


def get_charge(session: Session, token: str) -> Charge:
    charge = session.get(Charge, token)
    if charge is None:
        raise NotFound("No such charge.")
    return charge


def list_charges(
    session: Session,
    *,
    subscription: str | None,
    customer: str | None,
    status: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Charge]:
    """Oldest first; up to ``limit + 1`` rows (the extra one says there is more)."""
    query = select(Charge)
    if subscription is not None:
        query = query.where(Charge.subscription == subscription)
    if customer is not None:
        query = query.where(Charge.customer == customer)
    if status is not None:
        query = query.where(Charge.status == status)
    if after is not None:
        query = query.where(tuple_(Charge.created_at, Charge.id) > tuple_(*after))
    query = query.order_by(Charge.created_at, Charge.id).limit(limit + 1)
    return list(session.execute(query).scalars())


def charge_view(charge: Charge, description: str | None) -> dict[str, Any]:
    """The Charge resource. ``due_at`` and ``credit_applied`` say which period a recurring
    charge paid for and how much credit it used (null and 0 for one-off charges);
    ``description`` is the opened one (``descriptions.descriptions_of``)."""
    return {
        "id": charge.id,
        "status": charge.status,
        "amount": charge.amount,
        "currency": charge.currency,
        "subscription": charge.subscription,
        "customer": charge.customer,
        "failure_code": charge.failure_code,
        "processor": charge.processor,
        "description": description,
        "due_at": format_api_time(charge.due_at),
        "credit_applied": charge.credit_applied,
        "created_at": format_api_time(charge.created_at),
    }
