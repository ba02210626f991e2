"""Property tests across the timeline (issue 14), on SQLite and PostgreSQL.

Random calendars and random sequences of requests — single and bulk pauses in every resume
mode (starting now, at the period end or later; ending by ``end``, ``days``, ``cycles`` or
open-ended; overlapping ones that must be refused), early resumes, canceled pauses and bulk
operations, canceled subscriptions and clock moves — go through the HTTP API against a real
database, OpenBao and localstripe. After every step each subscription read through the API
must equal a from-scratch recomputation by the schedule engine (``timeline_model``): every
pause's window, status and ``credit_amount``, the subscription's status and
``next_charge_at``, its ``/upcoming``, and the charges made so far. Every clock move must
charge exactly what ``/upcoming`` promised before it, and localstripe must hold exactly those
payments.

Each example gets a fresh app with its own test clock on the test's database (the clock
never goes back, so examples cannot share one) and cancels its subscriptions when done.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from service.app.bootstrap import build_context
from service.app.main import create_app
from service.core.clock import FrozenClock
from service.core.config import Settings
from service.core.timeparse import format_api_time
from service.customers.service import payment_refs
from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.schedule import ResumeMode, ScheduledCharge
from tests.fixtures.app import Api
from tests.subscriptions.support import new_customer, new_subscription
from tests.subscriptions.timeline_model import (
    ExpectedCharge,
    ModelPause,
    ModelSubscription,
    Refused,
)

UPCOMING = 8
# Examples start near month ends, where clamped month arithmetic bites.
EPOCHS = [
    datetime(2027, 1, 30, 9, 0, tzinfo=UTC),
    datetime(2027, 2, 27, 23, 0, tzinfo=UTC),
    datetime(2028, 2, 28, 12, 0, tzinfo=UTC),
    datetime(2027, 8, 31, 0, 0, tzinfo=UTC),
]
INTERVALS = st.sampled_from(
    [(Interval.DAY, n) for n in (1, 3, 10)]
    + [(Interval.WEEK, n) for n in (1, 2)]
    + [(Interval.MONTH, n) for n in (1, 1, 1, 2)]
    + [(Interval.YEAR, 1)]
)
timeline_settings = settings(
    max_examples=int(os.environ.get("STRONGROOM_TIMELINE_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,  # the same examples on every run and machine: CI stays stable
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if os.environ.get("STRONGROOM_TIMELINE_NO_SHRINK")
    else list(Phase),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Harness:
    """What every example shares: the test's database, its principals and collaborators."""

    db_url: str
    base: Api
    key_service: Any
    processor: Any
    stripe: stripe.StripeClient

    def fresh_api(self, now: datetime) -> Api:
        settings_ = Settings(database_url=self.db_url, scheduler_enabled=False, test_clock=True)
        ctx = build_context(
            settings_,
            clock=FrozenClock(now),
            key_service=self.key_service,
            processor=self.processor,
        )
        app = create_app(ctx)
        client = TestClient(app, raise_server_exceptions=False)
        return Api(app=app, ctx=ctx, client=client, keys=self.base.keys)


@pytest.fixture
def harness(
    make_api: Any,
    db_url: str,
    key_service: Any,
    processor: Any,
    localstripe_client: stripe.StripeClient,
) -> Harness:
    base = make_api(db_url)
    return Harness(db_url, base, key_service, processor, localstripe_client)


def parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def api_time(moment: datetime) -> str:
    return format_api_time(moment)  # type: ignore[return-value]


# -- one example --------------------------------------------------------------------------------

_plans = itertools.count()


