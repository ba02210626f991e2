"""What ``upcoming`` promises is what the engine runs as the test clock advances: pause
transitions happen on the promised dates, and ``next_charge_at`` is always the promised entry
after the last one handled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from service.core.clock import FrozenClock
from service.core.db import transaction
from service.subscriptions.models import Subscription
from tests.fixtures.app import Api
from tests.subscriptions.support import (
    move_clock,
    new_customer,
    new_subscription,
    pause,
    read,
    upcoming,
)


def parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def charged_through(api: Api, token: str) -> int:
    with transaction(api.ctx.session_factory) as session:
        query = select(Subscription.charged_through_index).where(Subscription.id == token)
        return int(session.execute(query).scalar_one())


@pytest.mark.parametrize("step_days", [1, 9, 200])
def test_upcoming_promised_at_the_start_is_kept_in_small_steps_and_in_one_jump(
    make_api: Callable[..., Api], sqlite_url: str, test_clock: FrozenClock, step_days: int
) -> None:
    api = make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})
    token = new_subscription(
        api, new_customer(api), start_at="2026-12-03T00:00:00Z", interval="week", amount=1000
    )["id"]
    windows: list[dict[str, Any]] = [
        {"start": "2026-12-20T00:00:00Z", "days": 10, "resume_mode": "shift"},
        {"start": "2027-01-20T00:00:00Z", "days": 15, "resume_mode": "skip"},
        {"start": "2027-02-14T12:00:00Z", "days": 9, "resume_mode": "credit"},
    ]
    pauses = [pause(api, token, **window).json() for window in windows]
    promised = upcoming(api, token, 40)
    by_index = {n: entry for n, entry in enumerate(promised)}
    end = datetime(2027, 6, 1, tzinfo=UTC)

    now = test_clock.now()
    while now < end:
        now = min(now + timedelta(days=step_days), end)
        move_clock(api, now.isoformat())
        view = read(api, token)
        ahead = [entry for entry in promised if parse(entry["due_at"]) >= now]
        assert upcoming(api, token, len(ahead)) == ahead
        active = [
            p
            for p in pauses
            if parse(p["starts_at"]) <= now < parse(p["ends_at"])  # type: ignore[operator]
        ]
        assert view["status"] == ("paused" if active else "active")
        handled = charged_through(api, token)
        assert parse(view["next_charge_at"]) == parse(by_index[handled + 1]["due_at"])

    statuses = {p["id"]: p["status"] for p in read(api, token)["pauses"]}
    assert set(statuses.values()) == {"completed"}
    credit = next(p for p in read(api, token)["pauses"] if p["resume_mode"] == "credit")
    assert credit["credit_amount"] == sum(entry["credit_applied"] for entry in promised) > 0
