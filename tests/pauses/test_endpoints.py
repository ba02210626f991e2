"""Single pauses as API.md states them: windows, validation, status, resume and cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from service.access.policy import Limits
from service.audit.models import AuditEvent
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.events.models import Event
from service.subscriptions.models import Pause
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.subscriptions.support import (
    audit_count,
    count_rows,
    move_clock,
    new_customer,
    new_subscription,
    pause,
    read,
    upcoming,
)

START = "2026-12-10T00:00:00Z"


@pytest.fixture
def clocked(make_api: Callable[..., Api], sqlite_url: str, test_clock: FrozenClock) -> Api:
    return make_api(sqlite_url, clock=test_clock, settings_overrides={"test_clock": True})


@pytest.fixture
def subscription(clocked: Api) -> str:
    return str(new_subscription(clocked, new_customer(clocked), start_at=START)["id"])


def with_limits(api: Api, **limits: Any) -> None:
    policy = api.ctx.policy
    api.ctx.policy = policy.model_copy(update={"limits": Limits(**limits)})


def event_types(api: Api) -> list[str]:
    """The pause events emitted, in order (charges and notices are another domain's)."""
    query = select(Event.type).where(Event.type.like("pause.%")).order_by(Event.seq)
    with transaction(api.ctx.session_factory) as session:
        return list(session.execute(query).scalars())


def test_a_pause_answers_the_pause_resource_and_shows_as_scheduled(
    clocked: Api, subscription: str
) -> None:
    response = pause(
        clocked, subscription, start="2026-12-24T00:00:00Z", days=15, resume_mode="shift"
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"].startswith("pau_")
    assert {k: v for k, v in created.items() if k != "id"} == {
        "subscription": subscription,
        "status": "scheduled",
        "starts_at": "2026-12-24T00:00:00Z",
        "ends_at": "2027-01-08T00:00:00Z",
        "resume_mode": "shift",
        "reason": None,
        "credit_amount": 0,
        "bulk": None,
        "created_by": "service",
        "created_at": "2026-12-01T12:00:00Z",
    }
    assert read(clocked, subscription)["status"] == "active"
    assert read(clocked, subscription)["pauses"] == [created]
    fetched = clocked.call("GET", f"/v1/subscriptions/{subscription}/pauses/{created['id']}")
    assert fetched.json() == created
    assert event_types(clocked) == ["pause.scheduled"]


def test_the_subscription_is_paused_exactly_while_the_pause_is_active(
    clocked: Api, subscription: str
) -> None:
    pause_id = pause(
        clocked, subscription, start="2026-12-24T00:00:00Z", days=15, resume_mode="shift"
    ).json()["id"]

    move_clock(clocked, "2026-12-23T23:59:59Z")
    assert read(clocked, subscription)["status"] == "active"
    move_clock(clocked, "2026-12-24T00:00:00Z")
    during = read(clocked, subscription)
    assert during["status"] == "paused"
    assert during["pauses"][0]["status"] == "active"
    move_clock(clocked, "2027-01-08T00:00:00Z")
    after = read(clocked, subscription)
    assert after["status"] == "active"
    assert after["pauses"][0]["status"] == "completed"
    assert audit_count(clocked, "jobs:pause:start") == 1
    assert audit_count(clocked, "jobs:pause:end") == 1
    assert event_types(clocked) == ["pause.scheduled", "pause.started", "pause.ended"]
    with transaction(clocked.ctx.session_factory) as session:
        started = session.execute(
            select(AuditEvent).where(AuditEvent.action == "jobs:pause:start")
        ).scalar_one()
    assert (started.actor, started.role) == ("system", "system")
    assert subscription in started.targets and pause_id in started.targets


def test_a_clock_jump_over_the_whole_window_starts_and_ends_it_once(
    clocked: Api, subscription: str
) -> None:
    pause(clocked, subscription, start="2026-12-24T00:00:00Z", days=3, resume_mode="skip")

    move_clock(clocked, "2027-02-01T00:00:00Z")
    move_clock(clocked, "2027-02-01T00:00:00Z")

    assert read(clocked, subscription)["pauses"][0]["status"] == "completed"
    assert audit_count(clocked, "jobs:pause:start") == 1
    assert audit_count(clocked, "jobs:pause:end") == 1


def test_start_now_is_active_at_once_and_resume_ends_it_now(
    clocked: Api, subscription: str
) -> None:
    created = pause(clocked, subscription, start="now", days=10, resume_mode="shift").json()
    assert created["status"] == "active"
    assert read(clocked, subscription)["status"] == "paused"

    move_clock(clocked, "2026-12-03T12:00:00Z")
    resumed = clocked.call("POST", f"/v1/subscriptions/{subscription}/resume", who="service")

    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "completed"
    assert resumed.json()["ends_at"] == "2026-12-03T12:00:00Z"
    assert read(clocked, subscription)["status"] == "active"
    # shift applies to the two days actually paused
    assert upcoming(clocked, subscription, 1)[0]["due_at"] == "2026-12-12T00:00:00Z"
    again = clocked.call("POST", f"/v1/subscriptions/{subscription}/resume", who="service")
    assert_problem(again, 409, "conflict")


def test_period_end_starts_at_the_next_due_date(clocked: Api, subscription: str) -> None:
    created = pause(clocked, subscription, start="period_end", cycles=2, resume_mode="skip").json()

    assert created["starts_at"] == START
    assert created["ends_at"] == "2027-02-10T00:00:00Z"
    assert created["status"] == "scheduled"
    statuses = [(e["due_at"][:10], e["status"]) for e in upcoming(clocked, subscription, 4)]
    assert statuses == [
        ("2026-12-10", "skipped"),
        ("2027-01-10", "skipped"),
        ("2027-02-10", "scheduled"),
        ("2027-03-10", "scheduled"),
    ]


def test_credit_mode_credits_the_paid_for_time_and_applies_it_after_the_pause(
    clocked: Api, subscription: str
) -> None:
    created = pause(
        clocked,
        subscription,
        start="2026-12-10T00:00:00Z",
        end="2026-12-20T00:00:00Z",
        resume_mode="credit",
    ).json()

    # 10 of December's 31 days, half-even: 3000 * 10 / 31 = 967.7 -> 968
    assert created["credit_amount"] == 968
    entries = upcoming(clocked, subscription, 2)
    assert [(e["credit_applied"], e["amount_due"]) for e in entries] == [(0, 3000), (968, 2032)]


def test_an_open_ended_pause_hides_everything_after_its_start_and_ends_at_the_policy_limit(
    clocked: Api, subscription: str
) -> None:
    created = pause(clocked, subscription, start="2026-12-24T00:00:00Z", resume_mode="shift").json()
    assert created["ends_at"] is None
    assert [e["due_at"][:10] for e in upcoming(clocked, subscription)] == ["2026-12-10"]

    move_clock(clocked, "2027-03-24T00:00:00Z")  # 90 days later
    ended = read(clocked, subscription)["pauses"][0]
    assert ended["status"] == "completed"
    assert ended["ends_at"] == "2027-03-24T00:00:00Z"
    assert read(clocked, subscription)["status"] == "active"


def test_delete_cancels_a_scheduled_pause_and_resumes_an_active_one(
    clocked: Api, subscription: str
) -> None:
    scheduled = pause(
        clocked, subscription, start="2026-12-24T00:00:00Z", days=5, resume_mode="shift"
    )
    path = f"/v1/subscriptions/{subscription}/pauses/{scheduled.json()['id']}"
    canceled = clocked.call("DELETE", path, who="service")
    assert canceled.json()["status"] == "canceled"
    assert upcoming(clocked, subscription, 2)[1]["due_at"] == "2027-01-10T00:00:00Z"
    assert_problem(clocked.call("DELETE", path, who="service"), 409, "conflict")

    active = pause(clocked, subscription, start="now", days=5, resume_mode="skip").json()
    move_clock(clocked, "2026-12-02T12:00:00Z")
    resumed = clocked.call(
        "DELETE", f"/v1/subscriptions/{subscription}/pauses/{active['id']}", who="service"
    )
    assert resumed.json()["status"] == "completed"
    assert resumed.json()["ends_at"] == "2026-12-02T12:00:00Z"
    assert read(clocked, subscription)["status"] == "active"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"start": "2026-12-24T00:00:00Z", "days": 3, "cycles": 1, "resume_mode": "skip"},
            422,
            "invalid_request",
        ),
        (
            {
                "start": "2026-12-24T00:00:00Z",
                "end": "2026-12-25T00:00:00Z",
                "days": 1,
                "resume_mode": "skip",
            },
            422,
            "invalid_request",
        ),
        (
            {"start": "2026-12-01T11:00:00Z", "days": 3, "resume_mode": "skip"},
            422,
            "invalid_request",
        ),
        (
            {"start": "2026-12-24T00:00:00Z", "end": "2026-12-24T00:00:00Z", "resume_mode": "skip"},
            422,
            "invalid_request",
        ),
        (
            {"start": "2026-12-24T00:00:00Z", "days": 0, "resume_mode": "skip"},
            422,
            "invalid_request",
        ),
        (
            {"start": "2026-12-24T00:00:00Z", "days": 3, "resume_mode": "freeze"},
            422,
            "invalid_request",
        ),
        ({"start": "tomorrow", "days": 3, "resume_mode": "skip"}, 422, "invalid_request"),
        ({"start": "now", "days": 3, "resume_mode": "skip", "extra": 1}, 422, "invalid_request"),
        (
            {"start": "now", "days": 3, "resume_mode": "skip", "reason": "x" * 501},
            422,
            "invalid_request",
        ),
        ({"start": "now", "days": 91, "resume_mode": "skip"}, 422, "policy_violation"),
        ({"start": "now", "cycles": 4, "resume_mode": "skip"}, 422, "policy_violation"),
        (
            {"start": "now", "end": "2027-03-02T12:00:01Z", "resume_mode": "skip"},
            422,
            "policy_violation",
        ),
    ],
)
def test_invalid_pauses_are_refused_and_write_nothing(
    clocked: Api, subscription: str, body: dict[str, Any], status: int, code: str
) -> None:
    assert_problem(pause(clocked, subscription, **body), status, code)
    assert count_rows(clocked, Pause) == 0
    assert event_types(clocked) == []
    assert read(clocked, subscription)["status"] == "active"


