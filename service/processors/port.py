"""The payment-processor port: the only things Strongroom asks a processor to do.

Strongroom owns schedules, pauses and credits; the processor only keeps a customer with a
default card and moves money. Every value returned here (processor ids, card details) is
sensitive: callers encrypt it before storing it and never log it.

Errors: an unreachable, slow or failing processor raises ``ProcessorFailed`` (502); a card the
processor refuses when it is attached raises ``CardDeclined`` (402); a decline while charging is
not an exception but a ``ChargeOutcome`` with ``status="failed"`` and a ``failure_code``; an
idempotency key re-sent with another amount or currency raises ``IdempotencyMismatch`` (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

ChargeStatus = Literal["succeeded", "failed", "pending"]


@dataclass(frozen=True, slots=True)
class ProcessorCustomer:
    """A customer at the processor and, when one was given, its default payment method."""

    customer_ref: str
    payment_method_ref: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    card_exp_month: int | None = None
    card_exp_year: int | None = None


@dataclass(frozen=True, slots=True)
class ChargeOutcome:
    """What the processor did with one charge request.

    ``processor_ref`` is the processor's payment id (a Stripe PaymentIntent); it is None only
    when the processor refused the request before creating a payment. ``pending`` means the
    payment is still processing (asynchronous methods): re-send the same request later, with
    the same idempotency key, to learn the final status.
    """

    status: ChargeStatus
    processor_ref: str | None
    failure_code: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@runtime_checkable
class PaymentProcessor(Protocol):
    """A payment processor. Re-sending a call with the same idempotency key never repeats it."""

    def create_customer(
        self, payment_method: str | None, *, idempotency_key: str
    ) -> ProcessorCustomer:
        """Create a customer, attach ``payment_method`` and make it the default for payments."""
        ...

    def charge(
        self,
        *,
        customer_ref: str,
        payment_method_ref: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        first_send: bool = False,
    ) -> ChargeOutcome:
        """Charge ``amount`` minor units off-session; a re-send returns the first outcome.
        ``first_send``: the caller knows no earlier request carried this key, so there is no
        first outcome to look for. Nothing free-form is ever sent: descriptions stay sealed in
        Strongroom."""
        ...

    def find_charge(
        self, *, customer_ref: str, amount: int, currency: str, idempotency_key: str
    ) -> ChargeOutcome | None:
        """Look-up only: the outcome of the payment an earlier ``charge`` with this key made
        for the customer, or None when there is none (the request never reached the
        processor). Never creates a payment; used to settle a charge whose customer is being
        erased, which must never be sent again."""
        ...

    def detach_payment_methods(self, customer_ref: str) -> None:
        """Detach every payment method of the customer, keeping the customer (erasure, while a
        payment still processing delays its deletion). A customer the processor no longer has
        has none; an outage raises ``ProcessorFailed``."""
        ...

    def delete_customer(self, customer_ref: str) -> None:
        """Detach every payment method of the customer and delete it (erasure). A customer the
        processor no longer has counts as deleted; an outage raises ``ProcessorFailed``."""
        ...
