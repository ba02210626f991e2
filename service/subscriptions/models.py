"""Subscriptions and their tags.

The charge engine relies on ``charged_through_index`` (the highest calendar index it has
handled, -1 before the first) and ``next_charge_at`` (the due date of the first schedule entry
after that index, NULL when the schedule has none), which this domain keeps current whenever
pauses or cancellations change the schedule.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime
from service.customers.sensitive import SUBSCRIPTION_METADATA

SUBSCRIPTION_ID_PREFIX = "sub_tok_"

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


# hooks.customer_erased loads every models module: importing the erasure handler here is what
# registers it whenever a customer can be erased.
from service.subscriptions import erasure as erasure  # noqa: E402
