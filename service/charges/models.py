"""Charges: each row is a recorded intent first (``pending``), then an outcome.

A row is committed before the processor is asked to move money, carrying the deterministic
key the processor deduplicates on (``processor_key``), so that a crash, a retry or a second
replica can only ever re-send that same key. Unique constraints make the intent itself
exactly-once: one per (caller, ``Idempotency-Key``) for one-off charges, one per (subscription,
calendar index, attempt) for recurring ones.

No processor id is stored: the processor finds its payment again by ``processor_key``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime

CHARGE_ID_PREFIX = "ch_"
PROCESSOR_NAME = "stripe"


class ChargeStatus:
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    ALL = ("pending", "succeeded", "failed")


# Failures found before the processor is asked: no later attempt can succeed either.
CUSTOMER_ERASED = "customer_erased"
NO_PAYMENT_METHOD = "no_payment_method"
UNCHARGEABLE = (CUSTOMER_ERASED, NO_PAYMENT_METHOD)
# An erased customer's charge the processor still reported processing when the erasure gave up
# waiting for it (limits.processor_erasure_max_wait_days): recorded failed, though the payment
# may still succeed at the processor (service/charges/erasure.py).
PROCESSOR_OUTCOME_UNKNOWN = "processor_outcome_unknown"


class ChargeKind:
    ONE_OFF = "one_off"
    RECURRING = "recurring"


class Charge(Base):
    __tablename__ = "charges"
    __table_args__ = (
        UniqueConstraint("request_key", name="uq_charges_request_key"),
        UniqueConstraint(
            "subscription", "period_index", "attempt", name="uq_charges_subscription_period"
        ),
        Index("ix_charges_created_at_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    customer: Mapped[str] = mapped_column(String(40), index=True)
    subscription: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # Emptied by migration a16_0007 and never written since: see description_ciphertext.
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The redacted description, sealed under the customer's data key; never sent anywhere.
    description_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    processor: Mapped[str] = mapped_column(String(16), default=PROCESSOR_NAME)
    processor_key: Mapped[str] = mapped_column(String(120), unique=True)
    # One-off charges: a hash of (API key id, Idempotency-Key) and of the request body.
    request_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Recurring charges: the calendar index k of the period, the retry attempt, its due date.
    period_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    credit_applied: Mapped[int] = mapped_column(BigInteger, default=0)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    # Sends started: 1 when the intent is recorded by the job that sends it next; every other
    # sender commits an increment before its processor call. Only a send that finds 1 under its
    # row lock knows nobody sent the key before, and may skip the processor's look-up for it.
    send_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
