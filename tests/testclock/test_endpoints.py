"""The test clock: 404 unless enabled; moves forward only; admin moves, any role reads."""

from __future__ import annotations

from tests.core.test_app import assert_problem


def test_the_test_clock_is_404_when_not_enabled(sqlite_api) -> None:
    assert_problem(sqlite_api.call("GET", "/v1/test/clock"), 404, "not_found")
    assert_problem(
        sqlite_api.call("POST", "/v1/test/clock", json={"now": "2030-01-01T00:00:00Z"}),
        404,
        "not_found",
    )


def test_the_clock_stands_still_and_moves_only_forward(make_api, sqlite_url, test_clock) -> None:
    api = make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})
    assert api.call("GET", "/v1/test/clock", who="service").json() == {
        "now": "2026-12-01T12:00:00Z"
    }
    moved = api.call("POST", "/v1/test/clock", json={"now": "2026-12-24T09:30:00+01:00"})
    assert moved.status_code == 200 and moved.json() == {"now": "2026-12-24T08:30:00Z"}
    again = api.call("POST", "/v1/test/clock", json={"now": "2026-12-24T08:30:00Z"})
    assert again.status_code == 200
    back = api.call("POST", "/v1/test/clock", json={"now": "2026-12-01T00:00:00Z"})
    assert_problem(back, 422, "invalid_request")
    assert api.call("GET", "/v1/test/clock", who="compliance").json()["now"] == (
        "2026-12-24T08:30:00Z"
    )
    assert_problem(
        api.call("POST", "/v1/test/clock", who="service", json={"now": "2027-01-01T00:00:00Z"}),
        403,
        "forbidden",
    )
    # audit times follow the test clock too
    events = api.call("GET", "/v1/audit/events?action=test:clock:move").json()["data"]
    assert events[0]["at"].startswith("2026-12-24T08:30:00")


def test_a_naive_time_is_rejected(make_api, sqlite_url, test_clock) -> None:
    api = make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})
    assert_problem(
        api.call("POST", "/v1/test/clock", json={"now": "2026-12-24T09:30:00"}),
        422,
        "invalid_request",
    )
