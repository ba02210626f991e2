"""Bulk operations: one request that pauses many subscriptions (the pauses themselves are
:class:`service.subscriptions.models.Pause`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime

BULK_ID_PREFIX = "bulk_"


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
