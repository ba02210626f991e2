"""The subscriptions API as API.md states it: validation, the resource, lists, cancel,
upcoming, metadata at rest and customer erasure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.core.clock import FrozenClock
from service.subscriptions.models import Subscription, SubscriptionTag
from tests.core.test_app import assert_problem
from tests.customers.support import raw_database_bytes
from tests.fixtures.app import Api
from tests.subscriptions.support import (
    audit_count,
    count_rows,
    move_clock,
    new_customer,
    new_subscription,
    pause,
    read,
    subscription_body,
    upcoming,
)

START = "2026-12-10T00:00:00Z"


@pytest.fixture
def clocked(make_api: Callable[..., Api], sqlite_url: str, test_clock: FrozenClock) -> Api:
    return make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})


def test_create_answers_the_subscription_resource_exactly(clocked: Api) -> None:
    customer = new_customer(clocked)
    created = new_subscription(
        clocked, customer, currency="eur", start_at="2026-12-10T01:00:00+01:00", tags=["b2b"]
    )

    assert created["id"].startswith("sub_tok_")
    assert {k: v for k, v in created.items() if k not in ("id",)} == {
        "customer": customer,
        "status": "active",
        "plan": "gold",
        "amount": 3000,
        "currency": "EUR",
        "interval": "month",
        "interval_count": 1,
        "tags": ["b2b"],
        "metadata": {},
        "start_at": START,
        "current_period_start": None,
        "current_period_end": None,
        "next_charge_at": START,
        "cancel_at": None,
        "canceled_at": None,
        "pauses": [],
        "created_at": "2026-12-01T12:00:00Z",
    }
    assert read(clocked, created["id"]) == created


def test_start_at_defaults_to_now_and_the_current_period_is_the_first(clocked: Api) -> None:
    created = new_subscription(clocked, new_customer(clocked), interval="week", interval_count=2)

    assert created["start_at"] == "2026-12-01T12:00:00Z"
    assert created["current_period_start"] == "2026-12-01T12:00:00Z"
    assert created["current_period_end"] == "2026-12-15T12:00:00Z"


@pytest.mark.parametrize(
    "overrides",
    [
        {"plan": ""},
        {"plan": "x" * 101},
        {"plan": "gold plan"},
        {"plan": "<script>"},
        {"amount": 0},
        {"amount": -5},
        {"amount": 10**12 + 1},
        {"amount": "3000"},
        {"amount": 30.5},
        {"currency": "XTS"},
        {"currency": "xau"},
        {"currency": "XXX"},
        {"currency": "ABC"},
        {"currency": "EURO"},
        {"currency": 978},
        {"interval": "fortnight"},
        {"interval": "month", "interval_count": 13},
        {"interval": "day", "interval_count": 366},
        {"interval": "week", "interval_count": 53},
        {"interval": "year", "interval_count": 2},
        {"interval_count": 0},
        {"start_at": "2026-12-01T11:58:59Z"},
        {"start_at": "2026-12-01 12:00"},
        {"start_at": "1999-12-31T00:00:00Z"},
        {"tags": [f"t{n}" for n in range(21)]},
        {"tags": [""]},
        {"tags": ["x" * 51]},
        {"tags": ["has space"]},
        {"metadata": {f"k{n}": "v" for n in range(51)}},
        {"metadata": {"k": 5}},
        {"unexpected": True},
        {"customer": "cus_tok_doesnotexist000"},
    ],
)
def test_every_invalid_create_is_422_and_writes_nothing(
    clocked: Api, overrides: dict[str, Any]
) -> None:
    body = {**subscription_body(new_customer(clocked)), **overrides}
    response = clocked.call("POST", "/v1/subscriptions", who="service", json=body)

    problem = assert_problem(response, 422, "invalid_request")
    for value in overrides.values():
        if isinstance(value, str) and len(value) > 5:
            assert value not in problem["detail"]
    assert count_rows(clocked, Subscription) == 0
    assert count_rows(clocked, SubscriptionTag) == 0


def test_a_start_within_the_minute_of_grace_and_limits_at_the_edges_are_accepted(
    clocked: Api,
) -> None:
    customer = new_customer(clocked)
    for overrides in (
        {"start_at": "2026-12-01T11:59:01Z"},
        {"amount": 1},
        {"amount": 10**12},
        {"interval": "day", "interval_count": 365},
        {"interval": "week", "interval_count": 52},
        {"interval": "month", "interval_count": 12},
        {"tags": [f"t{n}" for n in range(20)]},
        {"metadata": {f"k{n}": "v" for n in range(50)}},
        {"currency": "XOF"},
    ):
        new_subscription(clocked, customer, **overrides)


def test_an_erased_customer_cannot_subscribe_and_its_subscriptions_read_canceled(
    clocked: Api,
) -> None:
    customer = new_customer(clocked)
    first = new_subscription(clocked, customer, metadata={"crm": "canary-subscription-77aa"})
    scheduled = pause(
        clocked, first["id"], start="2026-12-24T00:00:00Z", days=5, resume_mode="skip"
    )
    assert scheduled.status_code == 201

    assert clocked.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200

    response = clocked.call(
        "POST", "/v1/subscriptions", who="service", json=subscription_body(customer)
    )
    assert_problem(response, 410, "gone")
    after = read(clocked, first["id"])
    assert after["status"] == "canceled"
    assert after["metadata"] == {}
    assert after["next_charge_at"] is None
    assert after["pauses"][0]["status"] == "canceled"
    assert upcoming(clocked, first["id"]) == []
    assert_problem(
        pause(clocked, first["id"], start="now", days=3, resume_mode="shift"), 410, "gone"
    )


def test_metadata_is_returned_to_readers_but_never_stored_in_clear(api: Api, db_url: str) -> None:
    customer = new_customer(api)
    created = new_subscription(api, customer, metadata={"note": "canary-subscription-5eb1"})

    assert read(api, created["id"])["metadata"] == {"note": "canary-subscription-5eb1"}
    assert b"canary-subscription-5eb1" not in raw_database_bytes(db_url)


def test_list_filters_by_plan_status_tag_and_customer_and_pages_oldest_first(api: Api) -> None:
    first, second = new_customer(api, 1), new_customer(api, 2)
    a = new_subscription(api, first, plan="gold", tags=["eu", "b2b"])
    b = new_subscription(api, first, plan="silver", tags=["eu"])
    c = new_subscription(api, second, plan="gold", tags=["us"])
    api.call("POST", f"/v1/subscriptions/{c['id']}/cancel", who="service", json={"at": "now"})

    def ids(query: str) -> list[str]:
        response = api.call("GET", f"/v1/subscriptions?{query}", who="service")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]]

    assert ids("plan=gold") == [a["id"], c["id"]]
    assert ids("tag=eu") == [a["id"], b["id"]]
    assert ids(f"customer={second}") == [c["id"]]
    assert ids("status=canceled") == [c["id"]]
    assert ids("status=active&tag=b2b") == [a["id"]]
    assert ids("plan=bronze") == []

    pages, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        listing = api.call("GET", f"/v1/subscriptions?{query}", who="service").json()
        pages.append([item["id"] for item in listing["data"]])
        cursor = listing["next_cursor"]
        if cursor is None:
            break
    assert pages == [[a["id"], b["id"]], [c["id"]]]

    assert_problem(api.call("GET", "/v1/subscriptions?status=sleeping"), 422, "invalid_request")
    assert_problem(api.call("GET", "/v1/subscriptions?limit=501"), 422, "invalid_request")
    assert_problem(api.call("GET", "/v1/subscriptions?cursor=bm9wZQ"), 422, "invalid_request")


def test_unknown_subscription_is_404_before_403(sqlite_api: Api) -> None:
    missing = "sub_tok_000000000000000000000000"
    assert_problem(sqlite_api.call("GET", f"/v1/subscriptions/{missing}"), 404, "not_found")
    assert_problem(
        sqlite_api.call("GET", f"/v1/subscriptions/{missing}", who="compliance"), 404, "not_found"
    )
    created = new_subscription(sqlite_api, new_customer(sqlite_api))
    assert_problem(
        sqlite_api.call("GET", f"/v1/subscriptions/{created['id']}", who="compliance"),
        403,
        "forbidden",
    )


def test_cancel_now_stops_the_schedule_and_cancels_its_pauses(clocked: Api) -> None:
    created = new_subscription(clocked, new_customer(clocked), start_at=START)
    scheduled = pause(
        clocked, created["id"], start="2026-12-24T00:00:00Z", days=5, resume_mode="skip"
    )

    response = clocked.call(
        "POST", f"/v1/subscriptions/{created['id']}/cancel", who="service", json={"at": "now"}
    )

    assert response.status_code == 200, response.text
    canceled = response.json()
    assert canceled["status"] == "canceled"
    assert canceled["canceled_at"] == canceled["cancel_at"] == "2026-12-01T12:00:00Z"
    assert canceled["next_charge_at"] is None
    assert canceled["pauses"][0]["id"] == scheduled.json()["id"]
    assert canceled["pauses"][0]["status"] == "canceled"
    assert upcoming(clocked, created["id"]) == []
    again = clocked.call(
        "POST", f"/v1/subscriptions/{created['id']}/cancel", who="service", json={"at": "now"}
    )
    assert_problem(again, 409, "conflict")


def test_cancel_at_period_end_keeps_it_active_until_the_next_due_date(clocked: Api) -> None:
    created = new_subscription(clocked, new_customer(clocked))
    response = clocked.call(
        "POST",
        f"/v1/subscriptions/{created['id']}/cancel",
        who="service",
        json={"at": "period_end"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "active"
    assert response.json()["cancel_at"] == "2027-01-01T12:00:00Z"
    assert [entry["due_at"] for entry in upcoming(clocked, created["id"])] == [
        "2026-12-01T12:00:00Z"
    ]

    move_clock(clocked, "2027-01-01T11:59:59Z")
    assert read(clocked, created["id"])["status"] == "active"
    move_clock(clocked, "2027-01-01T12:00:00Z")
    after = read(clocked, created["id"])
    assert after["status"] == "canceled"
    assert after["canceled_at"] == "2027-01-01T12:00:00Z"
    assert after["next_charge_at"] is None
    assert audit_count(clocked, "jobs:subscription:cancel") == 1


@pytest.mark.parametrize("body", [{}, {"at": "tomorrow"}, {"at": "now", "extra": 1}])
def test_cancel_needs_now_or_period_end(sqlite_api: Api, body: dict[str, Any]) -> None:
    created = new_subscription(sqlite_api, new_customer(sqlite_api))
    response = sqlite_api.call(
        "POST", f"/v1/subscriptions/{created['id']}/cancel", who="service", json=body
    )
    assert_problem(response, 422, "invalid_request")
    assert read(sqlite_api, created["id"])["status"] == "active"


def test_upcoming_defaults_to_twelve_and_allows_at_most_one_hundred(clocked: Api) -> None:
    created = new_subscription(clocked, new_customer(clocked), start_at=START, interval="week")

    entries = upcoming(clocked, created["id"])
    assert len(entries) == 12
    assert entries[0] == {
        "due_at": START,
        "amount": 3000,
        "credit_applied": 0,
        "amount_due": 3000,
        "currency": "USD",
        "status": "scheduled",
        "pause": None,
    }
    assert entries[1]["due_at"] == "2026-12-17T00:00:00Z"
    assert len(upcoming(clocked, created["id"], 100)) == 100
    for count in (0, 101):
        response = clocked.call(
            "GET", f"/v1/subscriptions/{created['id']}/upcoming?count={count}", who="service"
        )
        assert_problem(response, 422, "invalid_request")


def test_month_end_anchor_is_clamped_and_measured_from_the_anchor(clocked: Api) -> None:
    created = new_subscription(clocked, new_customer(clocked), start_at="2027-01-31T00:00:00Z")

    dates = [entry["due_at"][:10] for entry in upcoming(clocked, created["id"], 4)]

    assert dates == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]


def test_a_create_repeated_with_its_idempotency_key_is_replayed_not_repeated(
    clocked: Api,
) -> None:
    body = subscription_body(new_customer(clocked))
    headers = {"Idempotency-Key": "create-sub-4711"}

    first = clocked.call("POST", "/v1/subscriptions", who="service", json=body, headers=headers)
    again = clocked.call("POST", "/v1/subscriptions", who="service", json=body, headers=headers)
    other = clocked.call(
        "POST", "/v1/subscriptions", who="service", json={**body, "amount": 1}, headers=headers
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert_problem(other, 409, "idempotency_mismatch")
    assert count_rows(clocked, Subscription) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/v1/subscriptions?stauts=active",
        "/v1/subscriptions/{id}?x=1",
        "/v1/subscriptions/{id}/upcoming?cuont=3",
    ],
)
def test_an_unknown_query_parameter_is_422_not_silently_ignored(sqlite_api: Api, path: str) -> None:
    created = new_subscription(sqlite_api, new_customer(sqlite_api))
    response = sqlite_api.call("GET", path.replace("{id}", created["id"]), who="service")
    assert_problem(response, 422, "invalid_request")
