"""Load benchmark: mixed traffic from several principals against the real server on loopback.

    .venv/bin/python bench/bench_load.py [--quick] [--requests N] [--workers W] [--seconds S]

Starts its own OpenBao (dev), localstripe and ``strongroom serve`` (SQLite, uvicorn, the
scheduler, production logging) on free loopback ports; creates one service principal per
worker plus a compliance officer; seeds a customer with a card and a subscription per worker.
Then W workers send N requests in all (or stop after S seconds): tokenize (create a customer),
read a customer, reveal (compliance, with a purpose), pause and cancel the pause, charge (with
an Idempotency-Key; one in ten is a replay of an earlier key), audit queries. Reports
throughput and p50/p99 per operation; baseline: ``GET /healthz`` (no key, no audit, no
storage) under the same load. Afterwards it checks, and fails loudly if not: the audit chain
verifies, every request sent has exactly one audit event (by request id), no 5xx, and no
charge was duplicated (one charge per Idempotency-Key; the processor holds exactly one
successful payment per charge).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import stripe
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, print_figures
from service.access.principals import create_principal
from service.core.db import make_engine, make_session_factory, transaction
from service.devstack import free_port
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from tests.fixtures.live_server import LiveServer
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY

BASELINE = "healthz (baseline)"
MIX = (
    ("tokenize", 25),
    ("read", 20),
    ("reveal", 15),
    ("pause", 15),
    ("charge", 15),
    ("audit", 10),
)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    request_ids: list[str] = field(default_factory=list)
    charge_keys: dict[str, str] = field(default_factory=dict)
    replays: int = 0
    replay_mismatches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, op: str, seconds: float, status: int, request_id: str) -> None:
        with self.lock:
            self.latencies[op].append(seconds)
            self.statuses[op][status] += 1
            # The operations endpoints (healthz, readyz, metrics) are not audited by design:
            # probes every few seconds would bury the trail. Every /v1 request is.
            if op != BASELINE:
                self.request_ids.append(request_id)


@dataclass
class Worker:
    key: str
    customer: str
    subscription: str


def start_stack(scratch: Path) -> tuple[OpenBaoDevServer, LocalStripeServer, LiveServer]:
    bao = OpenBaoDevServer().start()
    stripe_server = LocalStripeServer(port=free_port())
    stripe_server.start()
    server = LiveServer(
        db_url=f"sqlite:///{scratch / 'load.db'}",
        vault_addr=bao.addr,
        vault_token=bao.token,
        stripe_api_base=stripe_server.url,
        workdir=scratch,
        env={"STRONGROOM_LOG_LEVEL": "WARNING"},
    )
    server.prepare()
    server.start()
    return bao, stripe_server, server


def add_principals(server: LiveServer, count: int) -> list[str]:
    engine = make_engine(server.db_url)
    keys = []
    with transaction(make_session_factory(engine)) as session:
        for n in range(count):
            name = f"load-svc-{n}-{uuid.uuid4().hex[:6]}"
            keys.append(create_principal(session, name, "service", datetime.now(UTC)).key)
    engine.dispose()
    return keys


def seed_worker(base_url: str, key: str, n: int) -> Worker:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as http:
        customer = http.post(
            "/v1/customers",
            json={
                "name": f"Load Tester{n}",
                "email": f"load{n}@example.com",
                "payment_method": "pm_card_visa",
            },
        )
        customer.raise_for_status()
        token = customer.json()["id"]
        subscription = http.post(
            "/v1/subscriptions",
            json={
                "customer": token,
                "plan": "load",
                "amount": 1000,
                "currency": "usd",
                "interval": "month",
                "start_at": "2030-01-01T00:00:00Z",
            },
        )
        subscription.raise_for_status()
    return Worker(key=key, customer=token, subscription=subscription.json()["id"])


def run_load(
    base_url: str,
    workers: list[Worker],
    compliance_key: str,
    total: int,
    seconds: float,
) -> tuple[Results, float]:
    results = Results()
    remaining = [total]
    counter_lock = threading.Lock()
    deadline = time.monotonic() + seconds
    ops = [op for op, weight in MIX for _ in range(weight)]

    def take() -> bool:
        with counter_lock:
            if remaining[0] <= 0 or time.monotonic() > deadline:
                return False
            remaining[0] -= 1
            return True

    def work(index: int, worker: Worker) -> None:
        rng = random.Random(index)
        service = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {worker.key}"}, timeout=60
        )
        compliance = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {compliance_key}"}, timeout=60
        )
        anonymous = httpx.Client(base_url=base_url, timeout=60)
        my_keys: list[tuple[str, str]] = []
        try:
            while take():
                op = rng.choice(ops)
                if rng.random() < 0.1:
                    send(anonymous, results, BASELINE, "GET", "/healthz")
                if op == "tokenize":
                    send(
                        service,
                        results,
                        op,
                        "POST",
                        "/v1/customers",
                        json={"name": "Load Tester", "email": f"lt{rng.random()}@example.com"},
                    )
                elif op == "read":
                    send(service, results, op, "GET", f"/v1/customers/{worker.customer}")
                elif op == "reveal":
                    send(
                        compliance,
                        results,
                        op,
                        "GET",
                        f"/v1/customers/{worker.customer}/reveal?fields=name,email",
                        headers={"X-Purpose": "load test"},
                    )
                elif op == "pause":
                    created = send(
                        service,
                        results,
                        op,
                        "POST",
                        f"/v1/subscriptions/{worker.subscription}/pauses",
                        json={"start": "period_end", "days": 5, "resume_mode": "shift"},
                    )
                    if created.status_code == 201:
                        send(
                            service,
                            results,
                            "pause cancel",
                            "DELETE",
                            f"/v1/subscriptions/{worker.subscription}/pauses/"
                            f"{created.json()['id']}",
                        )
                elif op == "charge":
                    if my_keys and rng.random() < 0.1:
                        key, charge_id = rng.choice(my_keys)
                        replay = send(
                            service,
                            results,
                            "charge replay",
                            "POST",
                            "/v1/charges",
                            json={"customer": worker.customer, "amount": 700, "currency": "usd"},
                            headers={"Idempotency-Key": key},
                        )
                        with results.lock:
                            results.replays += 1
                            if replay.status_code != 201 or replay.json()["id"] != charge_id:
                                results.replay_mismatches += 1
                        continue
                    key = uuid.uuid4().hex
                    charged = send(
                        service,
                        results,
                        op,
                        "POST",
                        "/v1/charges",
                        json={"customer": worker.customer, "amount": 700, "currency": "usd"},
                        headers={"Idempotency-Key": key},
                    )
                    if charged.status_code == 201:
                        my_keys.append((key, charged.json()["id"]))
                        with results.lock:
                            results.charge_keys[key] = charged.json()["id"]
                elif op == "audit":
                    send(
                        compliance,
                        results,
                        op,
                        "GET",
                        "/v1/audit/events",
                        params={"actor": "load", "limit": 50},
                    )
        finally:
            service.close()
            compliance.close()
            anonymous.close()

    threads = [threading.Thread(target=work, args=(i, w)) for i, w in enumerate(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def send(
    client: httpx.Client, results: Results, op: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    request_id = f"load-{uuid.uuid4().hex}"
    headers = {"X-Request-Id": request_id, **kwargs.pop("headers", {})}
    started = time.perf_counter()
    response = client.request(method, path, headers=headers, **kwargs)
    results.record(op, time.perf_counter() - started, response.status_code, request_id)
    return response


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass
class Checks:
    audit_ok: bool
    requests_sent: int
    requests_with_one_event: int
    server_errors: int
    charges_created: int
    charges_stored: int
    duplicate_charges: int
    processor_payments: int
    replays: int
    replay_mismatches: int

    @property
    def passed(self) -> bool:
        return (
            self.audit_ok
            and self.requests_with_one_event == self.requests_sent
            and self.server_errors == 0
            and self.duplicate_charges == 0
            and self.charges_stored == self.charges_created
            and self.processor_payments == self.charges_stored
            and self.replay_mismatches == 0
        )


def check(
    server: LiveServer, stripe_server: LocalStripeServer, results: Results, seeded_charges: int
) -> Checks:
    verify = server.call("GET", "/v1/audit/verify", who="compliance", timeout=300).json()
    engine = make_engine(server.db_url)
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                text(
                    "SELECT request_id, count(*) FROM audit_events "
                    "WHERE request_id LIKE 'load-%' GROUP BY request_id"
                )
            ).all()
        )
        stored = conn.execute(text("SELECT count(*) FROM charges WHERE kind = 'one_off'"))
        charges_stored = int(stored.scalar_one())
        duplicates = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT request_key FROM charges WHERE request_key IS "
                "NOT NULL GROUP BY request_key HAVING count(*) > 1) d"
            )
        ).scalar_one()
    engine.dispose()
    client = stripe.StripeClient(LOCALSTRIPE_API_KEY, base_addresses={"api": stripe_server.url})
    paid = sum(
        1
        for intent in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if intent.status == "succeeded"
    )
    sent = set(results.request_ids)
    return Checks(
        audit_ok=bool(verify.get("ok")),
        requests_sent=len(sent),
        requests_with_one_event=sum(1 for rid in sent if counts.get(rid) == 1),
        server_errors=sum(
            n for by_status in results.statuses.values() for s, n in by_status.items() if s >= 500
        ),
        charges_created=len(results.charge_keys),
        charges_stored=charges_stored,
        duplicate_charges=int(duplicates),
        processor_payments=paid - seeded_charges,
        replays=results.replays,
        replay_mismatches=results.replay_mismatches,
    )


def figures_from(results: Results, elapsed: float) -> list[Figure]:
    base = results.latencies.get(BASELINE, [])
    base_p50 = percentile(base, 50) * 1000 if base else 0.0
    base_p99 = percentile(base, 99) * 1000 if base else 0.0
    total = sum(len(v) for v in results.latencies.values())
    figures = [
        Figure(
            "requests per second (all, mixed)",
            total / elapsed,
            "/s",
            "healthz share of them",
            len(base) / elapsed,
        )
    ]
    for op, values in sorted(results.latencies.items()):
        if op.startswith("healthz"):
            continue
        figures.append(
            Figure(
                f"{op}: p50 latency", percentile(values, 50) * 1000, "ms", "healthz p50", base_p50
            )
        )
        figures.append(
            Figure(
                f"{op}: p99 latency", percentile(values, 99) * 1000, "ms", "healthz p99", base_p99
            )
        )
        figures.append(
            Figure(
                f"{op}: per second",
                len(values) / elapsed,
                "/s",
                "healthz per second",
                len(base) / elapsed,
            )
        )
    return figures


def run(
    quick: bool,
    requests: int | None = None,
    workers_count: int | None = None,
    seconds: float | None = None,
    observe: Callable[[LiveServer, str], None] | None = None,
) -> tuple[list[Figure], Checks]:
    """Start the stack, seed, load, check. ``observe(server, phase)`` is called once the
    server is up and seeded ("started") and after the load ("loaded")."""
    total = requests or (300 if quick else 3000)
    workers_n = workers_count or (4 if quick else 8)
    limit = seconds or (60.0 if quick else 300.0)
    with tempfile.TemporaryDirectory(prefix="strongroom-load-") as scratch:
        bao, stripe_server, server = start_stack(Path(scratch))
        try:
            keys = add_principals(server, workers_n)
            workers = [seed_worker(server.base_url, key, n) for n, key in enumerate(keys)]
            if observe is not None:
                observe(server, "started")
            results, elapsed = run_load(
                server.base_url, workers, server.keys["compliance"], total, limit
            )
            if observe is not None:
                observe(server, "loaded")
            checks = check(server, stripe_server, results, seeded_charges=0)
            return figures_from(results, elapsed), checks
        finally:
            server.stop()
            stripe_server.stop()
            bao.stop()


def report(figures: list[Figure], checks: Checks, title: str) -> None:
    print_figures(title, figures)
    print(f"\nchecks: {checks}")
    print("load checks PASSED" if checks.passed else "load checks FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 requests, 4 workers (CI)")
    parser.add_argument("--requests", type=int, default=None, help="total requests")
    parser.add_argument("--workers", type=int, default=None, help="concurrent principals")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    args = parser.parse_args()
    figures, checks = run(args.quick, args.requests, args.workers, args.seconds)
    report(figures, checks, "load: mixed traffic on loopback (SQLite, OpenBao dev, localstripe)")
    if not checks.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
