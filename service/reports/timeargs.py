"""Times given on the command line: RFC 3339 with an offset, or a bare date (UTC midnight)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def parse_cli_time(text: str) -> datetime:
    """``2026-03-01`` (00:00 UTC) or ``2026-03-01T12:00:00Z`` / ``…+02:00``; ValueError else."""
    value = text.strip()
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("give the time with an offset (Z or +hh:mm), or a bare date")
    return parsed.astimezone(UTC)
