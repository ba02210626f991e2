"""Trips to the thread pool per request: each is a queue hand-off and a wake-up of the event
loop (about 80 µs of CPU here). A read with a cached key takes two: the endpoint (its result
validated on the loop, not in a trip of its own), and the audit event with the commit; its
authorization is decided on the loop from the worker's memory. A key not yet cached takes a
third trip, for the lookup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import pytest

from service.app.routing import in_one_trip
from tests.fixtures.app import Api

READ_TRIPS = 2


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    counted: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        counted.append(getattr(func, "__qualname__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    yield counted


def test_a_read_with_a_cached_key_takes_two_trips_to_the_thread_pool(
    sqlite_api: Api, trips: list[str]
) -> None:
    created = sqlite_api.call(
        "POST", "/v1/customers", who="service", json={"name": "Trip Person", "email": "t@x.io"}
    )
    assert created.status_code == 201, created.text
    sqlite_api.call("GET", f"/v1/customers/{created.json()['id']}", who="service")  # warm
    trips.clear()
    read = sqlite_api.call("GET", f"/v1/customers/{created.json()['id']}", who="service")
    assert read.status_code == 200, read.text
    assert len(trips) == READ_TRIPS, trips


def test_only_plain_functions_are_wrapped() -> None:
    def plain() -> int:
        return 1

    async def coroutine() -> int:
        return 1

    def generator() -> Iterator[int]:
        yield 1

    assert in_one_trip(coroutine) is coroutine
    assert in_one_trip(generator) is generator
    wrapped = in_one_trip(plain)
    assert wrapped is not plain
    assert wrapped.__wrapped__ is plain  # type: ignore[attr-defined]  # FastAPI reads through it
    assert anyio.run(wrapped) == 1
