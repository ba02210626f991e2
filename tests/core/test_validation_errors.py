"""Validation errors name the wrong field without echoing what was submitted: not a free-form
map's keys (an email address as a metadata key), not an undeclared field's name when it is
not a plain identifier; and a field of the wrong type is a 422 naming that field."""

from __future__ import annotations

from tests.canaries import EMAIL, canary_customer
from tests.core.test_app import assert_problem


def test_metadata_keys_are_never_echoed(sqlite_api) -> None:
    """``api.call`` also fails the test when a canary shows up in an error body."""
    for body in (
        canary_customer(metadata={EMAIL: 7}),  # wrong value type: pydantic locates it by key
        canary_customer(metadata={EMAIL: ["a"]}),
        canary_customer(**{EMAIL: "x"}),  # an undeclared top-level field named by an email
    ):
        problem = assert_problem(
            sqlite_api.call("POST", "/v1/customers", who="service", json=body),
            422,
            "invalid_request",
        )
        assert EMAIL.split("@")[0] not in str(problem)
        fields = {e["field"] for e in problem["errors"]}
        assert fields <= {"metadata.<key>", "<unknown>"}, fields
    response = sqlite_api.call(
        "POST",
        "/v1/subscriptions",
        who="service",
        json={
            "customer": "cus_tok_x",
            "plan": "basic",
            "amount": 100,
            "currency": "usd",
            "interval": "month",
            "metadata": {EMAIL: 1},
        },
    )
    problem = assert_problem(response, 422, "invalid_request")
    assert "metadata.<key>" in {e["field"] for e in problem["errors"]}


def test_a_field_of_the_wrong_type_is_a_422_naming_it(sqlite_api) -> None:
    for field, wrong in (("address", "17 Some Street"), ("metadata", ["a"]), ("name", 5)):
        problem = assert_problem(
            sqlite_api.call(
                "POST", "/v1/customers", who="service", json=canary_customer(**{field: wrong})
            ),
            422,
            "invalid_request",
        )
        assert field in {e["field"] for e in problem["errors"]}, problem
    # the body itself of the wrong type stays a 400
    for body in ([1, 2], "text", 5):
        assert_problem(
            sqlite_api.call("POST", "/v1/customers", who="service", json=body),
            400,
            "invalid_request",
        )