def test_open_ended_pauses_need_the_policy_to_allow_them(clocked: Api, subscription: str) -> None:
    with_limits(clocked, allow_open_ended_pauses=False)
    assert_problem(
        pause(clocked, subscription, start="now", resume_mode="skip"), 422, "policy_violation"
    )
    with_limits(clocked, max_pause_days=10)
    assert_problem(
        pause(clocked, subscription, start="now", days=11, resume_mode="skip"),
        422,
        "policy_violation",
    )
    assert pause(clocked, subscription, start="now", days=10, resume_mode="skip").status_code == 201


def test_overlapping_pauses_conflict_and_adjacent_ones_do_not(
    clocked: Api, subscription: str
) -> None:
    first = pause(clocked, subscription, start="2026-12-24T00:00:00Z", days=5, resume_mode="shift")
    assert first.status_code == 201
    overlapping = pause(
        clocked, subscription, start="2026-12-28T00:00:00Z", days=5, resume_mode="skip"
    )
    assert_problem(overlapping, 409, "conflict")
    around = pause(clocked, subscription, start="2026-12-20T00:00:00Z", days=30, resume_mode="skip")
    assert_problem(around, 409, "conflict")
    adjacent = pause(
        clocked, subscription, start="2026-12-29T00:00:00Z", days=2, resume_mode="skip"
    )
    assert adjacent.status_code == 201
    assert count_rows(clocked, Pause) == 2


