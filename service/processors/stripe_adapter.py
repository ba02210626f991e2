"""The Stripe adapter of the payment-processor port, through the official ``stripe`` SDK.

It points at Stripe in production and at localstripe (``api_base``) in development and tests.

Money moves once, even against localstripe, which ignores ``Idempotency-Key`` (a replayed POST
creates a second object). So every PaymentIntent carries the caller's key twice: as Stripe's
``Idempotency-Key`` (honoured by Stripe for 24 hours) and as ``metadata[strongroom_key]``.
Before creating a PaymentIntent the adapter looks for one with that key among the customer's
charges, so a re-send after a crash, a timeout or a restart returns the first outcome. The
look-up needs no cooperation from the processor beyond listing a customer's charges, which both
Stripe and localstripe support (localstripe cannot filter PaymentIntents by customer).

Nothing here logs: processor ids and failure messages are sensitive, and the SDK's own logger
(which logs request URLs holding ids) is held at WARNING, where it emits nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import stripe

from service.core.errors import CardDeclined, IdempotencyMismatch, ProcessorFailed
from service.processors.port import ChargeOutcome, ProcessorCustomer

IDEMPOTENCY_METADATA_KEY = "strongroom_key"
MAX_NETWORK_RETRIES = 2
_MAX_IDEMPOTENCY_KEY_LENGTH = 255
_LIST_PAGE_SIZE = 100
_RETRY_DELAY_SECONDS = 0.5

# The SDK logs every request URL (with customer and payment ids) and every error message at
# INFO; those must never reach the service's logs.
logging.getLogger("stripe").setLevel(logging.WARNING)


class _DropRequestLinesFor(logging.Filter):
    """Drops httpx's "HTTP Request: POST <url>" records for one host: the URLs hold ids."""

    def __init__(self, netloc: str) -> None:
        super().__init__(name="")
        self.netloc = netloc

    def filter(self, record: logging.LogRecord) -> bool:
        return self.netloc not in record.getMessage()


def _hide_request_logs_for(api_base: str) -> None:
    netloc = urlsplit(api_base).netloc or api_base
    httpx_logger = logging.getLogger("httpx")
    already = any(
        isinstance(existing, _DropRequestLinesFor) and existing.netloc == netloc
        for existing in httpx_logger.filters
    )
    if not already:
        httpx_logger.addFilter(_DropRequestLinesFor(netloc))


