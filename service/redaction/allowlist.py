"""The service's own identifiers and harmless structured values, which are never redacted."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence

from service.redaction.models import Finding


class AllowList:
    """Decides which candidate findings cover an allowed value."""

    # Allowed values are at most this long, so only this much text around a candidate matters.
    REACH = 160

    def __init__(self, patterns: Mapping[str, str]) -> None:
        self._patterns = [re.compile(pattern) for pattern in patterns.values()]

    def _spans(self, text: str, lo: int, hi: int) -> list[tuple[int, int]]:
        return sorted(
            match.span()
            for pattern in self._patterns
            for match in pattern.finditer(text, lo, hi)
            if match.end() > match.start()
        )

    def unprotected(self, text: str, findings: Sequence[Finding]) -> list[Finding]:
        """The findings that neither lie in nor cut into an allowed span.

        A finding that strictly contains an allowed span (an e-mail whose local part looks
        like a hex id) is still personal data and is kept. The allowed values are looked for
        once per line, in the stretch that reaches every finding.
        """
        if not findings:
            return []
        lo = max(0, min(f.start for f in findings) - self.REACH)
        hi = min(len(text), max(f.end for f in findings) + self.REACH)
        spans = self._spans(text, lo, hi)
        if not spans:
            return list(findings)
        starts = [start for start, _ in spans]
        kept = []
        for finding in findings:
            first = bisect.bisect_left(starts, finding.start - self.REACH)
            last = bisect.bisect_left(starts, finding.end)
            if not _protects(spans[first:last], finding):
                kept.append(finding)
        return kept


def _protects(spans: list[tuple[int, int]], finding: Finding) -> bool:
    start, end = finding.start, finding.end
    for allowed_start, allowed_end in spans:
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
