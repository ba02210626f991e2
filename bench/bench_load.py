"""Load benchmark: the real service under mixed traffic, against a bare app on the same database.

    .venv/bin/python bench/bench_load.py [--quick] [--db postgresql|sqlite] [--workers N]
                                         [--clients C] [--seconds S] [--no-baseline]

Starts OpenBao (dev), localstripe and ``strongroom serve --workers N`` (production log level,
the scheduler and the background sequencer on) on a fresh PostgreSQL database (or SQLite);
creates one service principal per client plus a compliance officer and seeds a customer with a
card and a subscription per client. Then C clients (asyncio, one process) send mixed traffic
for S seconds: read and list, tokenize, email search, reveal (compliance, with a purpose),
pause and cancel the pause, charge (one in ten a replay of an earlier Idempotency-Key), audit
queries.

Baseline, same run, same generator, same database server, same worker count: ``bench/bare_app.py``
— the same operations written plainly with FastAPI and SQLAlchemy (no auth, audit, encryption,
idempotency store or redaction), charging through the bare ``stripe`` SDK against the same
localstripe. Reports throughput and p50/p99 per operation with ratios to the baseline, and the
CPU the generator and each target used (they share the machine).

Afterwards, for the service, it checks and fails loudly if not: the audit trail verifies, every
request sent has exactly one audit event (by request id), no 5xx, no charge was duplicated and
the processor holds exactly one successful payment per charge.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import stripe
from sqlalchemy import make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, postgres_database, print_figures
from bench.bare_app import create_tables
from bench.load_traffic import Client, Results, run_drive
from service.access.principals import create_principal
from service.core.db import make_engine, transaction
from service.devstack import free_port
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from tests.fixtures.live_server import LiveServer
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY

ROOT = Path(__file__).resolve().parents[1]
WARMUP_SECONDS = 3.0


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


@contextlib.contextmanager
def database(kind: str, scratch: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{scratch / (name + '.db')}"
        return
    with postgres_database() as url:
        if url is None:
            raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432 (use --db sqlite)")
        yield url


def start_service(
    scratch: Path, db_url: str, bao: OpenBaoDevServer, stripe_url: str, workers: int
) -> LiveServer:
    os.environ.setdefault("STRONGROOM_AUDIT_ANCHOR_PATH", f"bench/load-{uuid.uuid4().hex[:8]}")
    server = LiveServer(
        db_url=db_url,
        vault_addr=bao.addr,
        vault_token=bao.token,
        stripe_api_base=stripe_url,
        workdir=scratch,
        workers=workers,
        # Production settings: INFO logging (every access line redacted), the default
        # sequencing delay and scheduler interval.
        env={
            "STRONGROOM_LOG_LEVEL": "INFO",
            "STRONGROOM_AUDIT_SEQUENCE_DELAY_MS": "1000",
            "STRONGROOM_SCHEDULER_INTERVAL_SECONDS": "30",
        },
    )
    server.prepare()
    server.start()
    return server


def service_clients(server: LiveServer, count: int) -> list[Client]:
    engine = make_engine(server.db_url)
    keys = []
    with transaction(server.writer_factory(engine)) as session:
        for n in range(count):
            name = f"load-svc-{n}-{uuid.uuid4().hex[:6]}"
            keys.append(create_principal(session, name, "service", datetime.now(UTC)).key)
    engine.dispose()
    return [seed_client(server.base_url, key, n) for n, key in enumerate(keys)]


def seed_client(base_url: str, key: str, n: int) -> Client:
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as http:
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
    return Client(key=key, customer=token, subscription=subscription.json()["id"])


@contextlib.contextmanager
def bare_app(
    db_url: str, stripe_url: str, workers: int, scratch: Path
) -> Iterator[tuple[str, int]]:
    create_tables(db_url)
    port = free_port()
    log = (scratch / "bare.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.bare_app",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "BARE_DATABASE_URL": db_url,
            "BARE_STRIPE_API_KEY": LOCALSTRIPE_API_KEY,
            "BARE_STRIPE_API_BASE": stripe_url,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base_url}/docs", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"the bare app did not start: {(scratch / 'bare.log').read_text()}")
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def measure(
    base_url: str,
    clients: list[Client],
    compliance: str,
    seconds: float,
    pid: int,
    db_url: str,
) -> tuple[Results, Results]:
    """The warm-up's results (checked, not reported), then the measured ones."""
    database = make_url(db_url).database if db_url.startswith("postgresql") else None
    warmup = run_drive(base_url, clients, compliance, WARMUP_SECONDS, target_pid=pid)
    measured = run_drive(base_url, clients, compliance, seconds, target_pid=pid, database=database)
    return warmup, measured


