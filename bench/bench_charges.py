"""POST /v1/charges under concurrent load, against the Stripe adapter's charge() alone.

Starts its own OpenBao dev server, localstripe and database (PostgreSQL when reachable, else
SQLite; ``--db`` chooses), and a live uvicorn server on loopback (``strongroom serve``'s code
path, in a child process). Then, for the same number of charges under the same concurrency:
  - service: POST /v1/charges over HTTP (auth, policy, idempotency claim, intent committed
    before the processor call, outcome, audit event, event outbox, stored response);
  - baseline: StripeProcessor.charge() called directly on localstripe (the processor call the
    service makes, with its look-up by key and its PaymentIntent).
Prints p50/p99 latency and throughput of each at 16 clients and at 1 client, and the cost the
service adds on top of the processor call. Asserts nothing about time.

    .venv/bin/python bench/bench_charges.py [--quick] [--clients 16] [--charges N] [--db sqlite]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import httpx

from bench._common import postgres_database
from service.access.principals import create_principal
from service.audit.seal import EventSealer
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade
from service.devstack import free_port
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.keys.transit import TransitKeyService, build_vault_client
from service.processors.stripe_adapter import StripeProcessor

STRIPE_KEY = "sk_test_strongroom"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SERVER_CODE = (
    "import sys; from service.core.config import Settings; "
    "from service.devstack.runner import serve_api; "
    "serve_api(Settings(), host='127.0.0.1', port=int(sys.argv[1]), insecure_vault_http=True)"
)


@dataclass(frozen=True)
class Run:
    name: str
    latencies: list[float]
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def concurrently(clients: int, per_client: int, one: Callable[[int, int], None]) -> Run:
    """``per_client`` calls of ``one(client, n)`` on each of ``clients`` threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(index: int) -> None:
        mine: list[float] = []
        start.wait()
        try:
            for n in range(per_client):
                began = time.perf_counter()
                one(index, n)
                mine.append(time.perf_counter() - began)
        except BaseException as error:  # noqa: BLE001 - reported after the run
            errors.append(error)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed; first: {errors[0]!r}")
    return Run("", latencies, elapsed)


