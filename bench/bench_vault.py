"""Tokenized writes and reads: the customer vault against calling Transit once per field.

One process, one OpenBao dev server (started here), one SQLite file:
  - vault create: a Transit data key and a blind index per customer, then AES-256-GCM in
    process for every field (service.customers.service.create_customer), one commit each;
  - baseline create: Transit ``encrypt`` once per field (name, email, phone, address,
    metadata) and the same blind index, one insert and commit each;
  - vault reveal (name, email, phone, address), data-key cache off (one Transit unwrap per
    customer) and on (warm; no Transit call);
  - baseline reveal: Transit ``decrypt`` once per field;
  - the same create and reveal through the HTTP API (auth, policy and audit event included);
  - key rotation: data keys rewrapped per second through Transit's batch rewrap.
Prints a table of figures. Asserts nothing about time.

    .venv/bin/python bench/bench_vault.py [--quick] [--customers N] [--skip-http]
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from service.access.principals import create_principal
from service.app.bootstrap import build_context
from service.app.main import create_app
from service.core.config import Settings
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade
from service.customers import service as vault
from service.customers.schemas import CustomerCreate
from service.devstack.openbao import OpenBaoDevServer
from service.keys.cache import DataKeyCache
from service.keys.rotation import rotate_data_keys
from service.keys.transit import TransitKeyService, build_vault_client

BASELINE_KEY = "bench-baseline-fields"
REVEALED = ["name", "email", "phone", "address"]
BASELINE_CREATE = "baseline create (Transit encrypt per field)"
BASELINE_REVEAL = "baseline reveal (Transit decrypt per field)"


@dataclass(frozen=True)
class Figure:
    name: str
    operations: int
    seconds: float
    baseline: str | None = None

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else float("inf")


def person(index: int) -> dict[str, Any]:
    return {
        "name": f"Bench Person{index}",
        "email": f"bench.person{index}@example.com",
        "phone": f"+1 415 555 {index % 10000:04d}",
        "address": {
            "line1": f"{index} Bench Street",
            "city": "Springfield",
            "postal_code": "90210",
            "country": "US",
        },
        "metadata": {"segment": f"s{index % 7}"},
    }


def timed(count: int, run: Callable[[int], None]) -> float:
    started = time.perf_counter()
    for index in range(count):
        run(index)
    return time.perf_counter() - started


class Baseline:
    """What the vault replaces: one Transit call per field, ciphertexts stored as given."""

    def __init__(self, client: Any, key_service: TransitKeyService, factory: sessionmaker[Session]):
        self.transit = client.secrets.transit
        self.key_service = key_service
        self.factory = factory
        self.transit.create_key(BASELINE_KEY, key_type="aes256-gcm96")
        with transaction(factory) as session:
            session.execute(
                text(
                    "CREATE TABLE baseline_customers (id TEXT PRIMARY KEY, name TEXT, email TEXT,"
                    " phone TEXT, address TEXT, metadata TEXT, email_index TEXT)"
                )
            )

    def _encrypt(self, value: str) -> str:
        plaintext = base64.b64encode(value.encode()).decode()
        return str(
            self.transit.encrypt_data(BASELINE_KEY, plaintext=plaintext)["data"]["ciphertext"]
        )

    def _decrypt(self, ciphertext: str) -> str:
        response = self.transit.decrypt_data(BASELINE_KEY, ciphertext=ciphertext)
        return base64.b64decode(response["data"]["plaintext"]).decode()

    def create(self, index: int) -> None:
        data = person(index)
        row = {
            "id": f"base_{index}",
            "name": self._encrypt(data["name"]),
            "email": self._encrypt(data["email"]),
            "phone": self._encrypt(data["phone"]),
            "address": self._encrypt(repr(data["address"])),
            "metadata": self._encrypt(repr(data["metadata"])),
            "email_index": self.key_service.blind_index(data["email"].lower().encode()),
        }
        with transaction(self.factory) as session:
            session.execute(
                text(
                    "INSERT INTO baseline_customers VALUES "
                    "(:id, :name, :email, :phone, :address, :metadata, :email_index)"
                ),
                row,
            )

    def reveal(self, index: int) -> None:
        with transaction(self.factory) as session:
            row = session.execute(
                text("SELECT name, email, phone, address FROM baseline_customers WHERE id = :id"),
                {"id": f"base_{index}"},
            ).one()
        for ciphertext in row:
            self._decrypt(ciphertext)


def measure_service(
    key_service: TransitKeyService, factory: sessionmaker[Session], count: int
) -> tuple[list[Figure], list[str]]:
    tokens: list[str] = []
    warm_cache = DataKeyCache(max_entries=count, max_age_seconds=3600)
    now = datetime.now(UTC)

    def create(index: int) -> None:
        with transaction(factory) as session:
            view = vault.create_customer(
                session,
                key_service,
                None,
                warm_cache,
                CustomerCreate(**person(index)),
                now,  # type: ignore[arg-type]
            )
        tokens.append(view["id"])

    def reveal_with(cache: DataKeyCache) -> Callable[[int], None]:
        def reveal(index: int) -> None:
            with transaction(factory) as session:
                customer = vault.live_customer(session, tokens[index])
                vault.reveal_fields(customer, key_service, cache, REVEALED)

        return reveal

    created = timed(count, create)
    cold = timed(count, reveal_with(DataKeyCache(max_entries=0)))
    warm = timed(count, reveal_with(warm_cache))
    return [
        Figure("vault create (data key + AES-GCM)", count, created, BASELINE_CREATE),
        Figure("vault reveal 4 fields, cache off", count, cold, BASELINE_REVEAL),
        Figure("vault reveal 4 fields, cache on", count, warm, BASELINE_REVEAL),
    ], tokens


def measure_api(addr: str, token: str, db_url: str, count: int) -> list[Figure]:
    from service.core.clock import SystemClock

    settings = Settings(
        database_url=db_url, vault_addr=addr, vault_token=token, scheduler_enabled=False
    )
    ctx = build_context(settings, clock=SystemClock(), processor=None)
    with transaction(ctx.session_factory) as session:
        key = create_principal(session, "bench", "admin", datetime.now(UTC)).key
    headers = {"Authorization": f"Bearer {key}"}
    client = TestClient(create_app(ctx))
    created: list[str] = []

    def create(index: int) -> None:
        response = client.post("/v1/customers", json=person(index), headers=headers)
        created.append(response.json()["id"])

    def reveal(index: int) -> None:
        response = client.get(
            f"/v1/customers/{created[index]}/reveal?fields=" + ",".join(REVEALED),
            headers={**headers, "X-Purpose": "benchmark"},
        )
        assert response.status_code == 200, response.text

    seconds = timed(count, create)
    reveal(0)  # loads the redactor (the purpose passes through it) outside the timings
    ctx.data_keys.clear()
    cold = timed(count, reveal)
    warm = timed(count, reveal)
    client.close()
    ctx.engine.dispose()
    return [
        # Auth, policy and a hash-chained audit event per request: not comparable to the
        # baseline, which has none of them.
        Figure("HTTP create (audit included)", count, seconds),
        Figure("HTTP reveal, cache cold (first read)", count, cold),
        Figure("HTTP reveal, cache warm", count, warm),
    ]


def print_table(figures: list[Figure]) -> None:
    by_name = {figure.name: figure for figure in figures}
    print(f"{'operation':<44} {'count':>7} {'seconds':>9} {'per second':>11} {'vs baseline':>12}")
    for figure in figures:
        ratio = ""
        if figure.baseline and figure.baseline in by_name:
            ratio = f"{figure.per_second / by_name[figure.baseline].per_second:.2f}x"
        print(
            f"{figure.name:<44} {figure.operations:>7} {figure.seconds:>9.2f} "
            f"{figure.per_second:>11.1f} {ratio:>12}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for CI (< 60 s)")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--skip-http", action="store_true", help="vault and baseline only")
    args = parser.parse_args()
    count = args.customers or (100 if args.quick else 1000)
    api_count = max(count // 4, 10)

    with OpenBaoDevServer() as bao, tempfile.TemporaryDirectory() as scratch:
        client = build_vault_client(bao.addr, token=bao.token, timeout=10.0)
        key_service = TransitKeyService(client)
        key_service.ensure_keys()
        db_url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        engine = make_engine(db_url)
        upgrade(engine)
        factory = make_session_factory(engine)
        baseline = Baseline(client, key_service, factory)

        figures = [
            Figure(
                "baseline create (Transit encrypt per field)", count, timed(count, baseline.create)
            ),
            Figure(
                "baseline reveal (Transit decrypt per field)", count, timed(count, baseline.reveal)
            ),
        ]
        service_figures, _ = measure_service(key_service, factory, count)
        figures += service_figures
        if not args.skip_http:
            figures += measure_api(bao.addr, bao.token, db_url, api_count)

        started = time.perf_counter()
        rotation = rotate_data_keys(factory, key_service)
        figures.append(
            Figure(
                "rotation: data keys rewrapped (batch API)",
                rotation.rewrapped,
                time.perf_counter() - started,
            )
        )
        engine.dispose()

    through_http = "" if args.skip_http else f" ({api_count} through HTTP)"
    print(f"\ncustomer vault, {count} customers{through_http}, SQLite, OpenBao dev")
    print_table(figures)
    record_shared(figures)


def record_shared(figures: list[Figure]) -> None:
    """The figures that have a same-run baseline, into bench/run's table."""
    from bench._common import Figure as SharedFigure
    from bench._common import record_figures

    by_name = {figure.name: figure for figure in figures}
    record_figures(
        "Vault",
        [
            SharedFigure(f.name, f.per_second, "/s", f.baseline, by_name[f.baseline].per_second)
            for f in figures
            if f.baseline and f.baseline in by_name
        ],
    )


if __name__ == "__main__":
    main()