def test_a_canceled_subscription_cannot_be_paused(clocked: Api, subscription: str) -> None:
    clocked.call(
        "POST", f"/v1/subscriptions/{subscription}/cancel", who="service", json={"at": "now"}
    )
    assert_problem(
        pause(clocked, subscription, start="now", days=3, resume_mode="skip"), 409, "conflict"
    )


def test_the_reason_is_stored_and_audited_only_as_redacted(clocked: Api, subscription: str) -> None:
    reason = "customer Zebulon Quixotefield asked by mail zebulon.q@example.com"
    created = pause(
        clocked, subscription, start="now", days=3, resume_mode="skip", reason=reason
    ).json()

    assert "Quixotefield" not in created["reason"]
    assert "zebulon.q@example.com" not in created["reason"]
    with transaction(clocked.ctx.session_factory) as session:
        texts = list(session.execute(select(AuditEvent.purpose)).scalars())
    assert created["reason"] in texts
    assert not any("Quixotefield" in (text or "") for text in texts)


def test_a_pause_of_another_subscription_is_not_found(clocked: Api, subscription: str) -> None:
    other = new_subscription(clocked, new_customer(clocked, 2))["id"]
    created = pause(clocked, other, start="now", days=3, resume_mode="skip").json()
    response = clocked.call("GET", f"/v1/subscriptions/{subscription}/pauses/{created['id']}")
    assert_problem(response, 404, "not_found")