class StripeProcessor:
    """``PaymentProcessor`` backed by Stripe (or localstripe when ``api_base`` points at it)."""

    def __init__(self, api_key: str, api_base: str | None = None, timeout: float = 10.0) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=MAX_NETWORK_RETRIES,
            http_client=stripe.HTTPXClient(timeout=timeout, allow_sync_methods=True),
        )
        _hide_request_logs_for(api_base or stripe.DEFAULT_API_BASE)
        # Look-up-then-create is not atomic: concurrent sends of one key in this process take
        # turns. Across processes the caller's recorded intent (a row lock) must serialize them.
        self._key_locks = _KeyLocks()

    def create_customer(
        self, payment_method: str | None, *, idempotency_key: str
    ) -> ProcessorCustomer:
        with _processor_failures():
            customer = self._client.v1.customers.create(
                params={}, options=_once(idempotency_key, "customer")
            )
        if payment_method is None:
            return ProcessorCustomer(customer_ref=customer.id)

        method = self._attach(payment_method, customer.id, idempotency_key)
        with _processor_failures():
            self._client.v1.customers.update(
                customer.id,
                params={"invoice_settings": {"default_payment_method": method.id}},
                options=_once(idempotency_key, "default-payment-method"),
            )
        card = method.card
        return ProcessorCustomer(
            customer_ref=customer.id,
            payment_method_ref=method.id,
            card_brand=card.brand if card else None,
            card_last4=card.last4 if card else None,
            card_exp_month=int(card.exp_month) if card else None,
            card_exp_year=int(card.exp_year) if card else None,
        )

    def delete_customer(self, customer_ref: str) -> None:
        """Erasure at the processor: its payment methods detached, then the customer deleted.
        Stripe keeps PaymentIntents, but nothing on them names a Strongroom token (their only
        metadata is a random key that Strongroom forgets on erasure)."""
        with _processor_failures():
            try:
                self._detach_all(customer_ref)
                self._client.v1.customers.delete(customer_ref)
            except stripe.InvalidRequestError as missing:
                if missing.http_status != 404:
                    raise

    def detach_payment_methods(self, customer_ref: str) -> None:
        with _processor_failures():
            try:
                self._detach_all(customer_ref)
            except stripe.InvalidRequestError as missing:
                if missing.http_status != 404:
                    raise

    def _detach_all(self, customer_ref: str) -> None:
        """Every payment method of the customer, whatever its type: no ``type`` filter, which
        Stripe documents as optional (unfiltered, the list holds every type but ``custom``,
        whose details are held by a third party, not Stripe). Bank debits (SEPA, ACH) are the
        payments Stripe keeps processing for days, and their methods hold bank details."""
        methods = self._client.v1.payment_methods.list(
            params={"customer": customer_ref, "limit": _LIST_PAGE_SIZE}
        )
        for method in methods.auto_paging_iter():
            self._client.v1.payment_methods.detach(method.id)

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
        metadata = {IDEMPOTENCY_METADATA_KEY: idempotency_key}
        with self._key_locks.held(idempotency_key), _processor_failures():
            try:
                # The look-up pages through the customer's payments (localstripe: through its
                # whole store): a first send has nothing to find and skips it.
                earlier = None if first_send else self._find_payment(customer_ref, idempotency_key)
                if earlier is not None:
                    _ensure_same_payment(earlier, amount, currency)
                    return _outcome_of(earlier)
                intent = self._create_payment(
                    {
                        "amount": amount,
                        "currency": currency.lower(),
                        "customer": customer_ref,
                        "payment_method": payment_method_ref,
                        "confirm": True,
                        "off_session": True,
                        "metadata": metadata,
                    },
                    customer_ref,
                    idempotency_key,
                )
            except stripe.CardError as declined:
                return self._declined(declined, customer_ref, idempotency_key)
            except stripe.InvalidRequestError as refused:
                # An unknown customer or payment method: no payment exists, and a retry would
                # be refused again, so this is a final failure rather than an outage.
                return ChargeOutcome("failed", None, refused.code or "processor_rejected")
        return _outcome_of(intent)

    def find_charge(
        self, *, customer_ref: str, amount: int, currency: str, idempotency_key: str
    ) -> ChargeOutcome | None:
        with self._key_locks.held(idempotency_key), _processor_failures():
            try:
                earlier = self._find_payment(customer_ref, idempotency_key)
            except stripe.InvalidRequestError as refused:
                # A customer the processor does not know has no payments to find.
                if refused.http_status != 404:
                    raise
                return None
        if earlier is None:
            return None
        _ensure_same_payment(earlier, amount, currency)
        return _outcome_of(earlier)

    def _attach(
        self, payment_method: str, customer_ref: str, idempotency_key: str
    ) -> stripe.PaymentMethod:
        with _processor_failures():
            try:
                return self._client.v1.payment_methods.attach(
                    payment_method,
                    params={"customer": customer_ref},
                    options=_once(idempotency_key, "attach"),
                )
            except (stripe.CardError, stripe.InvalidRequestError):
                # Nothing is kept for a customer whose card was refused, here or there.
                with contextlib.suppress(stripe.StripeError):
                    self._client.v1.customers.delete(customer_ref)
                raise CardDeclined("The payment method was declined by the processor.") from None

    def _create_payment(
        self, params: dict[str, Any], customer_ref: str, idempotency_key: str
    ) -> stripe.PaymentIntent:
        """Create the PaymentIntent; after a transient failure, look for it before trying again.

        The SDK's own retries are off for this one call: they would re-send blindly, and
        localstripe, which ignores ``Idempotency-Key``, would then charge a second time for a
        request that had reached it before the connection failed.
        """
        failures = 0
        while True:
            try:
                return self._client.v1.payment_intents.create(
                    params=params,
                    options={"idempotency_key": idempotency_key, "max_network_retries": 0},
                )
            except (stripe.APIConnectionError, stripe.APIError):
                failures += 1
                if failures > MAX_NETWORK_RETRIES:
                    raise
            time.sleep(_RETRY_DELAY_SECONDS * failures)
            earlier = self._find_payment(customer_ref, idempotency_key)
            if earlier is not None:
                return earlier

    def _find_payment(self, customer_ref: str, idempotency_key: str) -> stripe.PaymentIntent | None:
        """The PaymentIntent an earlier send with this key created, found through its charge."""
        params: dict[str, Any] = {
            "customer": customer_ref,
            "limit": _LIST_PAGE_SIZE,
            "expand": ["data.payment_intent"],
        }
        while True:
            page = self._client.v1.charges.list(params=params)
            for charge in page.data:
                intent = charge.payment_intent
                if isinstance(intent, stripe.PaymentIntent) and _key_of(intent) == idempotency_key:
                    return intent
            if not page.has_more or not page.data:
                return None
            params["starting_after"] = page.data[-1].id

    def _declined(
        self, declined: stripe.CardError, customer_ref: str, idempotency_key: str
    ) -> ChargeOutcome:
        failure_code = declined.code or "card_declined"
        error = declined.error
        intent = error.payment_intent if error else None
        if intent is not None:
            return ChargeOutcome("failed", intent.id, failure_code)
        if error is not None and error.charge:
            # localstripe names only the failed charge (of the PaymentIntent this very call
            # created): one read of that charge says which, where a look-up by key would page
            # through every payment of the customer.
            intent_id = _id_of(self._client.v1.charges.retrieve(error.charge).payment_intent)
            if intent_id is not None:
                return ChargeOutcome("failed", intent_id, failure_code)
        found = self._find_payment(customer_ref, idempotency_key)
        return ChargeOutcome("failed", found.id if found else None, failure_code)


