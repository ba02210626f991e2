"""Words and figures on the subscriber's pages, in the reader's locale where Babel has them."""

from __future__ import annotations

from typing import Any

from babel.units import format_unit
from jinja2 import Environment

from service.web import humanize

MODE_LABELS = {
    "shift": "Billing stops while paused; every later charge moves back by the pause.",
    "skip": "Charges that fall in the pause are skipped; the others keep their dates.",
    "credit": "Charges keep their dates; the paused time is credited against later charges.",
}


def length_label(days: int, locale: Any) -> str:
    """``2 weeks``, ``30 days`` (``2 Wochen``, ``30 Tage``)."""
    if days % 7 == 0:
        return str(format_unit(days // 7, "duration-week", length="long", locale=locale))
    return str(format_unit(days, "duration-day", length="long", locale=locale))


def interval_label(subscription: Any, locale: Any) -> str:
    """``month`` for every month, ``2 weeks`` for every other week."""
    if subscription.interval_count == 1:
        return str(subscription.interval)
    unit = f"duration-{subscription.interval}"
    return str(format_unit(subscription.interval_count, unit, length="long", locale=locale))


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


def install(env: Environment) -> Environment:
    env.filters["day"] = humanize.format_day
    env.filters["iso"] = humanize.iso_utc
    env.filters["length_label"] = length_label
    env.filters["interval"] = interval_label
    env.filters["mode_label"] = mode_label
    return env
