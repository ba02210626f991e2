"""Pause write paths through the service layer: time and SQL statements, SQLite and PostgreSQL.

    .venv/bin/python bench/bench_pauses.py [--single N] [--bulk N] [--only sqlite|postgresql]

On a fresh database of each kind (migrated with Alembic), monthly subscriptions are seeded
directly, then paused the ways the service pauses them, each in its own transaction:

- single pause, scheduled: ``pauses.operations.create_pause`` (shift, starting later), N times;
- single pause, starting now: the same with a ``credit`` pause that starts now;
- resume: ``pauses.operations.resume`` of each pause started now;
- bulk pause: one ``pauses.bulk.bulk_pause`` over N subscriptions (its audit events included);
- pause start job: ``pauses.jobs.start_due_pauses`` starting those N pauses at their start.

Statements are counted through the driver (``before_cursor_execute``), BEGIN/COMMIT aside.
No HTTP, no OpenBao: the reason is not sealed (no key service), so these are the figures of
the pause domain itself. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import postgres_database
from service.access.policy import Limits
from service.audit.log import wall_clock_audit
from service.audit.seal import EventSealer
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade
from service.customers.models import Customer
from service.devstack.openbao import OpenBaoDevServer
from service.keys.transit import TransitKeyService, build_vault_client
from service.pauses import bulk, jobs
from service.pauses import operations as pauses
from service.pauses.schemas import BulkPauseCreate, PauseCreate
from service.subscriptions.models import Subscription

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOLIDAY_START = datetime(2026, 12, 24, tzinfo=UTC)
LIMITS = Limits()


def seed(engine: Engine, count: int, plan: str) -> list[str]:
    """``count`` monthly subscriptions of ``plan``, started over the last 28 days."""
    customers = [f"cus_tok_{secrets.token_hex(12)}" for _ in range(max(1, count // 10))]
    rows = []
    for n in range(count):
        start = NOW - timedelta(days=n % 28, minutes=n % 1440)
        rows.append(
            {
                "id": f"sub_tok_{secrets.token_hex(12)}",
                "customer": customers[n % len(customers)],
                "status": "active",
                "plan": plan,
                "amount": 500 + (n % 50) * 100,
                "currency": "USD",
                "interval": "month",
                "interval_count": 1,
                "start_at": start,
                "created_at": NOW,
                "charged_through_index": 0,
                "next_charge_at": start + timedelta(days=30),
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Customer), [{"id": c, "created_at": NOW} for c in customers])
        conn.execute(insert(Subscription), rows)
    return [row["id"] for row in rows]


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.statements += 1


@contextmanager
def measured(counter: Counter, out: dict[str, tuple[float, int]], name: str) -> Iterator[None]:
    before = counter.statements
    started = time.perf_counter()
    yield
    out[name] = (time.perf_counter() - started, counter.statements - before)


def each(factory: Any, tokens: list[str], work: Callable[[Any, str], Any]) -> None:
    for token in tokens:
        with transaction(factory) as session:
            work(session, token)


def run(
    url: str, single: int, bulk_count: int, sealer: EventSealer
) -> dict[str, tuple[float, int]]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine, sealer)
    audit = wall_clock_audit()
    scheduled = seed(engine, single, "single")
    starting = seed(engine, single, "now")
    seed(engine, bulk_count, "bulk")
    counter = Counter(engine)
    out: dict[str, tuple[float, int]] = {}
    later = PauseCreate(start=HOLIDAY_START, days=15, resume_mode="shift")
    now = PauseCreate(start="now", days=10, resume_mode="credit")

    with measured(counter, out, f"single pause, scheduled (x{single})"):
        each(factory, scheduled, lambda s, t: pauses.create_pause(s, t, later, LIMITS, "b", NOW))
    with measured(counter, out, f"single pause, starting now (x{single})"):
        each(factory, starting, lambda s, t: pauses.create_pause(s, t, now, LIMITS, "b", NOW))
    with measured(counter, out, f"resume (x{single})"):
        each(factory, starting, lambda s, t: pauses.resume(s, t, NOW + timedelta(days=1)))
    request = BulkPauseCreate(
        selector={"plan": "bulk"},
        start=HOLIDAY_START,
        days=15,
        resume_mode="shift",
        dry_run=False,
    )
    bulk_name = f"bulk pause ({bulk_count} subscriptions)"
    with measured(counter, out, bulk_name), transaction(factory) as session:
        outcome = bulk.bulk_pause(
            session, request, LIMITS, bulk.BulkActor("b", "admin"), NOW, reason=None
        )
        audit.records(session, outcome.paused_events, at=NOW)  # bulk returns its events
        outcome = outcome.body
    assert outcome["paused"] == bulk_count, outcome
    context: Any = SimpleNamespace(session_factory=factory, app=SimpleNamespace(audit=audit))
    with measured(counter, out, f"pause start job ({bulk_count + single} pauses)"):
        started = jobs.start_due_pauses(context, HOLIDAY_START)
    assert started == bulk_count + single, started
    with transaction(factory) as session:
        paused = session.scalars(
            select(Subscription.status).where(Subscription.plan == "bulk")
        ).all()
    assert set(paused) == {"paused"}, set(paused)
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 single pauses, a bulk of 200")
    parser.add_argument("--single", type=int, default=None, help="single pauses (200)")
    parser.add_argument("--bulk", type=int, default=None, help="bulk pause size (1,000)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    args = parser.parse_args()
    args.single = args.single or (50 if args.quick else 200)
    args.bulk = args.bulk or (200 if args.quick else 1000)
    results: dict[str, dict[str, tuple[float, int]]] = {}
    with OpenBaoDevServer() as bao:  # the audit events' seal key, as the service derives it
        keys = TransitKeyService(build_vault_client(bao.addr, token=bao.token))
        keys.ensure_keys()
        sealer = EventSealer(keys)
        if args.only in (None, "sqlite"):
            with tempfile.TemporaryDirectory() as folder:
                sqlite = f"sqlite:///{folder}/bench.db"
                results["sqlite"] = run(sqlite, args.single, args.bulk, sealer)
        if args.only in (None, "postgresql"):
            with postgres_database() as url:
                if url is None:
                    sys.exit("PostgreSQL is not reachable on 127.0.0.1:5432")
                results["postgresql"] = run(url, args.single, args.bulk, sealer)
    print(
        f"\n{'database':<11} {'operation':<40} {'seconds':>8} {'ms/op':>7} {'stmts':>7} {'/op':>6}"
    )
    for database, figures in results.items():
        for name, (seconds, statements) in figures.items():
            ops = int(name.rsplit("x", 1)[1].rstrip(")")) if "(x" in name else 1
            print(
                f"{database:<11} {name:<40} {seconds:>8.2f} {1000 * seconds / ops:>7.1f} "
                f"{statements:>7} {statements / ops:>6.1f}"
            )


if __name__ == "__main__":
    main()
