"""A stolen ``service`` key lists every subscription and reads every customer: the audit
names each customer whose data a response returned, and the breach and subject reports count
those reads per category — not only reveals. Email search has a budget of its own, and the
breach report says how it was used."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.audit.models import AuditEvent
from service.core.db import transaction
from tests.core.test_app import assert_problem
from tests.customers.support import create
from tests.fixtures.app import Api
from tests.inventory.test_endpoints import breach, iso


def last(api: Api, action: str) -> AuditEvent:
    with transaction(api.ctx.session_factory) as session:
        query = select(AuditEvent).where(AuditEvent.action == action)
        return list(session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))[-1]


def subscribe(api: Api, customer: str, **extra: object) -> str:
    body = {"customer": customer, "plan": "gold", "amount": 900, "currency": "usd"}
    response = api.call(
        "POST", "/v1/subscriptions", who="service", json={**body, "interval": "month", **extra}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_every_response_returning_customer_data_names_its_customers_in_the_audit(
    sqlite_api: Api,
) -> None:
    first, second = create(sqlite_api)["id"], create(sqlite_api, metadata=None)["id"]
    subscribe(sqlite_api, first, metadata={"k": "v"})
    subscribe(sqlite_api, second)

    assert sqlite_api.call("GET", "/v1/subscriptions", who="service").status_code == 200
    listed = last(sqlite_api, "subscriptions:subscription:list")
    assert {first, second} <= set(json.loads(listed.targets))
    assert json.loads(listed.fields) == ["customer.metadata"]

    upcoming = f"/v1/subscriptions/{subscribe(sqlite_api, second)}/upcoming"
    assert sqlite_api.call("GET", upcoming, who="service").status_code == 200
    assert second in json.loads(last(sqlite_api, "subscriptions:upcoming:read").targets)

    assert sqlite_api.call("GET", f"/v1/customers/{second}", who="service").status_code == 200
    read = last(sqlite_api, "customers:customer:read")
    assert json.loads(read.targets) == [second]
    assert json.loads(read.fields) == [
        "contact.name",
        "contact.email",
        "contact.phone",
        "contact.address",
        "payment.card",
    ]

    found = sqlite_api.call(
        "POST",
        "/v1/customers/search",
        who="service",
        json={"email": "zebulon.canary7f3a@example.com"},
    )
    assert {hit["id"] for hit in found.json()["data"]} == {first, second}
    search = last(sqlite_api, "customers:customer:search")
    assert set(json.loads(search.targets)) == {first, second}
    assert json.loads(search.fields) == ["contact.email"]


def test_the_breach_report_counts_reads_lists_and_searches_by_a_stolen_service_key(
    api: Api,
) -> None:
    first, second = create(api)["id"], create(api, metadata=None)["id"]
    subscribe(api, first, metadata={"k": "v"})
    untouched = create(api, email="someone.else@example.com")["id"]
    start = datetime.now(UTC)
    # the attacker with the service key: list, then read, then probe an email
    assert api.call("GET", f"/v1/subscriptions?customer={first}", who="service").status_code == 200
    assert api.call("GET", f"/v1/customers/{second}", who="service").status_code == 200
    probe = {"email": "zebulon.canary7f3a@example.com"}
    assert api.call("POST", "/v1/customers/search", who="service", json=probe).status_code == 200
    end = datetime.now(UTC) + timedelta(seconds=1)

    body = breach(api, **{"from": iso(start), "to": iso(end), "actors": ["service"]}).json()

    exposed = {s["customer"]: s["categories"] for s in body["subjects"]}
    assert untouched not in exposed
    assert exposed[first] == ["contact.email", "customer.metadata"]
    assert "contact.name" in exposed[second] and "payment.card" in exposed[second]
    counts = body["counts"]
    assert (counts["subjects"], counts["reads"], counts["reveals"]) == (2, 3, 0)
    assert counts["reads_by_category"]["contact.email"] == 3  # a read and two search hits
    assert counts["reads_by_category"]["customer.metadata"] == 1
    assert body["email_searches"] == {
        "count": 1,
        "matched": 1,
        "rate_limited": 0,
        "by_actor": {"service": 1},
    }


def test_the_subject_report_counts_every_read_of_the_subject_per_category(api: Api) -> None:
    token = create(api)["id"]
    subscribe(api, token, metadata={"k": "v"})
    for _ in range(2):
        assert api.call("GET", f"/v1/customers/{token}", who="service").status_code == 200

    report = api.call("GET", f"/v1/inventory/subjects/{token}", who="compliance").json()

    reads = report["reads_by_category"]
    assert reads["contact.name"] == 3  # its creation's response and two reads
    assert reads["customer.metadata"] == 4  # those three, and the subscription's creation


def test_email_search_has_its_own_lower_limit_and_the_breach_report_counts_refusals(
    make_api: Callable[..., Api], sqlite_url: str
) -> None:
    api = make_api(sqlite_url)
    policy = api.ctx.policy
    api.ctx.policy = policy.model_copy(
        update={"limits": policy.limits.model_copy(update={"email_searches_per_minute": 3})}
    )
    token = create(api)["id"]
    start = datetime.now(UTC)
    probe = {"email": "nobody@example.com"}

    answers = [
        api.call("POST", "/v1/customers/search", who="service", json=probe) for _ in range(4)
    ]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_problem(answers[3], 429, "rate_limited")
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert api.call("GET", f"/v1/customers/{token}", who="service").status_code == 200
    other = api.call("POST", "/v1/customers/search", who="compliance", json=probe)
    assert other.status_code == 200  # the budget is per principal
    end = datetime.now(UTC) + timedelta(seconds=1)
    searches = breach(api, **{"from": iso(start), "to": iso(end)}).json()["email_searches"]
    assert searches == {
        "count": 5,
        "matched": 0,
        "rate_limited": 1,
        "by_actor": {"compliance": 1, "service": 4},
    }


def test_the_inventory_holds_free_text_per_subject_until_the_erasure(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]
    subscription = subscribe(sqlite_api, token)
    paused = sqlite_api.call(
        "POST",
        f"/v1/subscriptions/{subscription}/pauses",
        who="service",
        json={"start": "period_end", "days": 5, "resume_mode": "skip", "reason": "holiday"},
    )
    assert paused.status_code == 201, paused.text
    paid = sqlite_api.call(
        "POST",
        "/v1/charges",
        who="service",
        json={"customer": token, "amount": 100, "currency": "usd", "description": "extra"},
        headers={"Idempotency-Key": "inventory-free-text"},
    )
    assert paid.status_code == 201, paid.text

    def free_text() -> dict[str, tuple[int, int]]:
        body = sqlite_api.call("GET", "/v1/inventory", who="compliance").json()
        return {
            c["location"]: (c["subjects"], c["records"])
            for c in body["categories"]
            if c["location"] in ("pauses.reason_ciphertext", "charges.description_ciphertext")
        }

    assert free_text() == {
        "pauses.reason_ciphertext": (1, 1),
        "charges.description_ciphertext": (1, 1),
    }
    assert sqlite_api.call("DELETE", f"/v1/customers/{token}").status_code == 200
    assert set(free_text().values()) == {(0, 0)}
