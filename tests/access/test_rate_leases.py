"""The rate limiter leases hits in advance: two processes sharing one principal's traffic let
exactly the policy's number through per minute, with far fewer round trips than requests."""

from __future__ import annotations

import uuid

from sqlalchemy import event

from service.access.ratelimit import RateLimiter, counter_engine
from service.core.db import make_engine

MID_MINUTE = 60.0 * 29_000_000 + 30.0  # a minute no other test counts in


def two_processes(db_url: str) -> tuple[list[RateLimiter], list[int]]:
    """Two limiters on engines of their own (as two worker processes have), and a list
    holding the number of counter upserts they sent (SQLite also sends its pragmas)."""
    sent = [0]
    limiters = []
    for _ in range(2):
        engine = counter_engine(make_engine(db_url))

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            sent[0] += statement.startswith("INSERT INTO rate_counters")

        event.listen(engine, "before_cursor_execute", count)
        limiters.append(RateLimiter(engine))
    return limiters, sent


def test_two_processes_together_allow_exactly_the_limit_in_few_round_trips(db_url: str) -> None:
    limit = 6_400
    (first, second), sent = two_processes(db_url)
    bucket = f"key:{uuid.uuid4().hex}"
    allowed = 0
    for n in range(2 * limit):
        limiter = first if n % 3 else second  # uneven shares
        allowed += limiter.hit(bucket, limit, now=MID_MINUTE + n / (4 * limit)) is None
    assert allowed == limit
    # One statement per request would be 12,800; leases shrink near the limit, and past it
    # every refused request is counted again.
    assert sent[0] - limit < 500, sent[0]


def test_a_small_limit_is_counted_hit_by_hit(db_url: str) -> None:
    (first, second), sent = two_processes(db_url)
    bucket = f"key:{uuid.uuid4().hex}"
    results = [
        (first if n % 2 else second).hit(bucket, 20, now=MID_MINUTE + n / 100) for n in range(30)
    ]
    assert [r is None for r in results] == [True] * 20 + [False] * 10
    assert sent[0] == 30


def test_leased_hits_end_with_their_minute(db_url: str) -> None:
    (limiter, _), sent = two_processes(db_url)
    bucket = f"key:{uuid.uuid4().hex}"
    assert limiter.hit(bucket, 6_400, now=MID_MINUTE) is None
    assert limiter.hit(bucket, 6_400, now=MID_MINUTE + 1) is None
    assert sent[0] == 1  # the second from the lease
    assert limiter.hit(bucket, 6_400, now=MID_MINUTE + 60) is None
    assert sent[0] == 2  # a new minute: a new lease


def test_hits_taken_from_memory_count_toward_the_same_limit(db_url: str) -> None:
    """The route's path without the thread pool takes a token from the lease when one is
    left and otherwise falls back to ``hit``: together they still allow exactly the limit."""
    limit = 3_200
    (first, second), sent = two_processes(db_url)
    bucket = f"key:{uuid.uuid4().hex}"
    allowed = from_memory = 0
    for n in range(2 * limit):
        limiter = first if n % 3 else second
        now = MID_MINUTE + n / (4 * limit)
        if limiter.take_leased(bucket, now=now):
            from_memory += 1
            allowed += 1
        else:
            allowed += limiter.hit(bucket, limit, now=now) is None
    assert allowed == limit
    assert from_memory > limit // 2  # most came from leases, with no statement
    assert sent[0] - limit < 500, sent[0]  # past the limit each refusal is counted again


def test_no_token_is_taken_without_a_lease_of_this_minute(db_url: str) -> None:
    (limiter, _), sent = two_processes(db_url)
    bucket = f"key:{uuid.uuid4().hex}"
    assert not limiter.take_leased(bucket, now=MID_MINUTE)
    assert limiter.hit(bucket, 6_400, now=MID_MINUTE) is None  # leases 199 more
    assert limiter.take_leased(bucket, now=MID_MINUTE + 1)
    assert not limiter.take_leased(bucket, now=MID_MINUTE + 60)  # last minute's lease
    small = f"key:{uuid.uuid4().hex}"
    assert limiter.hit(small, 20, now=MID_MINUTE) is None  # counted hit by hit: no lease
    assert not limiter.take_leased(small, now=MID_MINUTE)
    assert sent[0] == 2
