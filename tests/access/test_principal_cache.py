"""A worker keeps the keys that authenticated until a principal is revoked: one count of
revoked principals per half second stands in for a lookup per key, and a revocation made by
another process (a plain write to the database) still takes effect within a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, text

from service.access.auth import Caller, PrincipalCache
from tests.fixtures.app import Api

AUDIT = ("GET", "/v1/audit/events")


def principal_reads(api: Api) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM principals" in statement:
            seen.append("count" if "count(" in statement else "lookup")

    event.listen(api.ctx.engine, "before_cursor_execute", record)
    return seen


def test_keys_stay_cached_past_the_check_interval(
    make_api: Callable[..., Api], db_url: str
) -> None:
    api = make_api(db_url)
    api.ctx.principals.ttl = 0.2
    for who in ("service", "compliance", "admin"):
        api.call("GET", "/v1/subscriptions", who=who)
    seen = principal_reads(api)
    time.sleep(0.3)
    for _ in range(3):
        assert api.call(*AUDIT, who="compliance", params={"limit": 1}).status_code == 200
        assert api.call("GET", "/v1/subscriptions", who="service").status_code == 200
    # A check per interval for all keys (the machine may be slow: more than one), no lookup.
    assert "lookup" not in seen and "count" in seen, seen


def test_a_revocation_written_by_another_process_takes_effect_within_the_interval(
    make_api: Callable[..., Api], db_url: str
) -> None:
    api = make_api(db_url)
    assert api.call(*AUDIT, who="compliance", params={"limit": 1}).status_code == 200
    # Another worker revokes: this process's forget_principal() is not called.
    with api.ctx.engine.begin() as connection:
        connection.execute(
            text("UPDATE principals SET revoked_at = :now WHERE name = 'compliance'"),
            {"now": datetime.now(UTC)},
        )
    time.sleep(api.ctx.principals.ttl + 0.05)
    assert api.call(*AUDIT, who="compliance", params={"limit": 1}).status_code == 401
    assert api.call("GET", "/v1/subscriptions", who="service").status_code == 200


def test_a_row_read_before_a_revocation_was_seen_is_not_cached() -> None:
    cache = PrincipalCache()
    caller = Caller(name="n", role="service", key_id="k")
    read_at = time.monotonic()
    cache.revoked_count(0, read_at - 1)
    cache.revoked_count(1, read_at + 0.001)  # seen while that row was on its way
    cache.put("sr_k_secret", caller, None, read_at)
    assert cache.get("sr_k_secret", datetime.now(UTC)) is None
    cache.put("sr_k_secret", caller, None, read_at + 0.01)  # read after the change was seen
    assert cache.get("sr_k_secret", datetime.now(UTC)) == caller
