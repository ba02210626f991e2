"""Rotation rewraps every stored data key — customers, subscription metadata, webhook secrets,
sealed idempotent responses — so retiring the old version loses nothing."""

from __future__ import annotations

from service.core.db import transaction
from service.events.models import WebhookEndpoint
from service.events.webhooks import endpoint_secret
from service.keys import keystore
from service.keys.rotation import retire, rotate_data_keys
from tests.canaries import canary_customer


def test_retiring_after_a_rotation_keeps_every_holder_readable(
    make_api, db_url, fresh_key_service
) -> None:
    api = make_api(db_url, key_service=fresh_key_service)
    created = api.call(
        "POST",
        "/v1/customers",
        who="service",
        json=canary_customer(),
        headers={"Idempotency-Key": "create-1"},
    )
    assert created.status_code == 201, created.text
    customer = created.json()["id"]
    sub = api.call(
        "POST",
        "/v1/subscriptions",
        who="service",
        json={
            "customer": customer,
            "plan": "gold",
            "amount": 1000,
            "currency": "usd",
            "interval": "month",
            "metadata": {"crm": "ref-77"},
        },
    )
    assert sub.status_code == 201, sub.text
    hook = api.call(
        "POST",
        "/v1/webhook-endpoints",
        json={"url": "https://hooks.example.com/x", "events": ["pause.started"]},
    )
    assert hook.status_code == 201
    with transaction(api.ctx.session_factory) as session:
        before = keystore.count_by_key_version(session)
    assert before == {1: 4}  # customer, subscription, webhook endpoint, idempotent response

    result = rotate_data_keys(api.ctx.session_factory, fresh_key_service, chunk_size=2)
    assert result.new_version == 2 and result.rewrapped == 4
    retire(api.ctx.session_factory, fresh_key_service, 2)
    api.ctx.data_keys.clear()

    with transaction(api.ctx.session_factory) as session:
        assert keystore.count_by_key_version(session) == {2: 4}
        endpoint = session.get(WebhookEndpoint, hook.json()["id"])
        assert endpoint_secret(fresh_key_service, endpoint) == hook.json()["secret"]
    read = api.call("GET", f"/v1/subscriptions/{sub.json()['id']}", who="service")
    assert read.status_code == 200 and read.json()["metadata"] == {"crm": "ref-77"}
    replay = api.call(
        "POST",
        "/v1/customers",
        who="service",
        json=canary_customer(),
        headers={"Idempotency-Key": "create-1"},
    )
    assert replay.status_code == 201 and replay.json()["id"] == customer
    revealed = api.call(
        "GET",
        f"/v1/customers/{customer}/reveal?fields=email",
        headers={"X-Purpose": "rotation check"},
    )
    assert revealed.status_code == 200
