"""The customers API as API.md states it: masks, validation, reveal, search, erasure."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.core import hooks
from service.core.config import PROJECT_ROOT
from service.core.db import transaction
from tests.core.test_app import assert_problem
from tests.customers.support import canary_body, create, customer_count, reveal
from tests.fixtures.app import Api


def last_event(api: Api, action: str) -> AuditEvent:
    with transaction(api.ctx.session_factory) as session:
        return (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.seq.desc())
            )
            .scalars()
            .first()
        )


def test_create_answers_the_token_and_masks_exactly_as_the_contract_says(sqlite_api: Api) -> None:
    created = create(sqlite_api)

    assert created["id"].startswith("cus_tok_")
    assert created["masked"] == {
        "name": "Z*** Q***",
        "email": "Z***@Example.com",
        "phone": "+1 ***0134",
        "address": {"country": "US"},
        "card": {"brand": "visa", "last4": "4242"},
    }
    assert created["metadata"] == {"crm_note": "canary-metadata-value-91d2"}
    assert created["created_at"].endswith("Z")


def test_optional_parts_are_left_out_of_the_masked_view_when_absent(sqlite_api: Api) -> None:
    created = create(
        sqlite_api,
        name="jane   van der Berg",
        email="j@example.com",
        phone=None,
        address=None,
        payment_method=None,
        metadata=None,
    )

    assert created["masked"] == {"name": "j*** v*** d*** B***", "email": "j***@example.com"}
    assert created["metadata"] == {}


def test_tokens_are_random_and_never_derived_from_the_data(sqlite_api: Api) -> None:
    first = create(sqlite_api, payment_method=None)
    second = create(sqlite_api, payment_method=None)

    assert first["id"] != second["id"]
    assert len(first["id"]) == len("cus_tok_") + 24


def test_read_answers_the_same_masked_view(sqlite_api: Api) -> None:
    created = create(sqlite_api)

    read = sqlite_api.call("GET", f"/v1/customers/{created['id']}", who="service")

    assert read.status_code == 200
    assert read.json() == created


def test_an_unknown_customer_is_404(sqlite_api: Api) -> None:
    response = sqlite_api.call("GET", "/v1/customers/cus_tok_000000000000000000000000")
    assert_problem(response, 404, "not_found")


def test_an_idempotent_create_replays_the_first_customer(sqlite_api: Api) -> None:
    headers = {"Idempotency-Key": "create-zebulon-1"}
    body = canary_body(payment_method=None)
    first = sqlite_api.call("POST", "/v1/customers", who="service", json=body, headers=headers)
    again = sqlite_api.call("POST", "/v1/customers", who="service", json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert customer_count(sqlite_api) == 1


INVALID_BODIES: dict[str, Callable[[dict[str, Any]], None]] = {
    "empty name": lambda b: b.update(name="  "),
    "name over 200 characters": lambda b: b.update(name="N" * 201),
    "name with a newline": lambda b: b.update(name="Jane\nSmith"),
    "email without a domain": lambda b: b.update(email="jane@"),
    "email without an at sign": lambda b: b.update(email="jane.example.com"),
    "email over 254 characters": lambda b: b.update(email="j" * 60 + "@" + "d" * 190 + ".com"),
    "email not a string": lambda b: b.update(email=42),
    "phone without a country code": lambda b: b.update(phone="415 555 0134"),
    "phone that is too short": lambda b: b.update(phone="+1 23"),
    "address without a city": lambda b: b["address"].pop("city"),
    "address without line1": lambda b: b["address"].pop("line1"),
    "address with an unknown country": lambda b: b["address"].update(country="XX"),
    "address with a three-letter country": lambda b: b["address"].update(country="USA"),
    "address with an unknown field": lambda b: b["address"].update(state="CA"),
    "metadata with 51 keys": lambda b: b.update(metadata={f"k{i}": "v" for i in range(51)}),
    "metadata key over 40 characters": lambda b: b.update(metadata={"k" * 41: "v"}),
    "metadata value over 500 characters": lambda b: b.update(metadata={"k": "v" * 501}),
    "metadata value not a string": lambda b: b.update(metadata={"k": 1}),
    "payment method that is not pm_": lambda b: b.update(payment_method="card_4242"),
    "unknown field": lambda b: b.update(ssn="078-05-1120"),
    "missing email": lambda b: b.pop("email"),
}


@pytest.mark.parametrize("problem", INVALID_BODIES)
def test_an_invalid_body_is_422_stores_nothing_and_echoes_nothing(
    sqlite_api: Api, problem: str
) -> None:
    body = canary_body()
    INVALID_BODIES[problem](body)

    response = sqlite_api.call("POST", "/v1/customers", who="service", json=body)

    assert_problem(response, 422, "invalid_request")
    for value in ("Zebulon", "Canary7f3a", "078-05-1120", "card_4242", "Springfieldcanary"):
        assert value not in response.text
    assert customer_count(sqlite_api) == 0


def test_metadata_at_its_limits_is_accepted(sqlite_api: Api) -> None:
    metadata = {f"{i:0>40}": "v" * 500 for i in range(50)}
    created = create(sqlite_api, metadata=metadata, payment_method=None)
    assert created["metadata"] == metadata


def test_a_declined_payment_method_is_402_and_stores_nothing(api: Api) -> None:
    response = api.call(
        "POST",
        "/v1/customers",
        who="service",
        json=canary_body(payment_method="pm_card_visa_chargeDeclined"),
    )

    assert_problem(response, 402, "card_declined")
    assert customer_count(api) == 0
    assert "Zebulon" not in response.text


# -- reveal -----------------------------------------------------------------------------------


def test_reveal_answers_exactly_the_fields_asked_in_clear(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]

    response = reveal(sqlite_api, token, "email,name,address,phone")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": token,
        "fields": {
            "email": "Zebulon.Canary7f3a@Example.com",
            "name": "Zebulon Quixotefield",
            "address": {
                "line1": "742 Canaryvale Terrace",
                "line2": "Flat Quokka9",
                "city": "Springfieldcanary",
                "postal_code": "CN-90210",
                "country": "US",
            },
            "phone": "+14155550134",
        },
    }


def test_a_reveal_is_audited_with_its_fields_and_the_redacted_purpose(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]

    response = reveal(
        sqlite_api, token, "name", **{"X-Purpose": "refund asked by jane.doe@example.org"}
    )

    assert response.status_code == 200
    event = last_event(sqlite_api, "customers:customer:reveal")
    assert event.fields is not None and "name" in event.fields
    assert event.purpose is not None and "refund asked by" in event.purpose
    assert "jane.doe@example.org" not in event.purpose
    assert token in event.targets
    assert "Zebulon" not in str(vars(event))


@pytest.mark.parametrize("purpose", [None, "", "   "])
def test_reveal_without_a_purpose_is_400(sqlite_api: Api, purpose: str | None) -> None:
    token = create(sqlite_api)["id"]
    headers = {} if purpose is None else {"X-Purpose": purpose}
    response = sqlite_api.call(
        "GET", f"/v1/customers/{token}/reveal?fields=name", who="compliance", headers=headers
    )
    assert_problem(response, 400, "invalid_request")


def test_reveal_with_an_overlong_purpose_is_422(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]
    assert_problem(
        reveal(sqlite_api, token, "name", **{"X-Purpose": "p" * 201}), 422, "invalid_request"
    )
    assert reveal(sqlite_api, token, "name", **{"X-Purpose": "p" * 200}).status_code == 200


@pytest.mark.parametrize("fields", ["", ",", "card", "name,metadata", "processor_ref"])
def test_reveal_of_no_field_or_of_a_field_not_revealable_is_422(
    sqlite_api: Api, fields: str
) -> None:
    token = create(sqlite_api)["id"]
    assert_problem(reveal(sqlite_api, token, fields), 422, "invalid_request")


def test_reveal_without_a_field_list_is_422(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]
    response = sqlite_api.call(
        "GET", f"/v1/customers/{token}/reveal", who="compliance", headers={"X-Purpose": "audit"}
    )
    assert_problem(response, 422, "invalid_request")


def test_a_role_that_may_not_reveal_gets_403_but_404_for_an_unknown_customer(
    sqlite_api: Api,
) -> None:
    token = create(sqlite_api)["id"]

    assert_problem(reveal(sqlite_api, token, "name", who="service"), 403, "forbidden")
    unknown = "cus_tok_ffffffffffffffffffffffff"
    assert_problem(reveal(sqlite_api, unknown, "name", who="service"), 404, "not_found")
    assert_problem(reveal(sqlite_api, unknown, "name", who="compliance"), 404, "not_found")


@pytest.fixture
def email_only_policy(tmp_path: Path) -> Path:
    policy = yaml.safe_load((PROJECT_ROOT / "policies" / "default.yaml").read_text())
    policy["roles"]["compliance"]["reveal_fields"] = ["email"]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    return path


def test_a_field_the_callers_policy_does_not_allow_is_403_and_audited_as_denied(
    make_api: Callable[..., Api], sqlite_url: str, email_only_policy: Path
) -> None:
    api = make_api(sqlite_url, settings_overrides={"policy_file": email_only_policy})
    token = create(api)["id"]

    assert reveal(api, token, "email").status_code == 200
    denied = reveal(api, token, "email,phone")

    assert_problem(denied, 403, "forbidden")
    assert "Canary7f3a" not in denied.text
    event = last_event(api, "customers:customer:reveal")
    assert event.outcome == "denied"
    assert event.fields is not None and "phone" in event.fields


# -- search -----------------------------------------------------------------------------------


def test_search_finds_by_trimmed_lower_cased_email_and_nothing_else(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]
    create(sqlite_api, email="someone.else@example.com", payment_method=None)

    def search(email: str) -> Any:
        return sqlite_api.call("POST", "/v1/customers/search", who="service", json={"email": email})

    found = search("  zebulon.canary7f3a@EXAMPLE.COM ")
    assert found.status_code == 200
    assert found.json() == {"data": [{"id": token}]}
    assert search("zebulon.canary7f3a@example.org").json() == {"data": []}
    event = last_event(sqlite_api, "customers:customer:search")
    assert "canary7f3a" not in str(vars(event)).lower()


def test_search_rejects_unknown_fields(sqlite_api: Api) -> None:
    response = sqlite_api.call(
        "POST", "/v1/customers/search", who="service", json={"email": "a@b.co", "name": "x"}
    )
    assert_problem(response, 422, "invalid_request")


# -- erasure ----------------------------------------------------------------------------------


def test_erasure_answers_200_then_every_read_is_410_and_search_forgets_it(
    sqlite_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    erased_hooks: list[str] = []
    wired = hooks.erasure_hooks.get()
    only_recording = (lambda session, token, at: erased_hooks.append(token),)
    monkeypatch.setattr(
        hooks.erasure_hooks, "_value", replace(wired, on_customer_erased=only_recording)
    )
    token = create(sqlite_api)["id"]

    erased = sqlite_api.call("DELETE", f"/v1/customers/{token}", who="admin")

    assert erased.status_code == 200, erased.text
    assert erased.json()["id"] == token
    assert erased.json()["erased"] is True
    assert erased.json()["erased_at"].endswith("Z")
    assert erased_hooks == [token]
    assert_problem(sqlite_api.call("GET", f"/v1/customers/{token}"), 410, "gone")
    assert_problem(reveal(sqlite_api, token, "name"), 410, "gone")
    assert_problem(sqlite_api.call("DELETE", f"/v1/customers/{token}"), 410, "gone")
    search = sqlite_api.call(
        "POST", "/v1/customers/search", json={"email": "zebulon.canary7f3a@example.com"}
    )
    assert search.json() == {"data": []}
    with transaction(sqlite_api.ctx.session_factory) as session:
        events = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.action == "customers:customer:erase")
                .order_by(AuditEvent.pk)
            )
            .scalars()
            .all()
        )
    expected_targets = json.dumps([token], separators=(",", ":"))
    assert [(e.status, e.targets) for e in events] == [
        (200, expected_targets),
        (410, expected_targets),
    ]


def test_only_admin_may_erase(sqlite_api: Api) -> None:
    token = create(sqlite_api)["id"]
    assert_problem(
        sqlite_api.call("DELETE", f"/v1/customers/{token}", who="service"), 403, "forbidden"
    )
    assert_problem(
        sqlite_api.call("DELETE", "/v1/customers/cus_tok_0123456789abcdef01234567", who="service"),
        404,
        "not_found",
    )
    assert sqlite_api.call("GET", f"/v1/customers/{token}", who="service").status_code == 200
