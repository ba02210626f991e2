"""Webhook endpoints and signed, at-least-once delivery to a real HTTP receiver."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from service.core.db import transaction
from service.events.outbox import emit
from service.events.signature import SignatureError, sign, verify_signature
from service.events.types import EventType
from tests.core.test_app import assert_problem

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"


@pytest.fixture
def events_api(make_api, db_url, test_clock, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        DEFAULT_POLICY.read_text().replace(
            "allow_http_loopback_webhooks: false", "allow_http_loopback_webhooks: true"
        )
    )
    return make_api(
        db_url,
        clock=test_clock,
        settings_overrides={
            "test_clock": True,
            "policy_file": policy,
            "webhook_timeout_seconds": 0.5,
        },
    )


def register(api, url: str, events=("pause.started", "charge.succeeded")) -> dict:
    response = api.call("POST", "/v1/webhook-endpoints", json={"url": url, "events": list(events)})
    assert response.status_code == 201, response.text
    return response.json()


def emit_now(api, type_=EventType.PAUSE_STARTED, data=None) -> str:
    with transaction(api.ctx.session_factory) as session:
        return emit(
            session,
            type_,
            data or {"subscription": "sub_tok_abc", "pause": "pau_x"},
            api.ctx.clock.now(),
        )


def advance(api, seconds: int) -> None:
    now = api.ctx.clock.now() + timedelta(seconds=seconds)
    response = api.call("POST", "/v1/test/clock", json={"now": now.isoformat()})
    assert response.status_code == 200, response.text


def test_the_secret_is_shown_once_and_stored_only_encrypted(events_api, receiver, db_url) -> None:
    created = register(events_api, receiver.url)
    assert created["secret"].startswith("whsec_")
    read = events_api.call("GET", f"/v1/webhook-endpoints/{created['id']}").json()
    assert "secret" not in read and read["url"] == receiver.url
    listed = events_api.call("GET", "/v1/webhook-endpoints").json()["data"]
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
    with events_api.ctx.engine.connect() as conn:
        stored = conn.execute(text("SELECT secret_ct FROM webhook_endpoints")).scalar_one()
    assert created["secret"].encode() not in bytes(stored)


def test_an_event_is_delivered_once_with_a_valid_signature(events_api, receiver) -> None:
    created = register(events_api, receiver.url)
    event_id = emit_now(events_api)
    advance(events_api, 1)
    advance(events_api, 1)
    assert len(receiver.received) == 1
    delivery = receiver.received[0]
    body = json.loads(delivery.body)
    assert body["id"] == event_id and body["type"] == "pause.started"
    assert body["data"] == {"subscription": "sub_tok_abc", "pause": "pau_x"}
    header = delivery.headers["strongroom-signature"]
    assert abs(verify_signature(created["secret"], header, delivery.body) - time.time()) < 60
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(created["secret"], header, delivery.body.replace(b"pau_x", b"pau_y"))
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature("whsec_other", header, delivery.body)
    stale = sign(created["secret"], delivery.body, int(time.time()) - 301)
    with pytest.raises(SignatureError, match="too old"):
        verify_signature(created["secret"], stale, delivery.body)
    with pytest.raises(SignatureError):
        verify_signature(created["secret"], "garbage", delivery.body)


def test_unsubscribed_types_are_not_delivered(events_api, receiver) -> None:
    register(events_api, receiver.url, events=("charge.failed",))
    emit_now(events_api)
    advance(events_api, 1)
    assert receiver.received == []


def test_a_receiver_that_fails_first_gets_the_event_later(events_api, receiver) -> None:
    created = register(events_api, receiver.url)
    receiver.fail_first = 2
    emit_now(events_api)
    advance(events_api, 1)
    assert receiver.received == []
    for _ in range(4):
        advance(events_api, 3600)
    assert len(receiver.received) == 1
    deliveries = events_api.call("GET", f"/v1/webhook-endpoints/{created['id']}/deliveries").json()[
        "data"
    ]
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("delivered", 3)]


def test_a_receiver_that_never_answers_ends_in_a_visible_failed_state(events_api, receiver):
    created = register(events_api, receiver.url)
    receiver.hang_seconds = 1.0  # longer than the 0.5 s timeout of this app
    emit_now(events_api)
    for _ in range(9):
        advance(events_api, 7 * 3600)
    failed = events_api.call(
        "GET", f"/v1/webhook-endpoints/{created['id']}/deliveries?status=failed"
    ).json()["data"]
    assert len(failed) == 1 and failed[0]["attempts"] == 8
    assert failed[0]["last_error"] == "no_response"  # one coarse class, see test_ssrf
    assert receiver.received == []
    audited = events_api.call("GET", "/v1/audit/events?action=jobs:event:deliver").json()["data"]
    assert len(audited) == 8 and all(
        e["actor"] == "system" and e["status"] is None for e in audited
    )


def test_webhook_urls_must_be_https_and_public(make_api, sqlite_url) -> None:
    api = make_api(sqlite_url)
    for url in (
        "http://example.com/hook",
        "https://10.0.0.5/hook",
        "https://127.0.0.1/x",
        "http://127.0.0.1:9/x",
        "ftp://example.com",
        "https://user:pw@example.com/",
    ):
        response = api.call(
            "POST", "/v1/webhook-endpoints", json={"url": url, "events": ["pause.started"]}
        )
        assert_problem(response, 422, "invalid_request")
        assert url not in response.text
    ok = api.call(
        "POST",
        "/v1/webhook-endpoints",
        json={"url": "https://hooks.example.com/strongroom", "events": ["pause.ended"]},
    )
    assert ok.status_code == 201


def test_only_admins_manage_endpoints(sqlite_api) -> None:
    body = {"url": "https://hooks.example.com/x", "events": ["pause.ended"]}
    assert_problem(
        sqlite_api.call("POST", "/v1/webhook-endpoints", who="service", json=body), 403, "forbidden"
    )
    created = sqlite_api.call("POST", "/v1/webhook-endpoints", json=body).json()
    assert_problem(
        sqlite_api.call("DELETE", f"/v1/webhook-endpoints/{created['id']}", who="compliance"),
        403,
        "forbidden",
    )
    assert sqlite_api.call("DELETE", f"/v1/webhook-endpoints/{created['id']}").json() == {
        "id": created["id"],
        "deleted": True,
    }
    assert_problem(sqlite_api.call("GET", f"/v1/webhook-endpoints/{created['id']}"), 410, "gone")


def test_events_can_be_polled_in_order_by_type_and_after(events_api) -> None:
    first = emit_now(events_api)
    second = emit_now(events_api, EventType.CHARGE_SUCCEEDED, {"charge": "ch_1"})
    third = emit_now(events_api)
    every = events_api.call("GET", "/v1/events", who="service").json()["data"]
    assert [e["id"] for e in every] == [first, second, third]
    after = events_api.call(
        "GET", f"/v1/events?after={first}&type=pause.started", who="service"
    ).json()["data"]
    assert [e["id"] for e in after] == [third]
    assert_problem(events_api.call("GET", "/v1/events", who="compliance"), 403, "forbidden")
    assert_problem(
        events_api.call("GET", "/v1/events?after=evt_" + "0" * 24), 422, "invalid_request"
    )
