"""Cursors are opaque but the caller's to craft: a time without a UTC offset, a wrong shape
or a wrong type is a 422 on every time-ordered list, never a 500."""

from __future__ import annotations

import pytest

from service.core.pagination import encode_cursor
from tests.core.test_app import assert_problem

CRAFTED = [
    ["2026-01-01T00:00:00", "sub_tok_x"],  # naive: no UTC offset
    ["2026-01-01 00:00:00", "ch_x"],
    ["2026-01-01T00:00:00+00:00", 5],
    ["not a time", "x"],
    [1, 2],
    {"a": 1},
    "2026-01-01T00:00:00Z",
]


@pytest.mark.parametrize("path", ["/v1/subscriptions", "/v1/charges"])
def test_crafted_time_cursors_are_a_422(api, path: str) -> None:
    for value in CRAFTED:
        response = api.call("GET", f"{path}?cursor={encode_cursor(value)}", who="service")
        assert_problem(response, 422, "invalid_request")
    good = encode_cursor(["2026-01-01T00:00:00+02:00", "x"])
    assert api.call("GET", f"{path}?cursor={good}", who="service").status_code == 200
