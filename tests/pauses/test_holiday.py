"""The holiday scenario end to end through the HTTP API, on the test clock: preview a 15-day
shift pause from Dec 24 for a book of subscriptions, apply it, and live through it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from service.audit.verify import verify_with
from service.core.clock import FrozenClock
from service.core.db import transaction
from tests.fixtures.app import Api
from tests.subscriptions.support import move_clock, new_customer, new_subscription, read, upcoming

HOLIDAY_START = datetime(2026, 12, 24, tzinfo=UTC)
HOLIDAY_END = HOLIDAY_START + timedelta(days=15)
PLANS = [
    ("basic", "USD", 990, "month", 1),
    ("pro", "EUR", 2900, "month", 1),
    ("team", "GBP", 14900, "month", 3),
    ("weekly", "JPY", 500, "week", 2),
    ("annual", "USD", 99000, "year", 1),
]


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_holiday_pause_moves_every_later_renewal_by_fifteen_days_and_nothing_is_due_inside(
    make_api: Callable[..., Api], db_url: str, test_clock: FrozenClock
) -> None:
    api = make_api(db_url, clock=test_clock, settings_overrides={"test_clock": True})
    book: list[dict[str, Any]] = []
    for n in range(15):
        plan, currency, amount, interval, count = PLANS[n % len(PLANS)]
        start = datetime(2026, 12, 2, tzinfo=UTC) + timedelta(days=2 * n, hours=n)
        book.append(
            new_subscription(
                api,
                new_customer(api, n),
                plan=plan,
                currency=currency,
                amount=amount,
                interval=interval,
                interval_count=count,
                start_at=start.isoformat(),
                tags=["holiday-2026"],
            )
        )
    before = {sub["id"]: upcoming(api, sub["id"], 10) for sub in book}
    selector = {"tags": ["holiday-2026"]}
    window = {"start": HOLIDAY_START.isoformat(), "days": 15, "resume_mode": "shift"}

    preview = api.call(
        "POST", "/v1/pauses/bulk", json={"selector": selector, **window, "dry_run": True}
    ).json()
    applied = api.call(
        "POST", "/v1/pauses/bulk", json={"selector": selector, **window, "dry_run": False}
    )

    assert applied.status_code == 201, applied.text
    expected_affected: dict[str, dict[str, int]] = {}
    for plan, currency, amount, _, _ in PLANS:
        entry = expected_affected.setdefault(currency, {"subscriptions": 0, "recurring_amount": 0})
        entry["subscriptions"] += 3
        entry["recurring_amount"] += 3 * amount
    assert preview["affected"] == applied.json()["affected"] == expected_affected
    assert applied.json()["paused"] == 15
    after = {sub["id"]: upcoming(api, sub["id"], 10) for sub in book}
    for token, old in before.items():
        new = after[token]
        for old_entry, new_entry in zip(old, new, strict=True):
            old_due, new_due = parse(old_entry["due_at"]), parse(new_entry["due_at"])
            shift = timedelta(days=15) if old_due >= HOLIDAY_START else timedelta(0)
            assert new_due == old_due + shift
            assert not HOLIDAY_START <= new_due < HOLIDAY_END
            assert new_entry["amount_due"] == old_entry["amount_due"]

    move_clock(api, "2026-12-24T00:00:00Z")
    assert {read(api, sub["id"])["status"] for sub in book} == {"paused"}
    move_clock(api, "2027-01-02T00:00:00Z")
    assert {read(api, sub["id"])["status"] for sub in book} == {"paused"}
    move_clock(api, "2027-01-08T00:00:00Z")
    assert {read(api, sub["id"])["status"] for sub in book} == {"active"}
    for sub in book:
        still_ahead = [e for e in after[sub["id"]] if parse(e["due_at"]) >= HOLIDAY_END]
        assert upcoming(api, sub["id"], len(still_ahead)) == still_ahead
        assert read(api, sub["id"])["pauses"][0]["status"] == "completed"

    with transaction(api.ctx.session_factory) as session:
        result = verify_with(session.connection(), api.ctx.key_service)
    assert result.ok, result
