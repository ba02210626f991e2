"""An attacker's review of the day's changes found these; each test fails without its fix."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from service.access.ratelimit import address_bucket
from service.core.pagination import encode_cursor
from tests.fixtures.app import Api
from tests.pauselinks.support import at, clocked_api, confirmation, new_link, subscriber
from tests.subscriptions.support import new_customer, new_subscription


def audit_rows(api: Api, action: str) -> list[Any]:
    with api.ctx.engine.connect() as conn:
        return conn.execute(
            text("SELECT targets, fields, status FROM audit_events WHERE action = :a ORDER BY pk"),
            {"a": action},
        ).all()


def test_a_replayed_response_is_audited_as_the_read_it_is(sqlite_api: Api) -> None:
    body = {"name": "Replay Person", "email": "replay@example.com", "metadata": {"plan": "x"}}
    headers = {"Idempotency-Key": "idem-review-1"}
    first = sqlite_api.call("POST", "/v1/customers", who="service", json=body, headers=headers)
    again = sqlite_api.call("POST", "/v1/customers", who="service", json=body, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    token = first.json()["id"]
    original, replayed = audit_rows(sqlite_api, "customers:customer:create")[-2:]
    assert token in original.targets
    # The replay returned the same customer data: the same targets and categories.
    assert replayed.targets == original.targets
    assert replayed.fields == original.fields


@pytest.fixture
def linked(make_api: Any, sqlite_url: str, tmp_path: Any) -> tuple[Api, str]:
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    _, path = new_link(api, sub["id"])
    return api, path


def test_unicode_digits_and_a_non_ascii_csrf_token_are_refused_not_a_500(
    linked: tuple[Api, str],
) -> None:
    api, path = linked
    browser = subscriber(api)
    assert browser.get(path, params={"days": "²"}).status_code in (400, 422)
    form = confirmation(browser.get(path, params={"days": "14"}).text)
    assert browser.post(path, data={**form, "days": "²"}).status_code in (400, 422)
    assert browser.post(path, data={**form, "csrf": "é"}).status_code == 403


def test_a_non_ascii_csrf_token_at_console_sign_in_is_403(sqlite_api: Api) -> None:
    sqlite_api.client.get("/console/sign-in")
    refused = sqlite_api.client.post(
        "/console/sign-in", data={"api_key": sqlite_api.keys["admin"], "csrf": "é"}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/subscriptions", {"cursor": encode_cursor(["0001-01-01T00:00:00+01:00", "x"])}),
        ("/v1/charges", {"cursor": encode_cursor(["9999-12-31T23:59:59-01:00", "x"])}),
        ("/v1/audit/events", {"cursor": encode_cursor(2**63)}),
        ("/v1/audit/sth", {"tree_size": str(2**63)}),
        ("/v1/audit/consistency", {"first": "1", "second": "9" * 25}),
    ],
)
def test_overflowing_cursors_and_positions_are_422(
    sqlite_api: Api, path: str, params: dict[str, str]
) -> None:
    assert sqlite_api.call("GET", path, params=params).status_code == 422


def test_an_unknown_field_name_is_not_echoed(sqlite_api: Api) -> None:
    refused = sqlite_api.call(
        "POST",
        "/v1/customers",
        who="service",
        json={"name": "A B", "email": "ab@example.com", "john_smith_1970": 1},
    )
    assert refused.status_code == 422
    assert "john_smith" not in refused.text
    assert "<unknown>" in refused.text


def test_ipv6_addresses_of_one_slash_64_share_a_rate_bucket() -> None:
    assert address_bucket("2001:db8::1") == address_bucket("2001:db8::ffff:1234:1")
    assert address_bucket("2001:db8::1") != address_bucket("2001:db8:0:1::1")
    assert address_bucket("::ffff:192.0.2.7") == address_bucket("192.0.2.7") == "192.0.2.7"
    assert address_bucket("testclient") == "testclient"
