"""The service's own identifiers and harmless structured values, which are never redacted."""

from __future__ import annotations

import re
from collections.abc import Mapping


class AllowList:
    """Spans of a text covered by any allow-list pattern."""

    def __init__(self, patterns: Mapping[str, str]) -> None:
        self._patterns = [re.compile(pattern) for pattern in patterns.values()]

    # Allowed values are at most this long, so only this much text around a candidate matters.
    REACH = 160

    def spans_near(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        lo, hi = max(0, start - self.REACH), min(len(text), end + self.REACH)
        return [
            match.span()
            for pattern in self._patterns
            for match in pattern.finditer(text, lo, hi)
            if match.end() > match.start()
        ]

    def protects(self, text: str, start: int, end: int) -> bool:
        """Whether a candidate [start, end) lies in, or cuts into, an allowed span.

        A candidate that strictly contains an allowed span (an e-mail whose local part looks
        like a hex id) is still personal data and is not protected.
        """
        for allowed_start, allowed_end in self.spans_near(text, start, end):
            if allowed_end <= start or end <= allowed_start:
                continue
            if (
                start <= allowed_start
                and allowed_end <= end
                and (start, end)
                != (
                    allowed_start,
                    allowed_end,
                )
            ):
                continue
            return True
        return False
