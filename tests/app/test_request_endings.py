"""How a request ends when it ends in its endpoint's thread (service/app/request_audit.py,
``EndingInThread``): the effect and its event commit together, the event's status is the one
answered, and whatever fails — the commit in the database, or the answer after the commit —
leaves exactly one event for the request and never an effect without one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.fixtures.app import Api

REFUSE_AT_COMMIT = """
CREATE OR REPLACE FUNCTION strongroom_test_refuse_at_commit() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'refused at commit by the test';
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS strongroom_test_refuse_at_commit ON customers;
CREATE CONSTRAINT TRIGGER strongroom_test_refuse_at_commit AFTER INSERT ON customers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION strongroom_test_refuse_at_commit();
"""


@pytest.fixture
def pg_api(make_api: Callable[..., Api], pg_url: str) -> Iterator[Api]:
    yield make_api(pg_url, settings_overrides={"audit_sequence_delay_ms": 1000})


def _events(api: Api, request_id: str) -> list[tuple[int, str, str]]:
    with api.ctx.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status, outcome, targets FROM audit_events WHERE request_id = :r"),
            {"r": request_id},
        )
        return [(int(status), str(outcome), str(targets)) for status, outcome, targets in rows]


def _customers(api: Api) -> int:
    with api.ctx.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM customers")).scalar_one())


def _create(api: Api) -> Any:
    return api.call(
        "POST", "/v1/customers", who="service", json={"name": "End Person", "email": "e@x.io"}
    )


def test_each_write_s_event_carries_the_status_it_answered(pg_api: Api) -> None:
    created = _create(pg_api)
    customer = created.json()["id"]
    subscription = pg_api.call(
        "POST",
        "/v1/subscriptions",
        who="service",
        json={
            "customer": customer,
            "plan": "p",
            "amount": 900,
            "currency": "usd",
            "interval": "month",
        },
    )
    assert subscription.status_code == 201, subscription.text
    paused = pg_api.call(
        "POST",
        f"/v1/subscriptions/{subscription.json()['id']}/pauses",
        who="service",
        json={"start": "period_end", "days": 5, "resume_mode": "shift"},
    )
    canceled = pg_api.call(
        "DELETE",
        f"/v1/subscriptions/{subscription.json()['id']}/pauses/{paused.json()['id']}",
        who="service",
    )
    for answer in (created, subscription, paused, canceled):
        [(status, outcome, _)] = _events(pg_api, answer.headers["x-request-id"])
        assert (status, outcome) == (answer.status_code, "allowed")
    assert (created.status_code, paused.status_code, canceled.status_code) == (201, 201, 200)


def test_a_commit_the_database_refuses_leaves_no_effect_and_one_error_event(
    pg_api: Api,
) -> None:
    """A deferred constraint trigger refuses the customer at COMMIT — in the endpoint's thread,
    after the endpoint returned: the real database failing at the exact step."""
    with pg_api.ctx.engine.begin() as conn:
        conn.exec_driver_sql(REFUSE_AT_COMMIT)
    try:
        refused = _create(pg_api)
    finally:
        with pg_api.ctx.engine.begin() as conn:
            conn.exec_driver_sql(
                "DROP TRIGGER IF EXISTS strongroom_test_refuse_at_commit ON customers"
            )
    assert refused.status_code >= 500
    assert "End Person" not in refused.text and "e@x.io" not in refused.text
    assert _customers(pg_api) == 0
    [(status, outcome, _)] = _events(pg_api, refused.headers["x-request-id"])
    assert (status, outcome) == (refused.status_code, "error")
    assert _create(pg_api).status_code == 201  # the worker goes on


def test_an_answer_that_fails_after_the_commit_adds_no_second_event(
    pg_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing real fails between the commit and the answer's serialisation, so FastAPI's
    serialiser is made to raise there (a fake, at that one point only)."""
    import fastapi.routing

    async def broken(**_: Any) -> Any:
        raise RuntimeError("the answer could not be serialised")

    monkeypatch.setattr(fastapi.routing, "serialize_response", broken)
    failed = _create(pg_api)
    monkeypatch.undo()
    assert failed.status_code == 500
    assert _customers(pg_api) == 1  # committed with its event before the answer failed
    [(status, outcome, targets)] = _events(pg_api, failed.headers["x-request-id"])
    assert (status, outcome) == (201, "allowed")
    assert targets.startswith('["cus_')