class ServiceUnderTest:
    """A live server in a child process, and one HTTP client per benchmark client."""

    def __init__(self, db_url: str, openbao: OpenBaoDevServer, stripe_base: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "STRONGROOM_DATABASE_URL": db_url,
            "STRONGROOM_VAULT_ADDR": openbao.addr,
            "STRONGROOM_VAULT_TOKEN": openbao.token,
            "STRONGROOM_STRIPE_API_BASE": stripe_base,
            "STRONGROOM_STRIPE_API_KEY": STRIPE_KEY,
            "STRONGROOM_SCHEDULER_ENABLED": "false",
            "STRONGROOM_LOG_LEVEL": "WARNING",
            "STRONGROOM_PUBLIC_BASE_URL": self.base,
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER_CODE, str(self.port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("server exited: " + self.log.read().decode()[-2000:])
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(15)


def service_key(db_url: str, openbao: OpenBaoDevServer) -> str:
    engine = make_engine(db_url)
    keys = TransitKeyService(build_vault_client(openbao.addr, token=openbao.token))
    with transaction(make_session_factory(engine, EventSealer(keys))) as session:
        key = create_principal(session, "bench-service", "service", datetime.now(UTC)).key
    engine.dispose()
    return key


def run(args: argparse.Namespace, db_url: str, db_name: str) -> None:
    clients, per_client = args.clients, max(1, args.charges // args.clients)
    # Two localstripes, one per side: localstripe scans its whole store to list a customer's
    # charges (the adapter's look-up by key), so each side must see a store of the same size.
    with (
        OpenBaoDevServer() as openbao,
        LocalStripeServer(port=free_port()) as localstripe,
        LocalStripeServer(port=free_port()) as baseline_localstripe,
    ):
        engine = make_engine(db_url)
        upgrade(engine)
        engine.dispose()
        server = ServiceUnderTest(db_url, openbao, localstripe.url)
        try:
            headers = {"Authorization": f"Bearer {service_key(db_url, openbao)}"}
            http = [
                httpx.Client(base_url=server.base, headers=headers, timeout=60)
                for _ in range(clients)
            ]
            customers = [_new_customer(http[i], i) for i in range(clients)]

            def post_charge(index: int, n: int) -> None:
                response = http[index].post(
                    "/v1/charges",
                    json={"customer": customers[index], "amount": 1000 + n, "currency": "usd"},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                if response.status_code != 201 or response.json()["status"] != "succeeded":
                    raise RuntimeError(f"charge failed: {response.status_code} {response.text}")

            processor = StripeProcessor(STRIPE_KEY, api_base=baseline_localstripe.url, timeout=30)
            at_processor = [
                processor.create_customer("pm_card_visa", idempotency_key=uuid.uuid4().hex)
                for _ in range(clients)
            ]

            def adapter_charge(index: int, n: int) -> None:
                outcome = processor.charge(
                    customer_ref=at_processor[index].customer_ref,
                    payment_method_ref=str(at_processor[index].payment_method_ref),
                    amount=1000 + n,
                    currency="usd",
                    idempotency_key=uuid.uuid4().hex,
                )
                if not outcome.succeeded:
                    raise RuntimeError("baseline charge failed")

            concurrently(clients, 2, post_charge)  # warm-up: connections, caches
            concurrently(clients, 2, adapter_charge)
            runs = [
                ("service, 1 client", concurrently(1, args.single, post_charge)),
                ("adapter alone, 1 client", concurrently(1, args.single, adapter_charge)),
                (f"service, {clients} clients", concurrently(clients, per_client, post_charge)),
                (
                    f"adapter alone, {clients} clients",
                    concurrently(clients, per_client, adapter_charge),
                ),
            ]
            for client in http:
                client.close()
        finally:
            server.stop()
            server.log.close()
    _print(runs, db_name, clients)


def _new_customer(client: httpx.Client, index: int) -> str:
    response = client.post(
        "/v1/customers",
        json={
            "name": f"Bench Payer{index}",
            "email": f"payer{index}@example.com",
            "payment_method": "pm_card_visa",
        },
    )
    response.raise_for_status()
    return str(response.json()["id"])


def _print(runs: list[tuple[str, Run]], db_name: str, clients: int) -> None:
    print(f"\nPOST /v1/charges vs StripeProcessor.charge() on localstripe ({db_name})")
    print(f"{'run':<28} {'charges':>8} {'p50 ms':>9} {'p99 ms':>9} {'charges/s':>10}")
    for name, result in runs:
        print(
            f"{name:<28} {len(result.latencies):>8} {result.percentile(50):>9.1f} "
            f"{result.percentile(99):>9.1f} {result.throughput:>10.1f}"
        )
    by_name = dict(runs)
    for label in ("1 client", f"{clients} clients"):
        service, adapter = by_name[f"service, {label}"], by_name[f"adapter alone, {label}"]
        p50 = service.percentile(50) - adapter.percentile(50)
        p99 = service.percentile(99) - adapter.percentile(99)
        mean = (statistics.mean(service.latencies) - statistics.mean(adapter.latencies)) * 1000
        print(
            f"added by the service at {label}: p50 {p50:+.1f} ms, p99 {p99:+.1f} ms, "
            f"mean {mean:+.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run for CI (< 60 s)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--charges", type=int, default=None, help="charges per concurrent run")
    parser.add_argument("--single", type=int, default=None, help="charges of the 1-client runs")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    args.charges = args.charges or (128 if args.quick else 480)
    args.single = args.single or (20 if args.quick else 60)
    # On SIGTERM, unwind so that the servers started here are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.db == "postgres":
        with postgres_database() as pg_url:
            if pg_url is not None:
                run(args, pg_url, "PostgreSQL")
                return
            print("PostgreSQL is not reachable; using SQLite")
    with tempfile.TemporaryDirectory() as scratch:
        run(args, f"sqlite:///{Path(scratch) / 'bench.db'}", "SQLite")


if __name__ == "__main__":
    main()
