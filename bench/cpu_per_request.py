"""CPU per request, per operation: the service's process tree against the bare app's, from
sequential requests (one client), so that a busy machine changes the figures little: CPU
seconds are counted only while a process runs.

    .venv/bin/python bench/cpu_per_request.py [--quick] [--db postgresql|sqlite] [--requests N]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, print_figures
from bench.bench_load import bare_app, database, seed_client, service_clients, start_service
from bench.load_traffic import Client, process_tree_cpu
from service.devstack import free_port
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer

Send = Callable[[httpx.Client, Client, str], httpx.Response]

OPERATIONS: dict[str, Send] = {
    "read": lambda http, c, compliance: http.get(f"/v1/customers/{c.customer}"),
    "list": lambda http, c, compliance: http.get(
        "/v1/subscriptions", params={"customer": c.customer}
    ),
    "tokenize": lambda http, c, compliance: http.post(
        "/v1/customers", json={"name": "Cpu Person", "email": f"{uuid.uuid4().hex}@example.com"}
    ),
    "reveal": lambda http, c, compliance: http.get(
        f"/v1/customers/{c.customer}/reveal",
        params={"fields": "name,email"},
        headers={"Authorization": f"Bearer {compliance}", "X-Purpose": "cpu test"},
    ),
    "audit": lambda http, c, compliance: http.get(
        "/v1/audit/events",
        params={"limit": 50},
        headers={"Authorization": f"Bearer {compliance}"},
    ),
    "pause+cancel": lambda http, c, compliance: http.delete(
        f"/v1/subscriptions/{c.subscription}/pauses/"
        + http.post(
            f"/v1/subscriptions/{c.subscription}/pauses",
            json={"start": "period_end", "days": 5, "resume_mode": "shift"},
        ).json()["id"]
    ),
}


def cpu_per_request(
    base_url: str, client: Client, compliance: str, pid: int, requests: int
) -> dict[str, float]:
    figures: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {client.key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        for name, send in OPERATIONS.items():
            for _ in range(10):
                send(http, client, compliance).raise_for_status()
            before = process_tree_cpu(pid)
            for _ in range(requests):
                send(http, client, compliance).raise_for_status()
            figures[name] = (process_tree_cpu(pid) - before) / requests * 1000
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 requests per operation")
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--requests", type=int, default=None)
    args = parser.parse_args()
    requests = args.requests or (50 if args.quick else 300)
    with tempfile.TemporaryDirectory() as scratch_dir, contextlib.ExitStack() as stack:
        scratch = Path(scratch_dir)
        bao = stack.enter_context(OpenBaoDevServer())
        stripe_server = LocalStripeServer(port=free_port())
        stack.enter_context(stripe_server)
        server = start_service(
            scratch,
            stack.enter_context(database(args.db, scratch, "service")),
            bao,
            stripe_server.url,
            1,
        )
        stack.callback(server.stop)
        client = service_clients(server, 1)[0]
        service = cpu_per_request(
            server.base_url, client, server.keys["compliance"], server.pid, requests
        )
        bare_url, bare_pid = stack.enter_context(
            bare_app(
                stack.enter_context(database(args.db, scratch, "bare")),
                stripe_server.url,
                1,
                scratch,
            )
        )
        bare = cpu_per_request(
            bare_url, seed_client(bare_url, "bare", 0), "bare", bare_pid, requests
        )
    print_figures(
        f"CPU per request ({args.db}, one worker, sequential)",
        [Figure(f"{op}: CPU", service[op], "ms", "bare app", bare[op]) for op in OPERATIONS],
    )


if __name__ == "__main__":
    main()
