"""The load generator of ``bench_load.py``: C concurrent clients (asyncio + aiohttp in one
process, so that the generator takes as little of the machine as it can) sending the same
mixed traffic, from the same random seeds, to whichever target they are pointed at."""

from __future__ import annotations

import asyncio
import os
import random
import resource
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

# (operation, weight). "pause" also cancels the pause it made (counted as "pause cancel").
MIX = (
    ("read", 30),
    ("list", 10),
    ("tokenize", 15),
    ("reveal", 10),
    ("pause", 15),
    ("charge", 5),
    ("audit", 10),
    ("search", 5),
)
REPLAY_SHARE = 0.1  # of charges: a re-send of an earlier Idempotency-Key


@dataclass
class Client:
    key: str
    customer: str
    subscription: str


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
    elapsed: float = 0.0
    generator_cpu: float = 0.0
    target_cpu: float = 0.0
    database_cpu: float = 0.0  # PostgreSQL backends serving the target's database
    postgres_cpu: float = 0.0  # every PostgreSQL process (other users of the server too)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def server_errors(self) -> int:
        return sum(n for by in self.statuses.values() for s, n in by.items() if s >= 500)

    def per_second(self, op: str | None = None) -> float:
        count = self.total if op is None else len(self.latencies.get(op, []))
        return count / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, op: str, q: int) -> float:
        values = self.latencies.get(op, [])
        if not values:
            return 0.0
        if len(values) == 1:
            return values[0] * 1000
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000

    def reads(self) -> list[float]:
        return [v for op in ("read", "list", "reveal", "audit") for v in self.latencies.get(op, [])]


def process_tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and every process below it."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total = 0.0
    for pid, seconds in cpu.items():
        walk = pid
        while walk not in (0, 1) and walk != root:
            walk = parents.get(walk, 0)
        if walk == root:
            total += seconds
    return total


def postgres_cpu(database: str | None) -> dict[int, tuple[bool, float]]:
    """CPU seconds of every PostgreSQL process by pid, marked when it is a backend connected
    to ``database`` (its title names the database after the user); WAL writer, checkpointer
    and other databases' backends are included unmarked."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[bool, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        # "postgres: user database …", or "postgres: 15/main: user database …" (Debian's
        # cluster_name)
        ours = database is not None and database in title.split()[1:4]
        found[int(entry.name)] = (ours, seconds)
    return found


def postgres_cpu_used(
    before: dict[int, tuple[bool, float]], after: dict[int, tuple[bool, float]]
) -> tuple[float, float]:
    """CPU seconds PostgreSQL spent between two :func:`postgres_cpu` readings: for ``database``
    and in all. Per process, so a backend that exits meanwhile (another session's test) does
    not make the total fall; what it spent before exiting is lost, an undercount."""
    ours = every = 0.0
    for pid, (mine, seconds) in after.items():
        spent = seconds - before.get(pid, (mine, 0.0))[1]
        every += spent
        ours += spent if mine else 0.0
    return ours, every


async def drive(
    base_url: str,
    clients: list[Client],
    compliance_key: str,
    seconds: float,
    *,
    target_pid: int,
    database: str | None = None,
) -> Results:
    results = Results()
    ops = [op for op, weight in MIX for _ in range(weight)]
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as http:

        async def send(op: str, method: str, path: str, key: str, **kwargs: Any) -> Any:
            request_id = f"load-{uuid.uuid4().hex}"
            headers = {
                "Authorization": f"Bearer {key}",
                "X-Request-Id": request_id,
                **kwargs.pop("headers", {}),
            }
            started = time.perf_counter()
            async with http.request(method, path, headers=headers, **kwargs) as response:
                body = await response.read()
                status = response.status
            results.latencies[op].append(time.perf_counter() - started)
            results.statuses[op][status] += 1
            results.request_ids.append(request_id)
            return status, body

        async def client_loop(index: int, client: Client) -> None:
            rng = random.Random(index)
            my_keys: list[tuple[str, bytes]] = []
            while time.monotonic() < deadline:
                op = rng.choice(ops)
                key = client.key
                if op == "read":
                    await send(op, "GET", f"/v1/customers/{client.customer}", key)
                elif op == "list":
                    await send(
                        op, "GET", "/v1/subscriptions", key, params={"customer": client.customer}
                    )
                elif op == "tokenize":
                    body = {"name": "Load Tester", "email": f"lt{rng.random()}@example.com"}
                    await send(op, "POST", "/v1/customers", key, json=body)
                elif op == "search":
                    body = {"email": f"load{index}@example.com"}
                    await send(op, "POST", "/v1/customers/search", key, json=body)
                elif op == "reveal":
                    await send(
                        op,
                        "GET",
                        f"/v1/customers/{client.customer}/reveal",
                        compliance_key,
                        params={"fields": "name,email"},
                        headers={"X-Purpose": "load test"},
                    )
                elif op == "audit":
                    await send(op, "GET", "/v1/audit/events", compliance_key, params={"limit": 50})
                elif op == "pause":
                    status, body = await send(
                        op,
                        "POST",
                        f"/v1/subscriptions/{client.subscription}/pauses",
                        key,
                        json={"start": "period_end", "days": 5, "resume_mode": "shift"},
                    )
                    if status == 201:
                        pause_id = _json(body)["id"]
                        await send(
                            "pause cancel",
                            "DELETE",
                            f"/v1/subscriptions/{client.subscription}/pauses/{pause_id}",
                            key,
                        )
                elif op == "charge":
                    charge = {"customer": client.customer, "amount": 700, "currency": "usd"}
                    if my_keys and rng.random() < REPLAY_SHARE:
                        idem, first = rng.choice(my_keys)
                        status, body = await send(
                            "charge replay",
                            "POST",
                            "/v1/charges",
                            key,
                            json=charge,
                            headers={"Idempotency-Key": idem},
                        )
                        results.replays += 1
                        if status != 201 or _json(body)["id"] != _json(first)["id"]:
                            results.replay_mismatches += 1
                        continue
                    idem = uuid.uuid4().hex
                    status, body = await send(
                        op,
                        "POST",
                        "/v1/charges",
                        key,
                        json=charge,
                        headers={"Idempotency-Key": idem},
                    )
                    if status == 201:
                        my_keys.append((idem, body))
                        results.charge_keys[idem] = _json(body)["id"]

        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        target_before = process_tree_cpu(target_pid)
        postgres_before = postgres_cpu(database)
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(i, c) for i, c in enumerate(clients)))
        results.elapsed = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        results.target_cpu = process_tree_cpu(target_pid) - target_before
        results.database_cpu, results.postgres_cpu = postgres_cpu_used(
            postgres_before, postgres_cpu(database)
        )
    results.generator_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    return results


def _json(body: bytes) -> Any:
    import json

    return json.loads(body)


def run_drive(*args: Any, **kwargs: Any) -> Results:
    return asyncio.run(drive(*args, **kwargs))
