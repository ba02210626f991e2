"""Bulk pauses: selector, dry run, apply, skipped conflicts, audit per subscription, cancel."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from service.access.policy import Limits
from service.audit.models import AuditEvent
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.events.models import Event
from service.subscriptions.models import BulkOperation, Pause
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.subscriptions.support import (
    count_rows,
    move_clock,
    new_customer,
    new_subscription,
    pause,
    read,
    upcoming,
)

HOLIDAY = {"start": "2026-12-24T00:00:00Z", "days": 15, "resume_mode": "shift"}


@pytest.fixture
def clocked(make_api: Callable[..., Api], db_url: str, test_clock: FrozenClock) -> Api:
    return make_api(db_url, clock=test_clock, settings_overrides={"test_clock": True})


@pytest.fixture
def book(clocked: Api) -> dict[str, str]:
    """Five subscriptions: gold USD x2 (one tagged eu+b2b), gold EUR, silver USD, canceled gold."""
    first, second = new_customer(clocked, 1), new_customer(clocked, 2)
    start = "2026-12-10T00:00:00Z"
    made = {
        "gold_usd_eu": new_subscription(clocked, first, start_at=start, tags=["eu", "b2b"]),
        "gold_usd": new_subscription(clocked, first, start_at=start, amount=5000, tags=["eu"]),
        "gold_eur": new_subscription(clocked, second, start_at=start, currency="EUR", amount=700),
        "silver_usd": new_subscription(clocked, second, start_at=start, plan="silver"),
        "canceled": new_subscription(clocked, second, start_at=start),
    }
    canceled = made["canceled"]["id"]
    clocked.call("POST", f"/v1/subscriptions/{canceled}/cancel", who="service", json={"at": "now"})
    return {name: sub["id"] for name, sub in made.items()}


def bulk(api: Api, selector: dict[str, Any], dry_run: bool, **window: Any) -> Any:
    body = {"selector": selector, **(window or HOLIDAY), "dry_run": dry_run}
    return api.call("POST", "/v1/pauses/bulk", who="admin", json=body)


def test_a_dry_run_answers_the_revenue_affected_and_creates_nothing(
    clocked: Api, book: dict[str, str]
) -> None:
    response = bulk(clocked, {"plan": "gold"}, True)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": None,
        "dry_run": True,
        "matched": 3,
        "paused": 3,
        "skipped": [],
        "affected": {
            "EUR": {"subscriptions": 1, "recurring_amount": 700},
            "USD": {"subscriptions": 2, "recurring_amount": 8000},
        },
    }
    assert count_rows(clocked, Pause) == 0
    assert count_rows(clocked, BulkOperation) == 0


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"tags": ["eu"]}, {"gold_usd_eu", "gold_usd"}),
        ({"tags": ["eu", "b2b"]}, {"gold_usd_eu"}),
        ({"currency": "eur"}, {"gold_eur"}),
        ({"plan": "silver"}, {"silver_usd"}),
        ({"all": True}, {"gold_usd_eu", "gold_usd", "gold_eur", "silver_usd"}),
        ({"plan": "gold", "currency": "USD"}, {"gold_usd_eu", "gold_usd"}),
    ],
)
def test_the_selector_matches_live_subscriptions_by_every_criterion(
    clocked: Api, book: dict[str, str], selector: dict[str, Any], expected: set[str]
) -> None:
    response = bulk(clocked, selector, False)

    assert response.status_code == 201, response.text
    with transaction(clocked.ctx.session_factory) as session:
        paused = set(session.execute(select(Pause.subscription)).scalars())
    assert paused == {book[name] for name in expected}
    assert response.json()["paused"] == len(expected)


def test_the_customer_criterion_selects_that_customers_subscriptions(
    clocked: Api, book: dict[str, str]
) -> None:
    customer = read(clocked, book["gold_eur"])["customer"]
    response = bulk(clocked, {"customer": customer}, True)
    assert response.json()["matched"] == 2


def test_applying_pauses_each_subscription_with_its_own_audit_event(
    clocked: Api, book: dict[str, str]
) -> None:
    response = bulk(clocked, {"plan": "gold"}, False, reason="winter holiday", **HOLIDAY)

    assert response.status_code == 201, response.text
    bulk_id = response.json()["id"]
    assert bulk_id.startswith("bulk_")
    gold = read(clocked, book["gold_usd"])
    assert gold["pauses"][0]["bulk"] == bulk_id
    assert gold["pauses"][0]["status"] == "scheduled"
    assert gold["pauses"][0]["created_by"] == "admin"
    assert [e["due_at"][:10] for e in upcoming(clocked, book["gold_usd"], 3)] == [
        "2026-12-10",
        "2027-01-25",
        "2027-02-25",
    ]
    with transaction(clocked.ctx.session_factory) as session:
        events = list(
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.action.like("pauses:%"))
                .order_by(AuditEvent.seq)
            ).scalars()
        )
    per_subscription = [e for e in events if e.action == "pauses:pause:create"]
    assert len(per_subscription) == 3
    for event in per_subscription:
        assert event.actor == "admin" and bulk_id in event.targets
        assert event.purpose == "winter holiday"
    request_event = events[-1]
    assert request_event.action == "pauses:bulk:create"
    assert request_event.targets == f'["{bulk_id}"]'


def test_a_subscription_whose_pauses_overlap_is_skipped_with_its_reason(
    clocked: Api, book: dict[str, str]
) -> None:
    own = pause(clocked, book["gold_usd"], start="2026-12-30T00:00:00Z", days=3, resume_mode="skip")
    assert own.status_code == 201

    response = bulk(clocked, {"plan": "gold"}, False)

    assert response.json()["paused"] == 2
    assert response.json()["skipped"] == [
        {"subscription": book["gold_usd"], "reason": "overlapping_pause"}
    ]
    assert response.json()["affected"]["USD"] == {"subscriptions": 1, "recurring_amount": 3000}
    # API.md: the skipped subscription gets its own audit event naming it (with the bulk id)
    bulk_id = response.json()["id"]
    with transaction(clocked.ctx.session_factory) as session:
        skipped = [
            (json.loads(e.targets), e.purpose, e.outcome)
            for e in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "pauses:pause:create",
                    AuditEvent.targets.like(f"%{book['gold_usd']}%"),
                    AuditEvent.targets.like(f"%{bulk_id}%"),
                )
            )
        ]
    assert skipped == [([book["gold_usd"], bulk_id], "skipped: overlapping_pause", "error")]


def test_canceling_a_bulk_operation_cancels_only_pauses_not_started(
    clocked: Api, book: dict[str, str]
) -> None:
    early = bulk(
        clocked, {"plan": "silver"}, False, start="2026-12-05T00:00:00Z", days=3, resume_mode="skip"
    )
    late = bulk(clocked, {"plan": "gold"}, False)
    move_clock(clocked, "2026-12-06T00:00:00Z")
    assert read(clocked, book["silver_usd"])["status"] == "paused"

    canceled_early = clocked.call("DELETE", f"/v1/pauses/bulk/{early.json()['id']}", who="admin")
    canceled_late = clocked.call("DELETE", f"/v1/pauses/bulk/{late.json()['id']}", who="admin")

    assert canceled_early.json() == {"id": early.json()["id"], "canceled": 0}
    assert canceled_late.json() == {"id": late.json()["id"], "canceled": 3}
    assert read(clocked, book["silver_usd"])["pauses"][0]["status"] == "active"
    assert read(clocked, book["gold_usd"])["pauses"][0]["status"] == "canceled"
    assert [e["due_at"][:10] for e in upcoming(clocked, book["gold_usd"], 2)] == [
        "2026-12-10",
        "2027-01-10",
    ]
    missing = clocked.call("DELETE", "/v1/pauses/bulk/bulk_000000000000000000000000", who="admin")
    assert_problem(missing, 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"selector": {}, **HOLIDAY, "dry_run": True},
        {"selector": {"plan": None}, **HOLIDAY, "dry_run": True},
        {"selector": {"all": False}, **HOLIDAY, "dry_run": True},
        {"selector": {"plan": "gold", "unknown": 1}, **HOLIDAY, "dry_run": True},
        {"selector": {"plan": "gold"}, **HOLIDAY},
        {"selector": {"plan": "gold"}, **HOLIDAY, "dry_run": "yes"},
        {"selector": {"currency": "XTS"}, **HOLIDAY, "dry_run": True},
        {
            "selector": {"plan": "gold"},
            "start": "2026-11-30T00:00:00Z",
            "days": 3,
            "resume_mode": "skip",
            "dry_run": False,
        },
        {
            "selector": {"plan": "gold"},
            "start": "now",
            "days": 3,
            "cycles": 1,
            "resume_mode": "skip",
            "dry_run": False,
        },
    ],
)
def test_invalid_bulk_requests_are_422_and_write_nothing(
    clocked: Api, book: dict[str, str], body: dict[str, Any]
) -> None:
    response = clocked.call("POST", "/v1/pauses/bulk", who="admin", json=body)
    assert_problem(response, 422, "invalid_request")
    assert count_rows(clocked, Pause) == 0


def test_more_matches_than_the_policy_allows_is_a_policy_violation(
    clocked: Api, book: dict[str, str]
) -> None:
    clocked.ctx.policy = clocked.ctx.policy.model_copy(
        update={"limits": Limits(max_bulk_subscriptions=3)}
    )
    assert_problem(bulk(clocked, {"all": True}, True), 422, "policy_violation")
    assert_problem(
        bulk(clocked, {"plan": "gold"}, False, start="now", days=91, resume_mode="skip"),
        422,
        "policy_violation",
    )
    assert bulk(clocked, {"plan": "gold"}, False).status_code == 201


def test_only_admins_may_pause_in_bulk(clocked: Api, book: dict[str, str]) -> None:
    body = {"selector": {"all": True}, **HOLIDAY, "dry_run": True}
    response = clocked.call("POST", "/v1/pauses/bulk", who="service", json=body)
    assert_problem(response, 403, "forbidden")


def test_a_bulk_pause_starting_now_pauses_every_match_at_once(
    clocked: Api, book: dict[str, str]
) -> None:
    response = bulk(clocked, {"plan": "gold"}, False, start="now", days=5, resume_mode="skip")

    assert response.status_code == 201, response.text
    for name in ("gold_usd_eu", "gold_usd", "gold_eur"):
        view = read(clocked, book[name])
        assert view["status"] == "paused"
        assert view["pauses"][0]["status"] == "active"
    assert read(clocked, book["silver_usd"])["status"] == "active"
    with transaction(clocked.ctx.session_factory) as session:
        started = session.execute(
            select(func.count()).select_from(Event).where(Event.type == "pause.started")
        ).scalar_one()
    assert started == 3
    move_clock(clocked, "2026-12-06T12:00:00Z")
    assert read(clocked, book["gold_usd"])["status"] == "active"


def test_period_end_and_cycles_give_each_subscription_its_own_window(
    clocked: Api, book: dict[str, str]
) -> None:
    later = new_subscription(
        clocked,
        new_customer(clocked, 3),
        start_at="2026-12-20T06:00:00Z",
        plan="weekly",
        interval="week",
    )["id"]
    response = bulk(clocked, {"all": True}, False, start="period_end", cycles=2, resume_mode="skip")

    assert response.status_code == 201, response.text
    first = read(clocked, book["gold_usd"])["pauses"][0]
    weekly = read(clocked, later)["pauses"][0]
    assert (first["starts_at"], first["ends_at"]) == (
        "2026-12-10T00:00:00Z",
        "2027-02-10T00:00:00Z",
    )
    assert (weekly["starts_at"], weekly["ends_at"]) == (
        "2026-12-20T06:00:00Z",
        "2027-01-03T06:00:00Z",
    )
