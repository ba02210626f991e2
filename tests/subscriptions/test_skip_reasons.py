"""A bulk pause skips a subscription for exactly the reason a single pause of it would fail:
the domain error carries the slug bulk reports (``service/subscriptions/errors.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.core.clock import FrozenClock
from service.core.errors import ServiceError
from service.subscriptions.errors import (
    EndsBeforePause,
    PauseOverlaps,
    SkipReason,
    TooFewDueDates,
)
from tests.fixtures.app import Api
from tests.subscriptions.support import new_customer, new_subscription, pause

HOLIDAY = {"start": "2026-12-24T00:00:00Z", "days": 15, "resume_mode": "shift"}


@pytest.fixture
def clocked(make_api: Callable[..., Api], sqlite_url: str, test_clock: FrozenClock) -> Api:
    return make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})


def _single_and_bulk(api: Api, subscription: str, tag: str, window: dict[str, Any]) -> Any:
    single = pause(api, subscription, **window)
    body = {"selector": {"tags": [tag]}, **window, "dry_run": False}
    bulk = api.call("POST", "/v1/pauses/bulk", who="admin", json=body)
    assert bulk.status_code == 201, bulk.text
    return single, bulk.json()["skipped"]


@pytest.mark.parametrize(
    ("error", "setup", "window"),
    [
        (PauseOverlaps(), "own_pause", HOLIDAY),
        (EndsBeforePause(), "cancel_at_period_end", HOLIDAY),
        (
            TooFewDueDates(),
            "cancel_at_period_end",
            {"start": "2026-12-24T00:00:00Z", "cycles": 3, "resume_mode": "skip"},
        ),
    ],
)
def test_a_single_pause_fails_with_the_error_whose_slug_bulk_skips_with(
    clocked: Api, error: ServiceError, setup: str, window: dict[str, Any]
) -> None:
    tag = "t-" + setup.replace("_", "-")
    customer = new_customer(clocked, 7)
    subscription = new_subscription(clocked, customer, start_at="2026-12-10T00:00:00Z", tags=[tag])[
        "id"
    ]
    if setup == "own_pause":
        own = pause(clocked, subscription, start="2026-12-30T00:00:00Z", days=3, resume_mode="skip")
        assert own.status_code == 201, own.text
    else:
        response = clocked.call(
            "POST",
            f"/v1/subscriptions/{subscription}/cancel",
            who="service",
            json={"at": "period_end"},
        )
        assert response.status_code == 200, response.text

    single, skipped = _single_and_bulk(clocked, subscription, tag, window)

    assert single.status_code == error.status, single.text
    assert (single.json()["code"], single.json()["detail"]) == (error.code, error.detail)
    reason = error.skip_reason  # type: ignore[attr-defined]
    assert isinstance(reason, SkipReason)
    assert skipped == [{"subscription": subscription, "reason": str(reason)}]
