"""Principals: who may call the API. Only a hash of each key's secret is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base, UTCDateTime


class Principal(Base):
    __tablename__ = "principals"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def is_usable(self, now: datetime) -> bool:
        return key_usable(self.revoked_at, self.expires_at, now)


def key_usable(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a principal's key may be used at ``now``: not revoked, not expired."""
    if revoked_at is not None:
        return False
    return expires_at is None or now < expires_at


class RateCounter(Base):
    """Requests counted per bucket (a principal's key, a source address…) and per minute,
    shared by every worker and replica; see ``service.access.ratelimit``."""

    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
