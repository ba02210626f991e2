"""The console's cost over the JSON API for the same read, in the same run.

One app (real OpenBao dev server, PostgreSQL when reachable, else SQLite; production log level)
with N audit events. Each figure is requests per second, sequentially, through the ASGI test
client:
  - console trail page (session cookie, 50 events rendered as HTML by Jinja2)
    vs the API's ``GET /v1/audit/events?limit=50`` (bearer key, JSON) — both authenticate,
    query the same page of events and append their own audit event;
  - console overview (two SVG charts over 14 days, the event count)
    vs the same API list.
Prints a table of figures. Asserts nothing about time.

    .venv/bin/python bench/bench_console.py [--quick]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from bench._common import Figure, postgres_database, print_figures
from service.access.principals import create_principal
from service.app.bootstrap import build_context
from service.app.logging import configure_logging
from service.app.main import create_app
from service.audit.recorder import AuditRecord, append_events
from service.core.config import Settings
from service.core.db import make_engine, transaction
from service.core.migrate import upgrade
from service.devstack.openbao import OpenBaoDevServer
from service.keys.transit import TransitKeyService, build_vault_client


def per_second(requests: int, call: Callable[[], int]) -> float:
    call()  # warm
    start = time.perf_counter()
    for _ in range(requests):
        status = call()
        assert status == 200, status
    return requests / (time.perf_counter() - start)


def bench(url: str, key_service: TransitKeyService, events: int, requests: int, label: str):
    upgrade(make_engine(url))
    ctx = build_context(
        Settings(database_url=url, scheduler_enabled=False), key_service=key_service
    )
    now = datetime.now(UTC)
    with transaction(ctx.session_factory) as session:
        key = create_principal(session, "bench-admin", "admin", now).key
        for start in range(0, events, 10_000):
            batch = [
                AuditRecord(action="customers:customer:read", actor="bench", role="service")
                for _ in range(min(10_000, events - start))
            ]
            append_events(session, batch, at=now, status=200)
    client = TestClient(create_app(ctx), base_url="https://console.bench")
    form = client.get("/console/sign-in").text
    csrf = re.search(r'id="signin-csrf" name="csrf" value="([^"]+)"', form).group(1)
    client.post("/console/sign-in", data={"csrf": csrf, "api_key": key})
    bearer = {"Authorization": f"Bearer {key}"}

    def api_list() -> int:
        return client.get("/v1/audit/events?limit=50&actor=bench", headers=bearer).status_code

    def trail() -> int:
        return client.get("/console/trail?actor=bench").status_code

    def overview() -> int:
        return client.get("/console").status_code

    baseline = per_second(requests, api_list)
    figures = [
        Figure(
            f"{label}: console trail page (50)",
            per_second(requests, trail),
            "r/s",
            "API GET /v1/audit/events (50)",
            baseline,
        ),
        Figure(
            f"{label}: console overview",
            per_second(requests, overview),
            "r/s",
            "API GET /v1/audit/events (50)",
            baseline,
        ),
    ]
    client.close()
    ctx.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    args = parser.parse_args()
    events, requests = (10_000, 100) if args.quick else (100_000, 400)
    configure_logging("INFO", stream=sys.stderr)
    figures: list[Figure] = []
    with OpenBaoDevServer() as bao:
        key_service = TransitKeyService(build_vault_client(bao.addr, token=bao.token))
        key_service.ensure_keys()
        with postgres_database() as pg:
            if pg is None:
                print("  PostgreSQL not reachable: PostgreSQL figures skipped")
            else:
                figures += bench(pg, key_service, events, requests, "PostgreSQL")
        with tempfile.TemporaryDirectory() as tmp:
            figures += bench(f"sqlite:///{tmp}/console.db", key_service, events, requests, "SQLite")
    print_figures("Console", figures)


if __name__ == "__main__":
    main()
