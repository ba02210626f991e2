"""Trips to the thread pool per request: each is a queue hand-off and a wake-up of the event
loop (about 80 µs of CPU here). A request with a cached key is authorized on the loop from the
worker's memory; its endpoint takes one trip (its result validated on the loop, not in a trip
of its own), and the request ends in that same thread — the event joins the transaction and
both commit — except a read on PostgreSQL, which ends on the loop: its event waits there for
the group appender, whose own writer thread writes it when no request's thread leads. A key not yet
cached takes a trip more, for the lookup; an idempotency claim one more, and its stored answer
another."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
import pytest

from service.app.routing import in_one_trip
from tests.fixtures.app import Api

ENDPOINT = "in_one_trip.<locals>.run_and_end"


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    counted: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        named = getattr(func, "func", func)  # run_in_threadpool sends a functools.partial
        counted.append(getattr(named, "__qualname__", repr(named)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    yield counted


def _customer(api: Api) -> str:
    created = api.call(
        "POST", "/v1/customers", who="service", json={"name": "Trip Person", "email": "t@x.io"}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_a_request_with_a_cached_key_ends_in_its_endpoint_s_trip_on_sqlite(
    sqlite_api: Api, trips: list[str]
) -> None:
    customer = _customer(sqlite_api)
    sqlite_api.call("GET", f"/v1/customers/{customer}", who="service")  # warm
    trips.clear()
    read = sqlite_api.call("GET", f"/v1/customers/{customer}", who="service")
    assert read.status_code == 200, read.text
    assert trips == [ENDPOINT], trips  # the endpoint, and the end in the same thread
    trips.clear()
    assert _customer(sqlite_api)
    assert trips == [ENDPOINT], trips


def test_on_postgresql_a_write_ends_in_its_trip_and_a_read_s_event_waits_on_the_loop(
    make_api: Callable[..., Api], pg_url: str, trips: list[str]
) -> None:
    api = make_api(pg_url, settings_overrides={"audit_sequence_delay_ms": 1000})
    customer = _customer(api)
    api.call("GET", f"/v1/customers/{customer}", who="service")  # warm
    trips.clear()
    assert _customer(api)
    assert trips == [ENDPOINT], trips
    trips.clear()
    read = api.call("GET", f"/v1/customers/{customer}", who="service")
    assert read.status_code == 200, read.text
    assert trips == [ENDPOINT], trips  # the event was written by the appender's writer
    assert read.headers["x-request-id"] in _request_ids(api)


def _request_ids(api: Api) -> set[str]:
    from sqlalchemy import text

    with api.ctx.engine.connect() as conn:
        return {str(r) for r in conn.execute(text("SELECT request_id FROM audit_events")).scalars()}


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
