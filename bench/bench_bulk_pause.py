"""Bulk pause benchmark: N subscriptions paused in one request vs one API call each.

    .venv/bin/python bench/bench_bulk_pause.py [--quick] [--count N] [--sample S]

On a fresh PostgreSQL database, N subscriptions (100,000; 5,000 with --quick) are seeded
directly, then paused for the holidays by ONE ``POST /v1/pauses/bulk`` through the real app
(route class, idempotency, audit: one event per subscription plus the request's own, events in
the outbox, tree heads signed by a real OpenBao). Baseline: the same pause made with
``POST /v1/subscriptions/{id}/pauses`` one call at a time, measured on a sample of S
subscriptions and extrapolated to N. The audit chain is verified at the end. Prints figures;
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, postgres_database, print_figures
from service.access.principals import create_principal
from service.app.bootstrap import build_context
from service.app.main import create_app
from service.audit.models import AuditEvent
from service.audit.verify import verify_with
from service.core.clock import FrozenClock
from service.core.config import Settings
from service.core.db import make_engine, transaction
from service.core.migrate import upgrade
from service.customers.models import Customer
from service.devstack.openbao import OpenBaoDevServer
from service.keys.transit import TransitKeyService, build_vault_client
from service.subscriptions.models import Subscription, SubscriptionTag

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOLIDAY = {"start": "2026-12-24T00:00:00Z", "days": 15, "resume_mode": "shift"}
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD")
CHUNK = 10_000


def seed(url: str, count: int, plan: str) -> None:
    """``count`` monthly subscriptions of ``plan`` over 1,000 customers, tagged ``holiday``."""
    engine = make_engine(url)
    customers = [f"cus_tok_{secrets.token_hex(12)}" for _ in range(1000)]
    with engine.begin() as conn:
        conn.execute(insert(Customer), [{"id": c, "created_at": NOW} for c in customers])
        for offset in range(0, count, CHUNK):
            rows, tags = [], []
            for n in range(offset, min(offset + CHUNK, count)):
                token = f"sub_tok_{secrets.token_hex(12)}"
                start = NOW + timedelta(days=n % 28, minutes=n % 1440)
                rows.append(
                    {
                        "id": token,
                        "customer": customers[n % len(customers)],
                        "status": "active",
                        "plan": plan,
                        "amount": 500 + (n % 50) * 100,
                        "currency": CURRENCIES[n % len(CURRENCIES)],
                        "interval": "month",
                        "interval_count": 1,
                        "start_at": start,
                        "created_at": NOW,
                        "charged_through_index": -1,
                        "next_charge_at": start,
                    }
                )
                tags.append({"subscription": token, "tag": "holiday"})
            conn.execute(insert(Subscription), rows)
            conn.execute(insert(SubscriptionTag), tags)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 subscriptions (CI)")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    count = args.count or (5_000 if args.quick else 100_000)

    with OpenBaoDevServer() as bao, postgres_database() as url:
        if url is None:
            sys.exit("PostgreSQL is not reachable on 127.0.0.1:5432")
        key_service = TransitKeyService(build_vault_client(bao.addr, token=bao.token))
        key_service.ensure_keys()
        upgrade(make_engine(url))
        started = time.perf_counter()
        seed(url, count, "bench")
        seed(url, args.sample, "sample")
        print(
            f"seeded {count + args.sample:,} subscriptions in {time.perf_counter() - started:.1f} s"
        )

        settings = Settings(database_url=url, test_clock=True, scheduler_enabled=False)
        ctx = build_context(settings, clock=FrozenClock(NOW), key_service=key_service)
        client = TestClient(create_app(ctx), raise_server_exceptions=False)
        with transaction(ctx.session_factory) as session:
            admin = create_principal(session, "bench-admin", "admin", NOW).key
        headers = {"Authorization": f"Bearer {admin}"}

        body = {"selector": {"plan": "bench", "tags": ["holiday"]}, **HOLIDAY}
        started = time.perf_counter()
        preview = client.post("/v1/pauses/bulk", headers=headers, json={**body, "dry_run": True})
        dry_run_seconds = time.perf_counter() - started
        assert preview.status_code == 200, preview.text

        started = time.perf_counter()
        applied = client.post("/v1/pauses/bulk", headers=headers, json={**body, "dry_run": False})
        bulk_seconds = time.perf_counter() - started
        assert applied.status_code == 201, applied.text
        assert applied.json()["paused"] == count, applied.json()["paused"]

        with transaction(ctx.session_factory) as session:
            tokens = list(
                session.execute(
                    select(Subscription.id).where(Subscription.plan == "sample")
                ).scalars()
            )
        started = time.perf_counter()
        for token in tokens:
            response = client.post(
                f"/v1/subscriptions/{token}/pauses", headers=headers, json=HOLIDAY
            )
            assert response.status_code == 201, response.text
        per_call = (time.perf_counter() - started) / len(tokens)

        with transaction(ctx.session_factory) as session:
            events = session.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "pauses:pause:create")
            ).scalar_one()
        ctx.sequencer.run()  # integrate the queued events before verifying the trail
        started = time.perf_counter()
        with ctx.engine.connect() as conn:
            verified = verify_with(conn, key_service)
        verify_seconds = time.perf_counter() - started
        start_figures = measure_pause_starts(ctx, args.sample)
        client.close()
        ctx.engine.dispose()

    print(f"dry run over {count:,} subscriptions: {dry_run_seconds:.2f} s")
    print(f"affected: {preview.json()['affected']}")
    print(f"audit events pauses:pause:create: {events:,} (bulk {count:,} + sample {len(tokens)})")
    print(
        f"audit trail verified: {verified.ok} ({verified.checked:,} events, {verify_seconds:.1f} s)"
    )
    print_figures(
        f"Bulk pause of {count:,} subscriptions on PostgreSQL (each with its audit event)",
        [
            Figure(
                "bulk pause, one request",
                bulk_seconds,
                "s",
                f"one API call each (x{len(tokens)}, extrap.)",
                per_call * count,
            ),
            Figure(
                "subscriptions paused per second",
                count / bulk_seconds,
                "/s",
                "one API call each",
                1 / per_call,
            ),
            *start_figures,
        ],
    )


def measure_pause_starts(ctx: Any, sample: int) -> list[Figure]:
    """The holiday's start: every pause begins at the same instant. The job starts them in
    batches; baseline: the first ``sample`` started one transaction each, same data, same run."""
    from service.jobs.registry import JobContext
    from service.pauses import jobs as pause_jobs

    at = datetime.fromisoformat(HOLIDAY["start"].replace("Z", "+00:00"))
    batch, limit = pause_jobs.BATCH, pause_jobs.MAX_BATCHES_PER_RUN
    try:
        pause_jobs.BATCH, pause_jobs.MAX_BATCHES_PER_RUN = 1, sample
        started = time.perf_counter()
        one_by_one = pause_jobs.start_due_pauses(JobContext(ctx), at)
        single_seconds = time.perf_counter() - started
    finally:
        pause_jobs.BATCH, pause_jobs.MAX_BATCHES_PER_RUN = batch, limit
    started = time.perf_counter()
    batched = pause_jobs.start_due_pauses(JobContext(ctx), at)
    batched_seconds = time.perf_counter() - started
    print(
        f"pause starts: {one_by_one:,} one per transaction in {single_seconds:.1f} s, "
        f"{batched:,} in batches of {batch} in {batched_seconds:.1f} s"
    )
    return [
        Figure(
            "pause starts per second (job, batched)",
            batched / batched_seconds,
            "/s",
            "one transaction per start",
            one_by_one / single_seconds,
        ),
    ]


if __name__ == "__main__":
    main()