def test_erasing_the_customer_ends_an_active_pause_and_cancels_the_subscription(
    clocked: Api, subscription: str
) -> None:
    pause(clocked, subscription, start="now", days=10, resume_mode="shift")
    customer = read(clocked, subscription)["customer"]
    move_clock(clocked, "2026-12-03T12:00:00Z")

    assert clocked.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200

    after = read(clocked, subscription)
    assert after["status"] == "canceled"
    assert after["pauses"][0]["status"] == "completed"
    assert after["pauses"][0]["ends_at"] == "2026-12-03T12:00:00Z"
    assert event_types(clocked) == ["pause.scheduled", "pause.started", "pause.ended"]
    assert_problem(
        clocked.call("POST", f"/v1/subscriptions/{subscription}/resume", who="service"), 410, "gone"
    )
    new_pause = {"start": "now", "days": 3, "resume_mode": "shift"}
    for method, path, body in (
        ("POST", f"/v1/subscriptions/{subscription}/pauses", new_pause),
        ("DELETE", f"/v1/subscriptions/{subscription}/pauses/{after['pauses'][0]['id']}", None),
    ):
        assert_problem(clocked.call(method, path, who="service", json=body), 410, "gone")


def test_a_pause_does_not_load_the_pauses_canceled_before_it(
    clocked: Api, subscription: str
) -> None:
    """Paused and un-paused for years, a subscription must not read its whole history on
    every operation: canceled pauses never paused anything and never change again."""
    from sqlalchemy import event

    for _ in range(12):
        made = pause(
            clocked, subscription, start="2026-12-24T00:00:00Z", days=5, resume_mode="shift"
        )
        path = f"/v1/subscriptions/{subscription}/pauses/{made.json()['id']}"
        assert clocked.call("DELETE", path, who="service").status_code == 200
    loaded: list[str] = []

    def count(target: Pause, _context: object) -> None:
        loaded.append(target.status)

    event.listen(Pause, "load", count)
    try:
        made = pause(
            clocked, subscription, start="2026-12-24T00:00:00Z", days=5, resume_mode="shift"
        )
        assert made.status_code == 201, made.text
        path = f"/v1/subscriptions/{subscription}/pauses/{made.json()['id']}"
        assert clocked.call("DELETE", path, who="service").status_code == 200
    finally:
        event.remove(Pause, "load", count)
    assert "canceled" not in loaded, loaded
    assert count_rows(clocked, Pause) == 13