class Example:
    """A run of random steps against one fresh app, checked against the model after each."""

    def __init__(self, harness: Harness, data: st.DataObject) -> None:
        self.harness = harness
        self.data = data
        self.now = data.draw(st.sampled_from(EPOCHS), label="epoch")
        self.api = harness.fresh_api(self.now)
        self.plan = f"timeline{next(_plans)}"
        self.subs: list[ModelSubscription] = []
        self.bulks: list[str] = []
        self.names: dict[str, str] = {}  # token -> "s0", "p1", "b0": readable failures
        self.shown: dict[str, list[dict[str, Any]]] = {}  # /upcoming at the last check

    # -- set-up --------------------------------------------------------------------------------

    def add_subscription(self) -> None:
        interval, count = self.data.draw(INTERVALS, label="interval")
        offset = self.data.draw(
            st.sampled_from([timedelta(0), timedelta(hours=5), timedelta(days=3)]), label="start"
        )
        amount = self.data.draw(st.integers(1, 99_999), label="amount")
        customer = new_customer(self.api, len(self.subs))
        start_at = self.now + offset
        created = new_subscription(
            self.api,
            customer,
            plan=self.plan,
            amount=amount,
            interval=str(interval),
            interval_count=count,
            start_at=api_time(start_at),
        )
        model = ModelSubscription(
            created["id"], customer, Calendar(start_at, interval, count), amount
        )
        self.names[model.id] = f"s{len(self.subs)}"
        self.subs.append(model)

    # -- drawing requests ----------------------------------------------------------------------

    def draw_instant(self, sub: ModelSubscription, label: str) -> datetime:
        """Now, a due date or a pause boundary (exactly, or an hour off), or a few days on."""
        marks = [self.now]
        marks += [entry.due_at for entry in sub.upcoming(self.now, 3)]
        marks += [p.starts_at for p in sub.pauses] + [p.ends_at for p in sub.pauses if p.ends_at]
        mark = self.data.draw(st.sampled_from(marks), label=f"{label} mark")
        nudge = self.data.draw(
            st.sampled_from([0, 0, 3600, -3600, 2 * 86400, 11 * 86400]), label=f"{label} nudge"
        )
        return mark + timedelta(seconds=nudge)

    def draw_window(self, sub: ModelSubscription) -> dict[str, Any]:
        body: dict[str, Any] = {
            "resume_mode": self.data.draw(st.sampled_from(list(ResumeMode)), label="mode")
        }
        start = self.data.draw(st.sampled_from(["now", "period_end", "time"]), label="start")
        body["start"] = self.draw_instant(sub, "start") if start == "time" else start
        end = self.data.draw(st.sampled_from(["days", "cycles", "end", "open"]), label="end")
        if end == "days":
            body["days"] = self.data.draw(st.sampled_from([1, 6, 20, 45, 91]), label="days")
        elif end == "cycles":
            body["cycles"] = self.data.draw(st.integers(1, 3), label="cycles")
        elif end == "end":
            body["end"] = self.draw_instant(sub, "end") + timedelta(days=1)
        return body

    @staticmethod
    def wire(body: dict[str, Any]) -> dict[str, Any]:
        return {k: api_time(v) if isinstance(v, datetime) else v for k, v in body.items()}

    # -- steps ---------------------------------------------------------------------------------

    def step(self) -> str:
        live = [s for s in self.subs if not s.canceled]
        kinds = ["move", "move"]
        if live:
            kinds += ["pause", "pause", "pause", "bulk", "resume", "cancel_pause", "cancel"]
        if self.bulks:
            kinds.append("cancel_bulk")
        kind = self.data.draw(st.sampled_from(kinds), label="step")
        sub = self.data.draw(st.sampled_from(live or self.subs), label="subscription")
        return getattr(self, f"do_{kind}")(sub)

    def expect(self, response: Any, refused: Refused | None, what: str) -> None:
        want = refused.status if refused else (201 if what.startswith("create") else 200)
        assert response.status_code == want, f"{what}: {response.status_code} {response.text}"

    def do_pause(self, sub: ModelSubscription) -> str:
        body = self.draw_window(sub)
        refused, planned = None, None
        try:
            if sub.canceled:
                raise Refused(409, "conflict")
            planned = sub.plan_window(body, self.now)
            sub.refuse_conflicts(planned[0], planned[1])
        except Refused as error:
            refused = error
        response = self.api.call(
            "POST", f"/v1/subscriptions/{sub.id}/pauses", who="service", json=self.wire(body)
        )
        self.expect(response, refused, f"create pause {body}")
        if refused is None and planned is not None:
            created = response.json()
            self.names[created["id"]] = f"p{len(self.names)}"
            sub.add_pause(
                ModelPause(created["id"], *planned, ResumeMode(body["resume_mode"])), self.now
            )
        return f"pause {self.names[sub.id]} {body} -> {response.status_code}"

    def do_bulk(self, sub: ModelSubscription) -> str:
        body = self.draw_window(sub)
        refused, planned = None, {}
        skipped: dict[str, str] = {}
        try:
            if body["start"] != "period_end" and "cycles" not in body:
                # the same window for every subscription: a bad one fails the whole request
                ModelSubscription("", "", Calendar(EPOCHS[0], Interval.MONTH), 1).plan_window(
                    body, self.now
                )
            for each in (s for s in self.subs if not s.canceled):
                try:
                    window = each.plan_window(body, self.now)
                except Refused as error:
                    if body["start"] != "period_end" and "cycles" not in body:
                        raise
                    reason = "policy_violation" if error.slug == "policy_violation" else None
                    skipped[each.id] = reason or "no_due_date"
                    continue
                conflict = each.conflict(window[0], window[1])
                if conflict is not None:
                    skipped[each.id] = conflict
                    continue
                planned[each.id] = window
        except Refused as error:
            refused = error
        request = {**self.wire(body), "selector": {"plan": self.plan}, "dry_run": False}
        response = self.api.call("POST", "/v1/pauses/bulk", who="admin", json=request)
        self.expect(response, refused, f"create bulk {body}")
        if refused is None:
            outcome = response.json()
            got = {item["subscription"]: item["reason"] for item in outcome["skipped"]}
            assert got == skipped, f"bulk {body}: skipped {got}, model {skipped}"
            assert outcome["paused"] == len(planned)
            self.bulks.append(outcome["id"])
            self.names[outcome["id"]] = f"b{len(self.bulks) - 1}"
            self.adopt_bulk_pauses(outcome["id"], planned, ResumeMode(body["resume_mode"]))
        return f"bulk {body} -> {response.status_code}"

    def adopt_bulk_pauses(
        self, bulk: str, planned: dict[str, tuple[Any, ...]], mode: ResumeMode
    ) -> None:
        for sub in self.subs:
            if sub.id not in planned:
                continue
            view = self.read(sub)
            ours = [p for p in view["pauses"] if p["bulk"] == bulk]
            assert len(ours) == 1, f"bulk {bulk} made {len(ours)} pauses for {sub.id}"
            self.names[ours[0]["id"]] = f"p{len(self.names)}"
            pause = ModelPause(ours[0]["id"], *planned[sub.id], mode, bulk=bulk)
            sub.add_pause(pause, self.now)

    def do_resume(self, sub: ModelSubscription) -> str:
        active = sub.active_pause()
        response = self.api.call("POST", f"/v1/subscriptions/{sub.id}/resume", who="service")
        self.expect(response, None if active else Refused(409, "conflict"), "resume")
        if active is not None:
            sub.end(active, self.now)
        return f"resume {self.names[sub.id]} -> {response.status_code}"

    def do_cancel_pause(self, sub: ModelSubscription) -> str:
        if not sub.pauses:
            return self.do_resume(sub)
        pause = self.data.draw(st.sampled_from(sub.pauses), label="pause")
        refused = None if pause.live else Refused(409, "conflict")
        response = self.api.call(
            "DELETE", f"/v1/subscriptions/{sub.id}/pauses/{pause.id}", who="service"
        )
        self.expect(response, refused, f"cancel pause {self.names[pause.id]} ({pause.status})")
        if pause.status == "scheduled":
            pause.status = "canceled"
        elif pause.status == "active":
            sub.end(pause, self.now)
        return f"cancel {self.names[pause.id]} -> {response.status_code}"

    def do_cancel(self, sub: ModelSubscription) -> str:
        at = self.data.draw(st.sampled_from(["now", "period_end"]), label="cancel at")
        refused = None
        try:
            if sub.canceled:
                raise Refused(409, "conflict")
            if at == "now":
                sub.cancel_now(self.now)
            else:
                sub.cancel_at_period_end(self.now)
        except Refused as error:
            refused = error
        response = self.api.call(
            "POST", f"/v1/subscriptions/{sub.id}/cancel", who="service", json={"at": at}
        )
        self.expect(response, refused, f"cancel {at}")
        return f"cancel {self.names[sub.id]} {at} -> {response.status_code}"

    def do_cancel_bulk(self, sub: ModelSubscription) -> str:
        bulk = self.data.draw(st.sampled_from(self.bulks), label="bulk")
        mine = [p for s in self.subs for p in s.pauses if p.bulk == bulk]
        waiting = [p for p in mine if p.status == "scheduled"]
        response = self.api.call("DELETE", f"/v1/pauses/bulk/{bulk}", who="admin")
        assert response.status_code == 200, response.text
        assert response.json()["canceled"] == len(waiting)
        for pause in waiting:
            pause.status = "canceled"
        return f"cancel bulk {self.names[bulk]} -> {len(waiting)}"

    def do_move(self, sub: ModelSubscription) -> str:
        target = self.draw_instant(sub, "move")
        jump = self.data.draw(st.sampled_from([0, 3600, 86400 * 9, 86400 * 40]), label="jump")
        target = max(target, self.now) + timedelta(seconds=jump)
        promised = dict(self.shown)  # /upcoming as the check after the last step read it
        before = {s.id: len(s.charges) for s in self.subs}  # checked after the last move
        response = self.api.call(
            "POST", "/v1/test/clock", who="admin", json={"now": api_time(target)}
        )
        assert response.status_code == 200, response.text
        self.now = target
        for each in self.subs:
            each.move_to(target)
            name = self.names[each.id]
            every = self.charges(each)
            assert every == each.charges, f"{name}: charged {every}, the model {each.charges}"
            charged = every[before[each.id] :]
            # An entry due exactly at the time the clock already stands at was charged by the
            # move that got there, yet /upcoming (due at or after now) still lists it.
            handled = {api_time(c.due_at) for c in each.charges[: before[each.id]]}
            waiting = [e for e in promised[each.id] if e["due_at"] not in handled]
            self.check_promise(name, waiting, target, charged)
        return f"move to {api_time(target)}"

    @staticmethod
    def check_promise(
        name: str, promised: list[dict[str, Any]], target: datetime, charged: list[ExpectedCharge]
    ) -> None:
        """The move charged what ``/upcoming`` showed before it, up to where the list ends."""
        due = [e for e in promised if parse(e["due_at"]) <= target]  # type: ignore[operator]
        want = [
            (parse(e["due_at"]), e["amount_due"], e["credit_applied"])
            for e in due
            if e["status"] == "scheduled"
        ]
        got = [(c.due_at, c.amount, c.credit_applied) for c in charged]
        if len(due) == len(promised) and len(promised) >= UPCOMING - 1:  # it ends before target
            got = got[: len(want)]
        assert got == want, f"{name}: /upcoming promised {want}, the move charged {got}"

    # -- reading and checking ------------------------------------------------------------------

    def read(self, sub: ModelSubscription) -> dict[str, Any]:
        response = self.api.call("GET", f"/v1/subscriptions/{sub.id}", who="service")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def upcoming(self, sub: ModelSubscription) -> list[dict[str, Any]]:
        response = self.api.call(
            "GET", f"/v1/subscriptions/{sub.id}/upcoming?count={UPCOMING}", who="service"
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]  # type: ignore[no-any-return]

    def charges(self, sub: ModelSubscription) -> list[ExpectedCharge]:
        listed: list[dict[str, Any]] = []
        query: dict[str, Any] = {"subscription": sub.id, "limit": 500}
        while True:
            response = self.api.call("GET", "/v1/charges", who="service", params=query)
            assert response.status_code == 200, response.text
            listed += response.json()["data"]
            if response.json()["next_cursor"] is None:
                break
            query["cursor"] = response.json()["next_cursor"]
        found = []
        for charge in listed:
            assert charge["status"] == "succeeded", charge
            due_at = parse(charge["due_at"])
            assert due_at is not None
            index = self.index_of(sub, due_at)
            found.append(ExpectedCharge(index, due_at, charge["amount"], charge["credit_applied"]))
        return sorted(found, key=lambda c: c.due_at)

    @staticmethod
    def index_of(sub: ModelSubscription, due_at: datetime) -> int:
        known = {c.due_at: c.index for c in sub.charges}
        return known.get(due_at, -1)

    def check(self, where: str) -> None:
        for sub in self.subs:
            name = f"{self.names[sub.id]} after {where}"
            view = self.read(sub)
            assert view["status"] == sub.status(), f"{name}: status {view['status']}"
            assert parse(view["next_charge_at"]) == sub.next_charge_at(), (
                f"{name}: next_charge_at {view['next_charge_at']}, model {sub.next_charge_at()}"
            )
            stored = {p["id"]: p for p in view["pauses"]}
            assert set(stored) == {p.id for p in sub.pauses}, name
            for pause in sub.pauses:
                got = stored[pause.id]
                label = f"{name}: {self.names[pause.id]} ({pause.mode}, {pause.status})"
                assert got["status"] == pause.status, f"{label}: status {got['status']}"
                assert parse(got["starts_at"]) == pause.starts_at, f"{label}: starts_at"
                assert parse(got["ends_at"]) == pause.ends_at, f"{label}: ends_at"
                if pause.status != "canceled":
                    assert got["credit_amount"] == sub.credit(pause), (
                        f"{label}: credit_amount {got['credit_amount']}, model {sub.credit(pause)}"
                    )
            shown = self.shown[sub.id] = self.upcoming(sub)
            assert shown == [self.entry_view(e) for e in sub.upcoming(self.now, UPCOMING)], (
                f"{name}: /upcoming differs from the engine"
            )

    @staticmethod
    def entry_view(entry: ScheduledCharge) -> dict[str, Any]:
        return {
            "due_at": api_time(entry.due_at),
            "amount": entry.amount,
            "credit_applied": entry.credit_applied if entry.status == "scheduled" else 0,
            "amount_due": entry.amount_due,
            "currency": "USD",
            "status": entry.status,
            "pause": entry.pause,
        }

    def check_processor(self) -> None:
        """localstripe holds exactly the collected charges: one payment per non-zero amount."""
        with Session(self.api.ctx.engine) as session:
            for sub in self.subs:
                refs = payment_refs(
                    session, self.api.ctx.key_service, self.api.ctx.data_keys, sub.customer
                )
                params: dict[str, Any] = {"customer": refs.processor_customer, "limit": 100}
                paid: list[int] = []
                while True:
                    page = self.harness.stripe.v1.charges.list(params=params)
                    paid += [charge.amount for charge in page.data]
                    if not page.has_more or not page.data:
                        break
                    params["starting_after"] = page.data[-1].id
                paid.sort()
                assert paid == sorted(c.amount for c in sub.charges if c.amount > 0), (
                    f"{self.names[sub.id]}: localstripe holds {paid}"
                )

    def close(self) -> None:
        try:
            for sub in self.subs:
                if not sub.canceled:
                    self.api.call("POST", f"/v1/subscriptions/{sub.id}/cancel", json={"at": "now"})
        finally:
            self.api.client.close()
            self.api.ctx.engine.dispose()


def run(harness: Harness, data: st.DataObject, subscriptions: int, steps: int) -> None:
    example = Example(harness, data)
    try:
        for _ in range(subscriptions):
            example.add_subscription()
        example.check("creation")
        history: list[str] = []
        for _ in range(data.draw(st.integers(2, steps), label="steps")):
            history.append(example.step())
            example.check(" ; ".join(history))
        example.check_processor()
    finally:
        example.close()


@timeline_settings
@given(data=st.data())
def test_one_subscription_always_reads_as_its_from_scratch_timeline(
    harness: Harness, data: st.DataObject
) -> None:
    run(harness, data, subscriptions=1, steps=8)


@timeline_settings
@given(data=st.data())
def test_bulk_pauses_over_two_calendars_read_as_their_from_scratch_timelines(
    harness: Harness, data: st.DataObject
) -> None:
    run(harness, data, subscriptions=2, steps=6)
