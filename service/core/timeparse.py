"""Times in requests: RFC 3339 with an offset, within 2000-01-01 and ten years from now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=3653)


def _in_range(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    if value < EARLIEST:
        raise ValueError("times before 2000-01-01 are not accepted")
    if value > datetime.now(UTC) + HORIZON:
        raise ValueError("times more than ten years ahead are not accepted")
    return value


ApiTime = Annotated[AwareDatetime, AfterValidator(_in_range)]


def format_api_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()[:-6]  # without its `+00:00`
    return (text.rstrip("0") if value.microsecond else text) + "Z"
