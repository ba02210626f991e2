"""Subscriptions, their tags, their pauses and the bulk operations that pause many at once.

The charge engine relies on ``charged_through_index`` (the highest calendar index it has
handled, -1 before the first) and ``next_charge_at`` (the due date of the first schedule entry
after that index, NULL when the schedule has none), which this domain keeps current whenever
pauses or cancellations change the schedule. A pause belongs to its subscription's timeline
(:mod:`service.subscriptions.timeline`): its ``credit_amount`` is derived state kept there too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime
from service.customers.sensitive import SUBSCRIPTION_METADATA

SUBSCRIPTION_ID_PREFIX = "sub_tok_"
PAUSE_ID_PREFIX = "pau_"
BULK_ID_PREFIX = "bulk_"

SUBSCRIPTIONS_TABLE = SUBSCRIPTION_METADATA.table
METADATA_COLUMN = SUBSCRIPTION_METADATA.column


class SubscriptionStatus:
    ACTIVE = "active"
    PAUSED = "paused"
    PAST_DUE = "past_due"
    CANCELED = "canceled"

    ALL = ("active", "paused", "past_due", "canceled")


class Subscription(Base):
    __tablename__ = SUBSCRIPTIONS_TABLE
    __table_args__ = (Index("ix_subscriptions_created_at_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    plan: Mapped[str] = mapped_column(String(100), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), index=True)
    interval: Mapped[str] = mapped_column(String(8))
    interval_count: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancel_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    charged_through_index: Mapped[int] = mapped_column(Integer, default=-1)
    next_charge_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True, index=True
    )
    # Metadata, encrypted under the subscription's own data key (wrapped by the key service);
    # both are NULL when there is no metadata or the customer was erased.
    wrapped_data_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    key_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    metadata_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class SubscriptionTag(Base):
    __tablename__ = "subscription_tags"

    subscription: Mapped[str] = mapped_column(String(40), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class PauseStatus:
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELED = "canceled"

    LIVE = ("scheduled", "active")


class Pause(Base):
    __tablename__ = "pauses"
    __table_args__ = (
        Index("ix_pauses_status_starts_at", "status", "starts_at"),
        Index("ix_pauses_status_ends_at", "status", "ends_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # NULL while open-ended; set when it is resumed or reaches latest_end_at.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When an open-ended pause is ended at the latest (start + the policy's max_pause_days).
    latest_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resume_mode: Mapped[str] = mapped_column(String(8))
    # Emptied by migration a16_0007 and never written since: see reason_ciphertext.
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The (redacted) reason, sealed under the customer's data key (service.subscriptions.reasons).
    reason_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    credit_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    bulk: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BulkOperation(Base):
    __tablename__ = "bulk_operations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    selector: Mapped[str] = mapped_column(Text)
    resume_mode: Mapped[str] = mapped_column(String(8))
    matched: Mapped[int] = mapped_column(Integer)
    paused: Mapped[int] = mapped_column(Integer)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The (redacted) reason given to every pause of the operation, sealed under a data key of
    # the operation's own (it speaks of no one customer), wrapped by the key service.
    reason_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    wrapped_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    key_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
