"""Requests per minute per principal: a sliding one-minute window, per service process."""

from __future__ import annotations

import math
import threading
from collections import deque


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def over(self, principal: str, limit: int, now: float) -> bool:
        """Whether ``principal`` has used up ``limit`` in the last minute (counts nothing)."""
        with self._lock:
            window = self._hits.get(principal)
            if not window:
                return False
            while window and window[0] <= now - 60.0:
                window.popleft()
            return len(window) >= limit

    def hit(self, principal: str, limit: int, now: float) -> float | None:
        """Count one request; the seconds to wait when over ``limit``, else ``None``."""
        with self._lock:
            window = self._hits.setdefault(principal, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= limit:
                return max(1.0, math.ceil(window[0] + 60.0 - now))
            window.append(now)
            return None
