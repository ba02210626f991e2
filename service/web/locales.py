"""The reader's locale from ``Accept-Language`` (RFC 9110 §12.5.4), resolved with Babel's CLDR
data; amounts and dates on people's pages are formatted for it."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from service.web.humanize import DEFAULT_LOCALE

# A header is read only this far: it comes from anyone.
MAX_HEADER_CHARS = 512
MAX_RANGES = 16


def _ranges(header: str) -> list[tuple[float, int, str]]:
    ranges = []
    for position, part in enumerate(header[:MAX_HEADER_CHARS].split(",")[:MAX_RANGES]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        if tag and tag != "*" and 0 < weight <= 1:
            ranges.append((-weight, position, tag))
    return sorted(ranges)


def negotiate_locale(accept_language: str | None) -> Locale:
    """The first language range Babel knows, by weight then order; ``en_US`` otherwise."""
    for _, _, tag in _ranges(accept_language or ""):
        try:
            return Locale.parse(tag, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return Locale.parse(DEFAULT_LOCALE)
