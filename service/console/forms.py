"""Reading console form and query values: times typed by people, lists, bounded text."""

from __future__ import annotations

from datetime import UTC, datetime

from service.core.errors import ValidationFailed


def parse_form_time(value: str | None, label: str) -> datetime | None:
    """``2026-12-01``, ``2026-12-01T09:30`` (a browser's datetime-local) or full ISO 8601.
    Times without a zone are UTC, as the forms say."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{label}: use a date and time such as 2026-12-01T09:30.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def window(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    first = parse_form_time(start, "From")
    last = parse_form_time(end, "To")
    if first is not None and last is not None and first > last:
        raise ValidationFailed("'From' must not be after 'To'.")
    return first, last


def split_list(value: str | None) -> list[str]:
    return [part for part in (value or "").replace(",", " ").split() if part]


def int_list(value: str | None, label: str) -> list[int]:
    parts = split_list(value)
    if not all(part.isdigit() and len(part) < 10 for part in parts):
        raise ValidationFailed(f"{label}: whole numbers separated by spaces or commas.")
    return [int(part) for part in parts]
