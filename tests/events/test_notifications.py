"""Every event type, produced by its real cause and delivered to a real receiver: once per
cause, signed, with tokens and amounts only; charge.upcoming agrees with ``upcoming``."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.core.clock import FrozenClock
from service.events.signature import verify_signature
from tests import canaries
from tests.subscriptions.support import move_clock, new_subscription, upcoming

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ALL_TYPES = [
    "charge.upcoming",
    "pause.scheduled",
    "pause.started",
    "pause.ending",
    "pause.ended",
    "charge.succeeded",
    "charge.failed",
    "customer.erased",
]


def app_with_receiver(make_api, db_url, tmp_path, receiver, timeout: float):
    """An app on the test clock allowed to deliver to a plain-http loopback receiver, with the
    receiver subscribed to every type; returns the app and the endpoint's secret."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        DEFAULT_POLICY.read_text().replace(
            "allow_http_loopback_webhooks: false", "allow_http_loopback_webhooks: true"
        )
    )
    api = make_api(
        db_url,
        clock=FrozenClock(START),
        settings_overrides={
            "test_clock": True,
            "policy_file": policy,
            "webhook_timeout_seconds": timeout,
        },
    )
    endpoint = api.call(
        "POST", "/v1/webhook-endpoints", json={"url": receiver.url, "events": ALL_TYPES}
    )
    assert endpoint.status_code == 201, endpoint.text
    return api, endpoint.json()["secret"]


@pytest.fixture
def world(make_api, db_url, tmp_path, receiver):
    api, secret = app_with_receiver(make_api, db_url, tmp_path, receiver, timeout=2)
    return api, secret, receiver


def customer(api, payment_method="pm_card_visa") -> str:
    body = canaries.canary_customer(payment_method=payment_method)
    response = api.call("POST", "/v1/customers", who="service", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def received(receiver, secret) -> list[dict]:
    events = []
    for delivery in receiver.received:
        verify_signature(secret, delivery.headers["strongroom-signature"], delivery.body)
        assert canaries.scan(delivery.body.decode()) == []
        events.append(json.loads(delivery.body))
    return events


def at(days: float) -> str:
    return (START + timedelta(days=days)).isoformat()


def test_a_holiday_pause_produces_every_transition_once_then_the_resumed_charge_notice(world):
    api, secret, receiver = world
    sub = new_subscription(
        api, customer(api), amount=4900, currency="usd", interval="month", start_at=at(0.5)
    )
    pause_body = {
        "start": datetime(2026, 12, 24, tzinfo=UTC).isoformat(),
        "days": 15,
        "resume_mode": "shift",
    }
    pause = api.call(
        "POST", f"/v1/subscriptions/{sub['id']}/pauses", who="service", json=pause_body
    )
    assert pause.status_code == 201, pause.text
    ends_at = pause.json()["ends_at"]
    resumed_due = next(e["due_at"] for e in upcoming(api, sub["id"], 4) if e["due_at"] >= ends_at)
    # walk day by day through the holiday and past the resumed charge
    for day in range(1, 50):
        move_clock(api, at(day))
    events = received(receiver, secret)
    kinds = [e["type"] for e in events]
    counts = Counter(kinds)
    assert counts["pause.scheduled"] == counts["pause.started"] == 1
    assert counts["pause.ending"] == counts["pause.ended"] == 1
    assert kinds.index("pause.ending") < kinds.index("pause.ended")
    # the first charge (Dec 2) and the resumed one (Jan 2 moved by the 15 paused days)
    assert resumed_due.startswith("2027-01-17")
    assert counts["charge.succeeded"] == 2
    resumed_notices = [
        e for e in events if e["type"] == "charge.upcoming" and e["data"]["due_at"] == resumed_due
    ]
    assert len(resumed_notices) == 1
    notice = resumed_notices[0]["data"]
    assert notice == {
        "subscription": sub["id"],
        "customer": sub["customer"],
        "due_at": notice["due_at"],
        "amount": 4900,
        "credit_applied": 0,
        "amount_due": 4900,
        "currency": "USD",
        "pause": notice["pause"],
    }
    assert kinds.index("pause.ending") < events.index(resumed_notices[0])
    # each event id arrives once
    assert len({e["id"] for e in events}) == len(events)


def test_charge_upcoming_matches_upcoming_with_credits(world):
    api, secret, receiver = world
    sub = new_subscription(
        api, customer(api), amount=3000, currency="eur", interval="month", start_at=at(1)
    )
    pause = api.call(
        "POST",
        f"/v1/subscriptions/{sub['id']}/pauses",
        who="service",
        json={"start": at(10), "days": 10, "resume_mode": "credit"},
    )
    assert pause.status_code == 201, pause.text
    promised = {e["due_at"]: e for e in upcoming(api, sub["id"], 4)}
    for day in range(1, 70):
        move_clock(api, at(day))
    notices = [e["data"] for e in received(receiver, secret) if e["type"] == "charge.upcoming"]
    assert len(notices) >= 2
    for notice in notices:
        entry = promised[notice["due_at"]]
        assert (notice["amount"], notice["credit_applied"], notice["amount_due"]) == (
            entry["amount"],
            entry["credit_applied"],
            entry["amount_due"],
        )
    assert any(n["credit_applied"] > 0 for n in notices)


def test_declines_and_erasure_are_announced_with_tokens_only(world):
    api, secret, receiver = world
    declining = customer(api, payment_method="pm_card_chargeCustomerFail")
    failed = api.call(
        "POST",
        "/v1/charges",
        who="service",
        headers={"Idempotency-Key": "k1"},
        json={"customer": declining, "amount": 500, "currency": "usd"},
    )
    assert failed.status_code == 201 and failed.json()["status"] == "failed"
    erased = api.call("DELETE", f"/v1/customers/{declining}")
    assert erased.status_code == 200
    move_clock(api, at(0.01))
    events = received(receiver, secret)
    by_type = {e["type"]: e["data"] for e in events}
    assert by_type["charge.failed"]["customer"] == declining
    assert by_type["charge.failed"]["failure_code"] == "card_declined"
    assert by_type["customer.erased"] == {"customer": declining}


def test_a_dead_receiver_never_blocks_billing(make_api, db_url, tmp_path, receiver):
    api, _ = app_with_receiver(make_api, db_url, tmp_path, receiver, timeout=0.2)
    receiver.hang_seconds = 1  # longer than this app's delivery timeout
    sub = new_subscription(
        api, customer(api), amount=1500, currency="usd", interval="week", start_at=at(0.5)
    )
    for day in (1, 4, 8, 11, 15):
        move_clock(api, at(day))
    charges = api.call("GET", f"/v1/charges?subscription={sub['id']}", who="service").json()
    assert [c["status"] for c in charges["data"]] == ["succeeded"] * 3
    assert receiver.received == []
    assert api.call("GET", "/v1/events?type=charge.succeeded", who="service").json()["data"]