class _KeyLocks:
    """One lock per idempotency key being sent, dropped when no sender holds or waits for it:
    sends of one key take turns, sends of different keys never wait for each other (a fixed
    set of striped locks made unrelated charges queue behind each other's processor calls)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: dict[str, tuple[threading.Lock, list[int]]] = {}

    @contextlib.contextmanager
    def held(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._held.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users[0] -= 1
                if users[0] == 0:
                    del self._held[key]


def _ensure_same_payment(intent: stripe.PaymentIntent, amount: int, currency: str) -> None:
    """A key re-sent for another amount is a caller bug: Stripe itself refuses such a replay."""
    if intent.amount != amount or intent.currency != currency.lower():
        raise IdempotencyMismatch(
            "This idempotency key was already used for another payment at the processor."
        )


def _id_of(reference: str | stripe.StripeObject | None) -> str | None:
    """The id of a reference the API returns as an id or, expanded, as the object."""
    if reference is None or isinstance(reference, str):
        return reference
    return str(reference.id)


def _key_of(intent: stripe.PaymentIntent) -> str | None:
    metadata = intent.metadata.to_dict() if intent.metadata is not None else {}
    return metadata.get(IDEMPOTENCY_METADATA_KEY)


def _outcome_of(intent: stripe.PaymentIntent) -> ChargeOutcome:
    status = intent.status
    if status == "succeeded":
        return ChargeOutcome("succeeded", intent.id)
    if status in ("processing", "requires_capture", "requires_confirmation"):
        return ChargeOutcome("pending", intent.id)
    if status == "requires_action":
        return ChargeOutcome("failed", intent.id, "authentication_required")
    if status == "canceled":
        return ChargeOutcome("failed", intent.id, "canceled")
    error = intent.last_payment_error
    return ChargeOutcome("failed", intent.id, (error.code if error else None) or "card_declined")


def _once(idempotency_key: str, step: str) -> stripe.RequestOptions:
    """A distinct, deterministic Stripe idempotency key for one step of a multi-call operation."""
    derived = f"{idempotency_key}:{step}"
    if len(derived) > _MAX_IDEMPOTENCY_KEY_LENGTH:
        derived = f"{hashlib.sha256(idempotency_key.encode()).hexdigest()}:{step}"
    return {"idempotency_key": derived}


@contextlib.contextmanager
def _processor_failures() -> Iterator[None]:
    """Turn every processor error not handled inside the block into ``ProcessorFailed``.

    Outages, timeouts, 5xx, rate limits and a wrong API key all land here. The SDK's messages
    can hold processor ids, so the original exception is not chained.
    """
    try:
        yield
    except stripe.StripeError:
        raise ProcessorFailed("The payment processor failed or could not be reached.") from None
