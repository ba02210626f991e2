"""How an event's times and lists are stored: as the exact text the API returns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime


def format_time(when: datetime) -> str:
    """Fixed-width UTC text, so stored times sort and compare as strings on every database."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_list(values: Sequence[str] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(list(values), separators=(",", ":"), ensure_ascii=False)
