"""Lists: ``?limit=`` (1-500, default 50) and an opaque ``?cursor=``."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query

from service.core.errors import ValidationFailed

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500).")]
Cursor = Annotated[str | None, Query(max_length=200, description="From next_cursor.")]


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as exc:
        raise ValidationFailed("The cursor is not valid.") from exc


def decode_time_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """A ``[time, id]`` cursor (lists ordered by creation time, then id). The cursor is the
    caller's to craft: anything but two strings, the first an ISO time with a UTC offset,
    is a 422, never a 500."""
    value = decode_cursor(cursor)
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise ValidationFailed("The cursor is not valid.")
    try:
        moment = datetime.fromisoformat(value[0].replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed("The cursor is not valid.") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationFailed("The cursor is not valid.")
    try:
        return moment.astimezone(UTC), value[1]
    except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC time
        raise ValidationFailed("The cursor is not valid.") from None


def page(items: list[Any], limit: int, cursor_of: Any) -> dict[str, Any]:
    """``items`` holds up to limit + 1 rows; the extra one only says there is more."""
    more = len(items) > limit
    data = items[:limit]
    return {"data": data, "next_cursor": encode_cursor(cursor_of(data[-1])) if more else None}
