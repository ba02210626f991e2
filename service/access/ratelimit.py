"""Requests per minute per bucket (a principal's key, a source address), shared by every worker
process and every replica through the database they already share.

Each bucket counts hits per wall-clock minute in one row, incremented by a single upsert that
returns the new count and the previous minute's: the sliding one-minute window is estimated as
``previous * (share of the previous minute still inside the window) + current`` (the
sliding-window counter of Cloudflare and others: exact at the minute's start, never more than
the limit over any 60 seconds of steady traffic). Every hit is counted, refused ones too, so a
client that keeps hammering stays refused until it slows down.

Each process leases hits in advance: one upsert adds ``k`` to the count and the process
keeps the part of ``k`` that fits under the limit as tokens for the rest of that minute, so a
busy principal costs a round trip per ``k`` requests instead of one each. ``k`` shrinks with
the headroom the process last saw (1 near the limit and for small limits), and what is
granted is decided from the row the upsert returns (one row lock orders every process's
lease), so all processes together never get more than the limit; tokens a process leased
and did not use by the minute's end only make the count err on the strict side.

The counter has its own connections in autocommit (one round trip per lease), and on
PostgreSQL without waiting for the WAL flush: a count lost in a crash only lets a few more
requests through, and waiting for the disk would double the cost of every request.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, text

from service.core.db import make_engine

_UPSERT = text(
    "INSERT INTO rate_counters (bucket, minute, hits) VALUES (:bucket, :minute, :k) "
    "ON CONFLICT (bucket, minute) DO UPDATE SET hits = rate_counters.hits + :k "
    "RETURNING hits, (SELECT p.hits FROM rate_counters p "
    "WHERE p.bucket = :bucket AND p.minute = :minute - 1)"
)
_PURGE = text("DELETE FROM rate_counters WHERE minute < :minute")


@lru_cache(maxsize=4096)
def address_bucket(address: str) -> str:
    """The bucket part for a source address: an IPv4 address itself, an IPv6 address its /64
    (one host usually holds a whole /64: counting each address would give it 2^64 budgets)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def counter_engine(main: Engine) -> Engine:
    """The engine the counters use: PostgreSQL gets a small pool of its own in autocommit with
    ``synchronous_commit=off``; SQLite (one file, one writer) shares the main engine."""
    if main.dialect.name != "postgresql":
        return main
    return make_engine(
        main.url.render_as_string(hide_password=False),
        pool_size=4,
        max_overflow=8,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5, "options": "-c synchronous_commit=off"},
    )


# A lease is at most this share of the headroom the process last saw, and of the limit: with
# P processes sharing a principal's traffic, up to about P/16 of the headroom can sit unused
# in leases at any time; limits under 32 per minute are counted hit by hit.
HEADROOM_SHARE = 16
LIMIT_SHARE = 32
MAX_LEASES = 65_536


@dataclass
class _Lease:
    minute: int
    tokens: int  # granted and not used yet
    headroom: float  # the limit less the count, as of this process's last lease


def lease_size(limit: int, headroom: float) -> int:
    return max(1, min(int(headroom) // HEADROOM_SHARE, limit // LIMIT_SHARE))


class RateLimiter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._leases: dict[str, _Lease] = {}
        # Buckets this process has seen over their limit, and until when: a flood is refused
        # without a database write per request.
        self._refusing: dict[str, float] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, limit: int, now: float | None = None) -> float | None:
        """Count one request; the seconds to wait when over ``limit`` per minute, else None."""
        now = time.time() if now is None else now
        whole, into = divmod(now, 60.0)
        minute = int(whole)
        if self.take_leased(bucket, now):
            return None
        with self._lock:
            lease = self._leases.get(bucket)
            headroom = lease.headroom if lease is not None and lease.minute == minute else limit
        k = lease_size(limit, headroom)
        with self.engine.begin() as connection:
            current, previous = connection.execute(
                _UPSERT, {"bucket": bucket, "minute": minute, "k": k}
            ).one()
        before = (previous or 0) * (1.0 - into / 60.0) + current - k
        granted = max(0, min(k, math.floor(limit - before)))
        with self._lock:
            if len(self._leases) >= MAX_LEASES:
                self._leases.clear()
            held = self._leases.get(bucket)
            # Another thread of this process may have leased meanwhile: keep its tokens too.
            spare = held.tokens if held is not None and held.minute == minute else 0
            self._leases[bucket] = _Lease(minute, spare + max(0, granted - 1), limit - before - k)
        if granted > 0:
            return None
        wait = _seconds_until_below(limit, current, previous or 0, into)
        with self._lock:
            self._refusing[bucket] = now + wait
        return wait

    def take_leased(self, bucket: str, now: float | None = None) -> bool:
        """Count one request from this process's lease, when it holds a token for this minute;
        False (nothing counted) when only :meth:`hit`, with its database write, can decide."""
        minute = int((time.time() if now is None else now) // 60.0)
        with self._lock:
            lease = self._leases.get(bucket)
            if lease is None or lease.minute != minute or lease.tokens <= 0:
                return False
            lease.tokens -= 1
            return True

    def refusing(self, bucket: str, now: float | None = None) -> bool:
        """Whether this process saw ``bucket`` over its limit recently (no database read)."""
        now = time.time() if now is None else now
        with self._lock:
            until = self._refusing.get(bucket)
            if until is None:
                return False
            if until <= now:
                del self._refusing[bucket]
                return False
            return True

    def purge(self, now: float | None = None) -> int:
        """Drop counters older than the previous minute (the housekeeping job)."""
        minute = int((time.time() if now is None else now) // 60.0)
        with self.engine.begin() as connection:
            return connection.execute(_PURGE, {"minute": minute - 1}).rowcount or 0


def _seconds_until_below(limit: int, current: int, previous: int, into: float) -> float:
    """When the estimate drops back to the limit if no more requests come: the previous
    minute's share fades out linearly; the current minute's hits stay until the next one."""
    if current > limit:
        return max(1.0, math.ceil(60.0 - into))
    if previous == 0:
        return 1.0
    # previous * (1 - t/60) + current <= limit  <=>  t >= 60 * (1 - (limit - current) / previous)
    fade_at = 60.0 * (1.0 - (limit - current) / previous)
    return max(1.0, math.ceil(fade_at - into))
