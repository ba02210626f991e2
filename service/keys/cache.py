"""Unwrapped data keys, cached in process memory only: bounded by count and by age.

The keys are never logged, never serialised and never shown by ``repr``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NoReturn


class DataKeyCache:
    """A thread-safe LRU of unwrapped data keys, keyed by their wrapped form.

    An entry older than ``max_age_seconds`` is never returned. ``max_entries=0`` turns the
    cache off (every ``get`` misses). ``clock`` returns monotonic seconds.
    """

    def __init__(
        self,
        max_entries: int = 256,
        max_age_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 0:
            raise ValueError("max_entries cannot be negative")
        if max_age_seconds < 0:
            raise ValueError("max_age_seconds cannot be negative")
        self.max_entries = max_entries
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, wrapped: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(wrapped)
            if entry is None:
                return None
            plaintext, stored_at = entry
            if self._clock() - stored_at >= self.max_age_seconds:
                del self._entries[wrapped]
                return None
            self._entries.move_to_end(wrapped)
            return plaintext

    def put(self, wrapped: str, plaintext: bytes) -> None:
        if self.max_entries == 0:
            return
        with self._lock:
            self._entries[wrapped] = (plaintext, self._clock())
            self._entries.move_to_end(wrapped)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, wrapped: str) -> None:
        """Forget one key (a crypto-shredded customer, a rewrapped value)."""
        with self._lock:
            self._entries.pop(wrapped, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return (
            f"DataKeyCache(entries={len(self)}, max_entries={self.max_entries}, "
            f"max_age_seconds={self.max_age_seconds})"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError("a data-key cache is never serialised")
