"""``POST /v1/subscriptions/{id}/pause-links`` and ``DELETE /v1/pause-links/{id}`` as API.md
describes them: who may call them, what they validate, what they return and record."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from service.audit.models import AuditEvent
from service.pauselinks.models import PauseLink
from tests.pauselinks.support import at, clocked_api, confirmation, new_link, subscriber
from tests.subscriptions.support import new_customer, new_subscription


def create(api, subscription: str, who: str = "service", **body):
    return api.call("POST", f"/v1/subscriptions/{subscription}/pause-links", who=who, json=body)


def test_a_link_is_created_with_a_random_token_url_and_default_expiry(api) -> None:
    sub = new_subscription(api, new_customer(api))
    response = create(api, sub["id"], return_url="https://shop.example/account")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "url", "expires_at"}
    assert re.fullmatch(r"pl_[0-9a-f]{24}", body["id"])
    assert re.fullmatch(r"http://testserver/p/[A-Za-z0-9_-]{32}", body["url"])
    second = create(api, sub["id"]).json()
    assert second["url"] != body["url"]
    with api.ctx.session_factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "pauses:pause_link:create")
        ).first()
        assert event is not None and event.actor == "service"
        assert set(json.loads(event.targets)) == {sub["id"], body["id"]}


def test_expiry_is_hours_from_now_and_lengths_must_fit_the_policy(
    make_api, sqlite_url, tmp_path
) -> None:
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    assert create(api, sub["id"]).json()["expires_at"] == "2026-12-04T12:00:00Z"
    assert create(api, sub["id"], expires_in_hours=168).json()["expires_at"] == (
        "2026-12-08T12:00:00Z"
    )
    for body in (
        {"expires_in_hours": 169},
        {"expires_in_hours": 0},
        {"expires_in_hours": "24"},
        {"lengths": []},
        {"lengths": [14.5]},
        {"return_url": "http://shop.example/"},
        {"return_url": "javascript:alert(1)"},
        {"return_url": "https://user:pw@shop.example/"},
        {"colour": "blue"},
    ):
        response = create(api, sub["id"], **body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == "invalid_request"
    for lengths in ([6], [14, 91]):
        response = create(api, sub["id"], lengths=lengths)
        assert response.status_code == 422 and response.json()["code"] == "policy_violation"


def test_only_service_and_admin_may_create_or_revoke_and_unknown_ones_are_404(sqlite_api) -> None:
    api = sqlite_api
    sub = new_subscription(api, new_customer(api))
    assert create(api, sub["id"], who="admin").status_code == 201
    assert create(api, sub["id"], who="compliance").status_code == 403
    assert create(api, "sub_tok_" + "0" * 24, who="service").status_code == 404
    link = create(api, sub["id"]).json()["id"]
    assert api.call("DELETE", f"/v1/pause-links/{link}", who="compliance").status_code == 403
    assert api.call("DELETE", "/v1/pause-links/pl_" + "0" * 24, who="compliance").status_code == 404
    assert api.call("DELETE", "/v1/pause-links/pl_" + "0" * 24, who="service").status_code == 404


def test_revoking_is_repeatable_but_a_used_link_cannot_be_revoked(
    make_api, sqlite_url, tmp_path
) -> None:
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    link_id, _ = new_link(api, sub["id"])
    for _ in range(2):
        response = api.call("DELETE", f"/v1/pause-links/{link_id}", who="service")
        assert response.status_code == 200 and response.json() == {"id": link_id, "revoked": True}
    used_id, path = new_link(api, sub["id"])
    browser = subscriber(api)
    page = browser.get(path, params={"days": "7"})
    assert browser.post(path, data=confirmation(page.text)).status_code == 200
    refused = api.call("DELETE", f"/v1/pause-links/{used_id}", who="service")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"


def test_no_link_for_a_canceled_subscription_or_an_erased_customer(sqlite_api) -> None:
    api = sqlite_api
    sub = new_subscription(api, new_customer(api, 1))
    assert (
        api.call(
            "POST", f"/v1/subscriptions/{sub['id']}/cancel", who="service", json={"at": "now"}
        ).status_code
        == 200
    )
    assert create(api, sub["id"]).status_code == 409
    other = new_subscription(api, new_customer(api, 2))
    link_id, path = new_link(api, other["id"], return_url="https://shop.example/a?who=holly2")
    assert api.call("DELETE", f"/v1/customers/{other['customer']}").status_code == 200
    assert create(api, other["id"]).status_code == 410
    closed = subscriber(api).get(path)
    assert closed.status_code == 410 and "no longer valid" in closed.text
    # Erasure revoked the link and forgot its return URL (it could have named the person).
    with api.ctx.session_factory() as session:
        link = session.get(PauseLink, link_id)
        assert link is not None and link.revoked_at is not None and link.return_url is None


def test_the_operations_are_published_and_the_page_is_not(sqlite_api) -> None:
    schema = sqlite_api.call("GET", "/openapi.json", who=None).json()
    create_op = schema["paths"]["/v1/subscriptions/{subscription_id}/pause-links"]["post"]
    revoke_op = schema["paths"]["/v1/pause-links/{link_id}"]["delete"]
    assert create_op["x-action"] == "pauses:pause_link:create"
    assert revoke_op["x-action"] == "pauses:pause_link:revoke"
    assert "expires_in_hours" in json.dumps(schema["components"]["schemas"]["PauseLinkCreate"])
    assert "x-idempotency" not in create_op  # no stored response may keep the token
    assert not [path for path in schema["paths"] if path.startswith("/p/")]
