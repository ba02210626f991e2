"""Renewal day: N recurring charges come due at once; the charge job against the bare adapter.

    .venv/bin/python bench/bench_renewal.py [--quick] [--charges N] [--concurrency C] [--db sqlite]

Starts OpenBao (dev), localstripe and a fresh PostgreSQL database (or SQLite); creates a few
customers with a card through the service's own code (the processor holds them), then N
monthly subscriptions over them, all due now. Measured:
  - service: the ``charges-recurring`` job (claims due subscriptions in batches, records each
    period's intent, sends ``renewal_concurrency`` = C at a time, records outcomes, audit
    events and event outbox rows);
  - baseline, same run, same concurrency: the stripe SDK creating and confirming the same
    PaymentIntents directly (one request per charge), N times from C threads, on a fresh
    localstripe of its own (its store grows with every payment and slows down: a shared one
    would handicap the second run).
localstripe's cost per payment grows with its store (each PaymentIntent it returns scans the
whole store for the charge's refunds): about 3 ms of its CPU at the start, 30 ms after 2,000
payments, so at 10,000 both sides measure mostly localstripe, and a loaded machine can push
its answers past the timeout (the job then leaves the rest ``pending`` for the reconciler).
Afterwards it checks that every subscription was charged exactly once (the database and the
processor agree). Prints throughput and the ratio; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
import stripe
from sqlalchemy import func, insert, select

from bench._common import Figure, postgres_database, print_figures, timer
from service.app.bootstrap import build_context
from service.app.wiring import wire
from service.charges.models import Charge
from service.charges.recurring import charge_due_periods
from service.core.config import Settings
from service.core.db import transaction
from service.core.migrate import upgrade
from service.customers.operations import create_customer
from service.customers.schemas import CustomerCreate
from service.devstack import free_port
from service.devstack.localstripe import LocalStripeServer, StateFile
from service.devstack.openbao import OpenBaoDevServer
from service.jobs.registry import JobContext
from service.processors.stripe_adapter import StripeProcessor
from service.subscriptions.models import Subscription
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY

CUSTOMERS = 20


def seed(ctx: Any, count: int, now: datetime) -> None:
    """``count`` monthly subscriptions due at ``now`` over ``CUSTOMERS`` customers with a card."""
    customers = []
    for n in range(CUSTOMERS):
        with transaction(ctx.session_factory) as session:
            view = create_customer(
                session,
                ctx.key_service,
                ctx.processor,
                ctx.data_keys,
                CustomerCreate(
                    name=f"Renewal Person{n}",
                    email=f"renewal{n}@example.com",
                    payment_method="pm_card_visa",
                ),
                now,
            )
        customers.append(view["id"])
    start = now - timedelta(hours=1)
    rows = [
        {
            "id": f"sub_tok_{secrets.token_hex(12)}",
            "customer": customers[n % CUSTOMERS],
            "status": "active",
            "plan": "renewal",
            "amount": 500 + n % 50,
            "currency": "usd",
            "interval": "month",
            "interval_count": 1,
            "start_at": start,
            "created_at": start,
            "charged_through_index": -1,
            "next_charge_at": start,
        }
        for n in range(count)
    ]
    with ctx.engine.begin() as conn:
        conn.execute(insert(Subscription), rows)


@dataclass
class Run:
    """One side's wall time and where the CPU went: this process (the job or the SDK client,
    all threads) and the localstripe process it talked to."""

    seconds: float
    own_cpu: float
    stripe_cpu: float


@contextlib.contextmanager
def measured(stripe_server: LocalStripeServer) -> Iterator[list[Run]]:
    box: list[Run] = []
    stripe_process = psutil.Process(stripe_server.pid)
    own, stripe_before = time.process_time(), sum(stripe_process.cpu_times()[:2])
    started = time.perf_counter()
    yield box
    seconds = time.perf_counter() - started
    stripe_cpu = sum(stripe_process.cpu_times()[:2]) - stripe_before
    box.append(Run(seconds, time.process_time() - own, stripe_cpu))


def service_run(ctx: Any, now: datetime) -> int:
    return charge_due_periods(JobContext(ctx), now)


def adapter_run(stripe_server: LocalStripeServer, count: int, concurrency: int) -> Run:
    """The bare adapter: the stripe SDK creating and confirming one PaymentIntent per charge,
    as the job's first send does, with nothing around it; on a localstripe of its own (its
    store grows with every payment and slows it down: sharing one would handicap whichever
    run comes second)."""
    stripe_url = stripe_server.url
    processor = StripeProcessor(LOCALSTRIPE_API_KEY, api_base=stripe_url, timeout=30.0)
    refs = [
        processor.create_customer("pm_card_visa", idempotency_key=f"bench-{uuid.uuid4().hex}")
        for _ in range(CUSTOMERS)
    ]
    client = stripe.StripeClient(
        LOCALSTRIPE_API_KEY,
        base_addresses={"api": stripe_url},
        http_client=stripe.HTTPXClient(timeout=30.0, allow_sync_methods=True),
    )

    def one(n: int) -> None:
        ref = refs[n % len(refs)]
        key = f"bench-{uuid.uuid4().hex}"
        intent = client.v1.payment_intents.create(
            params={
                "amount": 500 + n % 50,
                "currency": "usd",
                "customer": ref.customer_ref,
                "payment_method": str(ref.payment_method_ref),
                "confirm": True,
                "off_session": True,
                "metadata": {"strongroom_key": key},
            },
            options={"idempotency_key": key},
        )
        assert intent.status == "succeeded"

    with measured(stripe_server) as run, ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(count)))
    return run[0]


def exactly_once(ctx: Any, stripe_server: LocalStripeServer) -> tuple[int, int, int]:
    """(subscriptions with exactly one succeeded charge, charges stored, recurring keys paid
    exactly once at the processor and recorded as succeeded here).

    The processor's side is read from localstripe's own store, saved to its state file when it
    stops: listing 10,000 PaymentIntents over HTTP takes localstripe longer than the renewal
    (each one's export scans its whole store)."""
    with ctx.session_factory() as session:
        per_subscription = session.execute(
            select(Charge.subscription, func.count())
            .where(Charge.status == "succeeded", Charge.subscription.is_not(None))
            .group_by(Charge.subscription)
        ).all()
        stored = session.scalar(select(func.count()).select_from(Charge)) or 0
        succeeded_keys = set(
            session.scalars(select(Charge.processor_key).where(Charge.status == "succeeded"))
        )
    stripe_server.stop()
    assert stripe_server.state_file is not None
    paid = Counter(
        str((obj.metadata or {}).get("strongroom_key", ""))
        for obj in StateFile(stripe_server.state_file).load().values()
        if getattr(obj, "object", None) == "payment_intent" and obj.status == "succeeded"
    )
    agreed = sum(1 for key in succeeded_keys if paid.get(key) == 1)
    recurring_paid = sum(n for key, n in paid.items() if key.startswith("sr-rc-"))
    once = sum(1 for _, n in per_subscription if n == 1)
    return once, stored, agreed if agreed == recurring_paid else -recurring_paid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 charges")
    parser.add_argument("--charges", type=int, default=None, help="due charges (10,000)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()
    count = args.charges or (500 if args.quick else 10_000)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        bao = stack.enter_context(OpenBaoDevServer())
        # Both localstripes keep a state file (the same saving cost on each side): the check
        # reads the service side's store from it.
        stripe_server = LocalStripeServer(
            port=free_port(), state_file=Path(scratch) / "service-side.pickle"
        )
        stack.enter_context(stripe_server)
        if args.db == "postgresql":
            url = stack.enter_context(postgres_database())
            if url is None:
                raise SystemExit("PostgreSQL is not reachable (use --db sqlite)")
        else:
            url = f"sqlite:///{Path(scratch) / 'renewal.db'}"
        settings = Settings(
            database_url=url,
            vault_addr=bao.addr,
            vault_token=bao.token,
            stripe_api_key=LOCALSTRIPE_API_KEY,
            stripe_api_base=stripe_server.url,
            stripe_timeout_seconds=30.0,  # the bare client's timeout too
            audit_sequence_delay_ms=1000,
            audit_anchor_path=f"bench/renewal-{uuid.uuid4().hex[:8]}",
        )
        wire()
        ctx = build_context(settings)
        ctx.policy = ctx.policy.model_copy(
            update={
                "limits": ctx.policy.limits.model_copy(
                    update={"renewal_concurrency": args.concurrency}
                )
            }
        )
        upgrade(ctx.engine)
        ctx.key_service.ensure_keys()
        with timer() as seeding:
            seed(ctx, count, now)
        with measured(stripe_server) as service:
            handled = service_run(ctx, now)
        (job,) = service
        print(
            f"charge job: {handled:,} periods in {job.seconds:.1f} s "
            f"({handled / job.seconds:.1f}/s)",
            flush=True,
        )
        once, stored, recurring = exactly_once(ctx, stripe_server)
        ctx.engine.dispose()
        baseline_stripe = LocalStripeServer(
            port=free_port(), state_file=Path(scratch) / "bare-side.pickle"
        )
        stack.enter_context(baseline_stripe)
        bare = adapter_run(baseline_stripe, count, args.concurrency)
    print_figures(
        f"renewal: {count:,} due charges, concurrency {args.concurrency} ({args.db})",
        [
            Figure(
                "charges per second (charge job)",
                handled / job.seconds,
                "/s",
                "bare adapter, same concurrency",
                count / bare.seconds,
            ),
            Figure(
                "localstripe CPU ms per charge",
                1000 * job.stripe_cpu / count,
                "ms",
                "bare adapter run",
                1000 * bare.stripe_cpu / count,
            ),
            Figure(
                "caller CPU ms per charge (all threads)",
                1000 * job.own_cpu / count,
                "ms",
                "bare adapter run (SDK client)",
                1000 * bare.own_cpu / count,
            ),
        ],
    )
    print(
        f"\nwall: job {job.seconds:.1f} s, bare {bare.seconds:.1f} s; seeding {count:,} "
        f"subscriptions: {seeding[0]:.1f} s"
    )
    print(
        f"\nchecks: {handled:,} periods handled; {once:,} of {count:,} subscriptions charged "
        f"exactly once; {stored:,} charges stored; {recurring:,} recurring payments at the "
        "processor, each paid once there and recorded as succeeded here"
    )
    if not (handled == count == once == stored == recurring):
        print("renewal checks FAILED")
        sys.exit(1)
    print("renewal checks PASSED")


if __name__ == "__main__":
    main()
