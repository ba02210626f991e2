"""Timelines saved in bulk write their subscriptions with one set-based UPDATE
(``service.core.rows.update_rows``) rather than the unit of work: the rows, and the objects the
session holds, must be exactly what pausing the same subscriptions one at a time gives."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service.access.policy import Limits
from service.core.db import make_engine, make_session_factory, transaction
from service.core.rows import COPY_FROM
from service.customers.models import Customer
from service.pauses import bulk
from service.pauses import operations as pauses
from service.pauses.schemas import BulkPauseCreate, PauseCreate
from service.subscriptions.models import Subscription

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
COUNT = COPY_FROM + 20
WINDOWS: list[dict[str, Any]] = [
    # later, shifting: only some next charges move (next_charge_at alone changes)
    {"start": datetime(2026, 12, 24, tzinfo=UTC), "days": 15, "resume_mode": "shift"},
    # now, with credit: every status changes, and the next charge of some
    {"start": "now", "days": 10, "resume_mode": "credit"},
]


def seed(session: Session, plan: str) -> list[str]:
    """``COUNT`` monthly subscriptions of ``plan``, started over the last 28 days."""
    customer = f"cus_tok_{secrets.token_hex(12)}"
    session.execute(insert(Customer), [{"id": customer, "created_at": NOW}])
    rows = []
    for n in range(COUNT):
        start = NOW - timedelta(days=n % 28, hours=n % 24)
        rows.append(
            {
                "id": f"sub_tok_{plan}_{n:04d}",
                "customer": customer,
                "status": "active",
                "plan": plan,
                "amount": 500 + n * 100,
                "currency": "USD",
                "interval": "month",
                "interval_count": 1,
                "start_at": start,
                "created_at": NOW,
                "charged_through_index": 0,
                "next_charge_at": start + timedelta(days=30),
            }
        )
    session.execute(insert(Subscription), rows)
    return [row["id"] for row in rows]


def stored(session: Session, plan: str) -> list[tuple[Any, ...]]:
    """The rows as the database has them (columns, not the session's objects)."""
    query = (
        select(Subscription.status, Subscription.next_charge_at)
        .where(Subscription.plan == plan)
        .order_by(Subscription.id)
    )
    return [tuple(row) for row in session.execute(query)]


@pytest.mark.parametrize("window", WINDOWS, ids=["later-shift", "now-credit"])
def test_a_bulk_pause_writes_what_single_pauses_write(db_url: str, window: dict[str, Any]) -> None:
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        singles = seed(session, "single")
        seed(session, "bulk")
    with transaction(factory) as session:
        for token in singles:
            pauses.create_pause(session, token, PauseCreate(**window), Limits(), "t", NOW)
    with transaction(factory) as session:
        # read first, so the session keeps these objects (its identity map is weak)
        objects = session.scalars(
            select(Subscription).where(Subscription.plan == "bulk").order_by(Subscription.id)
        ).all()
        request = BulkPauseCreate(selector={"plan": "bulk"}, dry_run=False, **window)
        outcome = bulk.bulk_pause(
            session, request, Limits(), bulk.BulkActor("t", "admin"), NOW, reason=None
        )
        assert outcome.body["paused"] == COUNT
        written = stored(session, "bulk")
        # The session holds what was written, and has nothing left to write for them.
        assert [(s.status, s.next_charge_at) for s in objects] == written
        assert not [s for s in session.dirty if isinstance(s, Subscription)]
    with transaction(factory) as session:
        expected, written = stored(session, "single"), stored(session, "bulk")
    assert written == expected
    assert len({row for row in written}) > 1, "the window must change rows differently"
    engine.dispose()
