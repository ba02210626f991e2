"""Figures for people: money per currency (Babel's CLDR data), times in UTC ISO form that the
browser may show in the viewer's zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

DEFAULT_LOCALE = "en_US"


def minor_to_major(amount: int, currency: str) -> Decimal:
    """12345 USD → Decimal('123.45'); 500 JPY → Decimal('500') (ISO 4217 exponents via CLDR)."""
    digits = get_currency_precision(currency.upper())
    return Decimal(amount).scaleb(-digits)


def format_money(amount: int | None, currency: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """An amount in minor units as people write it: ``$214,856.50``, ``¥500``, ``€1,000.00``."""
    if amount is None or not currency:
        return ""
    code = currency.upper()
    return format_currency(minor_to_major(amount, code), code, locale=locale)


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def utc_text(value: str | datetime | None) -> str:
    """``2026-12-04 01:23:45 UTC`` (what a page shows before the browser localises it)."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_utc(value: str | datetime | None) -> str:
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Report columns that hold amounts in minor units (a records section's ``sum`` shows as
# "total <column>"); beside a ``currency`` column they read as money.
AMOUNT_COLUMNS = frozenset({"amount", "total amount", "total credit_amount", "recurring_amount"})


def money_cell(columns: Sequence[str], row: Sequence[object], index: int) -> str | None:
    """Cell ``index`` of a table row as money, when it is an amount beside a currency."""
    value = row[index]
    if columns[index] not in AMOUNT_COLUMNS or "currency" not in columns:
        return None
    currency = row[list(columns).index("currency")]
    if isinstance(value, bool) or not isinstance(value, int) or not isinstance(currency, str):
        return None
    return format_money(value, currency)


def format_day(value: str | datetime | None, locale: object = DEFAULT_LOCALE) -> str:
    """The UTC calendar day of a moment as the locale writes it: ``December 15, 2026``,
    ``15. Dezember 2026``."""
    from babel.dates import format_date

    moment = parse_time(value)
    if moment is None:
        return ""
    return format_date(moment.astimezone(UTC).date(), format="long", locale=locale)  # type: ignore[arg-type]
