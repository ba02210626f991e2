"""``/v1/inventory``: what is held, one subject's record, and the breach report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.core.test_app import assert_problem
from tests.customers.support import create, reveal
from tests.fixtures.app import Api

ALL_CATEGORIES = [
    "contact.name",
    "contact.email",
    "contact.phone",
    "contact.address",
    "payment.card",
    "payment.processor_ref",
    "customer.metadata",
]
MINIMAL = {"phone": None, "address": None, "metadata": None, "payment_method": None}


def figures(api: Api) -> dict[str, tuple[int, int, dict[str, int]]]:
    response = api.call("GET", "/v1/inventory", who="compliance")
    assert response.status_code == 200, response.text
    # customer.metadata is held in two places (customers and subscriptions): the figures here
    # are the customers table's; subscription metadata has its own test
    return {
        c["category"]: (c["subjects"], c["records"], c["key"]["versions"])
        for c in response.json()["categories"]
        if c["location"].startswith("customers.")
    }


def minimal_customer(api: Api) -> str:
    return str(create(api, **MINIMAL)["id"])


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def breach(api: Api, **body: Any) -> Any:
    return api.call("POST", "/v1/inventory/breach-report", who="compliance", json=body)


def test_inventory_counts_follow_creations_and_erasures(api: Api) -> None:
    assert {c: (s, r) for c, (s, r, _) in figures(api).items()} == {
        c: (0, 0) for c in ALL_CATEGORIES
    }
    full = [create(api)["id"] for _ in range(2)]
    minimal_customer(api)
    version = str(api.ctx.key_service.key_status().latest_version)
    after_creation = figures(api)
    assert after_creation["contact.name"] == (3, 3, {version: 3})
    assert after_creation["contact.email"] == (3, 3, {version: 3})
    for category in ALL_CATEGORIES[2:]:
        assert after_creation[category] == (2, 2, {version: 2}), category

    assert api.call("DELETE", f"/v1/customers/{full[0]}").status_code == 200
    after_erasure = figures(api)
    assert after_erasure["contact.email"] == (2, 2, {version: 2})
    for category in ALL_CATEGORIES[2:]:
        assert after_erasure[category] == (1, 1, {version: 1}), category


def test_inventory_names_location_encryption_and_key(sqlite_api: Api) -> None:
    body = sqlite_api.call("GET", "/v1/inventory", who="admin").json()
    assert body["generated_at"].endswith("Z")
    first = body["categories"][0]
    assert first["location"] == "customers.name_ciphertext"
    assert first["encrypted"] is True
    assert first["key"]["name"] == sqlite_api.ctx.key_service.data_key


def test_inventory_is_for_compliance_and_admin_only(sqlite_api: Api) -> None:
    assert_problem(sqlite_api.call("GET", "/v1/inventory", who="service"), 403, "forbidden")
    assert_problem(sqlite_api.call("GET", "/v1/inventory", who=None), 401, "unauthenticated")


def test_subject_report_lists_holdings_and_every_access(api: Api) -> None:
    token = minimal_customer(api)
    assert reveal(api, token, "email,name").status_code == 200
    report = api.call("GET", f"/v1/inventory/subjects/{token}", who="compliance")
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["customer"] == token
    assert body["created_at"].endswith("Z")
    assert body["categories"] == ["contact.name", "contact.email"]
    assert body["subscriptions"] == []
    actions = [(a["actor"], a["action"]) for a in body["accesses"]]
    assert actions == [
        ("service", "customers:customer:create"),
        ("compliance", "customers:customer:reveal"),
    ]
    revealed = body["accesses"][1]
    assert revealed["fields"] == ["email", "name"]
    assert revealed["purpose"] == "support ticket 4711"


def test_subject_report_lists_the_subjects_subscriptions(api: Api) -> None:
    token = create(api)["id"]
    plan = {"plan": "gold", "amount": 900, "currency": "usd", "interval": "month"}
    created = [
        api.call("POST", "/v1/subscriptions", who="service", json={"customer": token, **plan})
        for _ in range(2)
    ]
    assert [r.status_code for r in created] == [201, 201], created[0].text
    body = api.call("GET", f"/v1/inventory/subjects/{token}", who="compliance").json()
    assert sorted(body["subscriptions"]) == sorted(r.json()["id"] for r in created)


def test_erased_subject_is_gone_from_inventory_and_report_but_kept_by_the_audit(
    api: Api,
) -> None:
    token = create(api)["id"]
    assert api.call("DELETE", f"/v1/customers/{token}").status_code == 200
    assert all(subjects == 0 for subjects, _, _ in figures(api).values())
    response = api.call("GET", f"/v1/inventory/subjects/{token}", who="compliance")
    assert_problem(response, 410, "gone")
    trail = api.call("GET", f"/v1/audit/events?target={token}", who="compliance").json()
    assert [e["action"] for e in trail["data"]] == [
        "customers:customer:create",
        "customers:customer:erase",
        "inventory:subject:read",
    ]


def test_unknown_subject_is_404(sqlite_api: Api) -> None:
    response = sqlite_api.call("GET", "/v1/inventory/subjects/cus_tok_00000000deadbeef")
    assert_problem(response, 404, "not_found")


def test_breach_report_for_a_window_with_a_known_reveal_names_exactly_that_subject(
    api: Api,
) -> None:
    revealed, untouched = create(api)["id"], create(api)["id"]
    # after the creations: their responses (masked views) count as reads too
    before = datetime.now(UTC)
    assert reveal(api, revealed, "email,phone").status_code == 200
    after = datetime.now(UTC) + timedelta(seconds=1)
    response = breach(api, **{"from": iso(before), "to": iso(after), "actors": ["compliance"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subjects"] == [
        {"customer": revealed, "categories": ["contact.email", "contact.phone"]}
    ]
    assert body["counts"]["subjects"] == 1
    assert body["counts"]["by_category"]["contact.email"] == 1
    assert body["counts"]["by_category"]["contact.name"] == 0
    assert [(a["actor"], a["customers"], a["fields"]) for a in body["accesses"]] == [
        ("compliance", [revealed], ["email", "phone"])
    ]
    assert untouched not in response.text

    anyone = breach(api, **{"from": iso(before), "to": iso(after)}).json()
    assert [s["customer"] for s in anyone["subjects"]] == [revealed]
    other_actor = breach(api, **{"from": iso(before), "to": iso(after), "actors": ["service"]})
    assert other_actor.json()["subjects"] == []


def test_breach_report_for_a_window_without_access_is_empty(api: Api) -> None:
    token = create(api)["id"]
    assert reveal(api, token, "name").status_code == 200
    quiet = datetime.now(UTC) - timedelta(days=2)
    body = breach(api, **{"from": iso(quiet), "to": iso(quiet + timedelta(days=1))}).json()
    assert body == {
        "subjects": [],
        "counts": {
            "subjects": 0,
            "by_category": {c: 0 for c in ALL_CATEGORIES},
            "reads": 0,
            "reveals": 0,
            "reads_by_category": {c: 0 for c in ALL_CATEGORIES},
        },
        "accesses": [],
        "email_searches": {"count": 0, "matched": 0, "rate_limited": 0, "by_actor": {}},
    }


def test_breach_report_by_key_version_names_every_live_subject_under_it(api: Api) -> None:
    full, minimal, erased = create(api)["id"], minimal_customer(api), create(api)["id"]
    api.call("DELETE", f"/v1/customers/{erased}")
    version = api.ctx.key_service.key_status().latest_version
    quiet = datetime.now(UTC) - timedelta(days=2)
    window = {"from": iso(quiet), "to": iso(quiet + timedelta(days=1))}
    body = breach(api, **window, key_versions=[version]).json()
    assert body["subjects"] == sorted(
        [
            {"customer": full, "categories": ALL_CATEGORIES},
            {"customer": minimal, "categories": ["contact.name", "contact.email"]},
        ],
        key=lambda s: str(s["customer"]),
    )
    assert body["counts"]["by_category"]["contact.name"] == 2
    assert body["counts"]["by_category"]["payment.card"] == 1
    assert breach(api, **window, key_versions=[version + 1]).json()["subjects"] == []


def test_breach_report_rejects_a_reversed_window_and_unknown_fields(sqlite_api: Api) -> None:
    now = datetime.now(UTC)
    reversed_window = {"from": iso(now), "to": iso(now - timedelta(hours=1))}
    assert_problem(breach(sqlite_api, **reversed_window), 422, "invalid_request")
    extra = {"from": iso(now - timedelta(hours=1)), "to": iso(now), "subjects": ["x"]}
    assert_problem(breach(sqlite_api, **extra), 422, "invalid_request")
    window = {"from": iso(now - timedelta(hours=1)), "to": iso(now)}
    for versions in ([0], [2**31], ["one"]):
        assert_problem(breach(sqlite_api, **window, key_versions=versions), 422, "invalid_request")
    assert_problem(
        sqlite_api.call("POST", "/v1/inventory/breach-report", who="service", json=extra),
        403,
        "forbidden",
    )


def test_subscription_metadata_is_inventoried_in_its_own_place(api: Api) -> None:
    customer = str(create(api)["id"])
    body = {
        "customer": customer,
        "plan": "gold",
        "amount": 1000,
        "currency": "usd",
        "interval": "month",
        "metadata": {"crm": "x-1"},
    }
    assert api.call("POST", "/v1/subscriptions", who="service", json=body).status_code == 201
    places = {
        c["location"]: (c["category"], c["subjects"], c["records"])
        for c in api.call("GET", "/v1/inventory", who="compliance").json()["categories"]
    }
    assert places["subscriptions.metadata_ciphertext"] == ("customer.metadata", 1, 1)
