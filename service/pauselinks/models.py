"""Pause links. The link's token is never stored: only its SHA-256 (``token_hash``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime

PAUSE_LINK_ID_PREFIX = "pl_"


class PauseLinkState:
    USABLE = "usable"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class PauseLink(Base):
    __tablename__ = "pause_links"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    subscription: Mapped[str] = mapped_column(String(40), index=True)
    # JSON list of the lengths (days) this link offers; NULL: the policy's.
    lengths: Mapped[str | None] = mapped_column(Text, nullable=True)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The pause the link created or ended when it was used.
    pause: Mapped[str | None] = mapped_column(String(40), nullable=True)

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return PauseLinkState.REVOKED
        if self.used_at is not None:
            return PauseLinkState.USED
        if now >= self.expires_at:
            return PauseLinkState.EXPIRED
        return PauseLinkState.USABLE