def check(server: LiveServer, stripe_url: str, runs: tuple[Results, ...]) -> Checks:
    verify = server.call("GET", "/v1/audit/verify", who="compliance", timeout=600).json()
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
        charges_stored = int(
            conn.execute(text("SELECT count(*) FROM charges WHERE kind = 'one_off'")).scalar_one()
        )
        duplicates = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT request_key FROM charges WHERE request_key IS "
                "NOT NULL GROUP BY request_key HAVING count(*) > 1) d"
            )
        ).scalar_one()
    engine.dispose()
    client = stripe.StripeClient(LOCALSTRIPE_API_KEY, base_addresses={"api": stripe_url})
    paid = sum(
        1
        for intent in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if intent.status == "succeeded"
        and (intent.metadata.to_dict() if intent.metadata else {}).get("strongroom_key")
    )
    sent = {rid for results in runs for rid in results.request_ids}
    return Checks(
        audit_ok=bool(verify.get("ok")),
        requests_sent=len(sent),
        requests_with_one_event=sum(1 for rid in sent if counts.get(rid) == 1),
        server_errors=sum(results.server_errors for results in runs),
        charges_created=sum(len(results.charge_keys) for results in runs),
        charges_stored=charges_stored,
        duplicate_charges=int(duplicates),
        processor_payments=paid,
        replays=sum(results.replays for results in runs),
        replay_mismatches=sum(results.replay_mismatches for results in runs),
    )


# What each side's CPU is reported for: (figure, baseline's label, seconds of CPU in a run).
_CPU_SHARES: tuple[tuple[str, str, Callable[[Results], float]], ...] = (
    ("generator CPU", "generator", lambda r: r.generator_cpu),
    ("target CPU", "target", lambda r: r.target_cpu),
    ("its PostgreSQL backends' CPU", "its backends", lambda r: r.database_cpu),
    ("all PostgreSQL CPU (shared server)", "all PostgreSQL", lambda r: r.postgres_cpu),
)


def figures_from(service: Results, baseline: Results | None) -> list[Figure]:
    base = baseline or Results()
    name = "bare app" if baseline else "(no baseline run)"
    figures = [Figure("requests/s, mixed", service.per_second(), "/s", name, base.per_second())]
    for label, baseline_label, cpu_of in _CPU_SHARES:
        figures.append(
            Figure(
                f"{label}, % of one core",
                100 * cpu_of(service) / service.elapsed,
                "%",
                f"{name}: {baseline_label}",
                100 * cpu_of(base) / base.elapsed if base.elapsed else 0.0,
            )
        )
    for op in sorted(service.latencies):
        figures.append(
            Figure(f"{op}: per second", service.per_second(op), "/s", name, base.per_second(op))
        )
        for q in (50, 99):
            figures.append(
                Figure(
                    f"{op}: p{q}",
                    service.percentile_ms(op, q),
                    "ms",
                    name,
                    base.percentile_ms(op, q),
                )
            )
    return figures


def run(
    quick: bool,
    *,
    db: str = "sqlite",
    workers: int = 1,
    clients: int | None = None,
    seconds: float | None = None,
    baseline: bool = False,
    observe: Callable[[LiveServer, str], None] | None = None,
) -> tuple[list[Figure], Checks]:
    """Start the stack, seed, load (and the baseline), check. ``observe(server, phase)`` is
    called once the service is up and seeded ("started") and after its load ("loaded")."""
    count = clients or (4 if quick else 16)
    duration = seconds or (8.0 if quick else 30.0)
    with tempfile.TemporaryDirectory(prefix="strongroom-load-") as scratch_dir:
        scratch = Path(scratch_dir)
        with contextlib.ExitStack() as stack:
            bao = stack.enter_context(OpenBaoDevServer())
            stripe_server = LocalStripeServer(port=free_port())
            stack.enter_context(stripe_server)
            service_db = stack.enter_context(database(db, scratch, "service"))
            server = start_service(scratch, service_db, bao, stripe_server.url, workers)
            stack.callback(server.stop)
            service_load = service_clients(server, count)
            if observe is not None:
                observe(server, "started")
            warmup, measured = measure(
                server.base_url,
                service_load,
                server.keys["compliance"],
                duration,
                server.pid,
                service_db,
            )
            if observe is not None:
                observe(server, "loaded")
            checks = check(server, stripe_server.url, (warmup, measured))
            bare = None
            if baseline:
                bare_db = stack.enter_context(database(db, scratch, "bare"))
                base_url, pid = stack.enter_context(
                    bare_app(bare_db, stripe_server.url, workers, scratch)
                )
                bare_load = [seed_client(base_url, "bare", n) for n in range(count)]
                bare = measure(base_url, bare_load, "bare", duration, pid, bare_db)[1]
            return figures_from(measured, bare), checks


def report(figures: list[Figure], checks: Checks, title: str) -> None:
    print_figures(title, figures)
    print(f"\nchecks: {checks}")
    print("load checks PASSED" if checks.passed else "load checks FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 clients, 8 s each (CI)")
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--clients", type=int, default=None, help="concurrent clients (16)")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds (30)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare app")
    args = parser.parse_args()
    figures, checks = run(
        args.quick,
        db=args.db,
        workers=args.workers,
        clients=args.clients,
        seconds=args.seconds,
        baseline=not args.no_baseline,
    )
    report(
        figures,
        checks,
        f"load: mixed traffic, {args.db}, {args.workers} worker(s), service vs bare app",
    )
    if not checks.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
