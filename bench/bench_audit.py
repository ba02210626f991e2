"""Audit trail benchmarks: appends under concurrency, sequencing, verification and proofs.

    .venv/bin/python bench/bench_audit.py [--quick]

- Appends: 16 concurrent writers on PostgreSQL, in two shapes. 16 processes x 1 thread, one
  event per transaction through ``append_event`` (as a request that changed something appends
  it: in its own transaction); and 2 processes x 8 threads, the shape of ``serve --workers 2``
  under 16 clients, through the group appender (as a request that changed nothing hands its
  event over: ``service/audit/group_commit.py``). Same-run baselines: the hash chain this trail
  replaced, in both shapes — the same rows appended by locking a head row, hashing onto the
  previous event and updating the head (re-implemented here on tables of its own, exactly as
  the old recorder did) — and bare psycopg, one autocommit INSERT per event.
- Sequencing: queued events integrated by the sequencer (leaf hashes, stored subtrees, one
  signed tree head per batch of 1,000 and of 10,000). Baseline: the old chain's verifier pace
  over the same rows (SHA-256 of canonical JSON per event, no writes).
- Verification of N events (1,000,000; 100,000 with --quick) with anchors in OpenBao, on
  PostgreSQL and SQLite. Baseline: reading the same rows and nothing else.
- Inclusion proofs at N events: p50/p99 over 500 random events. Baseline: reading the event row.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, postgres_database, print_figures
from service.audit.chain import encode_list, format_time
from service.audit.group_commit import GroupAppender
from service.audit.models import AuditEvent
from service.audit.proofs import StoredTree
from service.audit.recorder import AuditRecord, append_event, new_event_id, queued_row
from service.audit.seal import EventSealer
from service.audit.sequencer import Sequencer
from service.audit.verify import verify_with
from service.core.db import make_engine, make_session_factory, snapshot
from service.core.migrate import upgrade
from service.devstack.openbao import OpenBaoDevServer
from service.keys.transit import TransitKeyService, build_vault_client

T0 = datetime(2026, 1, 1, tzinfo=UTC)
WRITERS = 16
THREADS = 8  # per process in the service-shaped runs: 2 processes x 8 threads = 16 writers
CHAIN_TABLES = """
CREATE TABLE IF NOT EXISTS bench_chain_head (id int PRIMARY KEY, seq bigint, hash text);
CREATE TABLE IF NOT EXISTS bench_chain_events (seq bigint PRIMARY KEY, id text, at text,
  actor text, role text, action text, targets text, outcome text, status int,
  request_id text, prev_hash text, hash text);
TRUNCATE bench_chain_events, bench_chain_head;
INSERT INTO bench_chain_head VALUES (1, 0, repeat('0', 64));
"""


def _sealer() -> EventSealer:
    """The seal key of the benchmark's OpenBao, derived once per writer process (as a serving
    process does); main() publishes the address in the environment the writers inherit."""
    if not _SEALER:
        keys = TransitKeyService(
            build_vault_client(os.environ[_VAULT_ADDR], token=os.environ[_VAULT_TOKEN])
        )
        _SEALER.append(EventSealer(keys))
    return _SEALER[0]


_SEALER: list[EventSealer] = []
_VAULT_ADDR, _VAULT_TOKEN = "BENCH_AUDIT_VAULT_ADDR", "BENCH_AUDIT_VAULT_TOKEN"


def _record(name: str) -> AuditRecord:
    return AuditRecord("customers:customer:read", name, "service", targets=["cus_tok_x"])


def _append_v2(url: str, name: str, count: int, start: Any, finished: Any) -> None:
    engine = make_engine(url, pool_size=1)
    factory = make_session_factory(engine, _sealer())
    with engine.connect():
        pass
    start.wait()
    for i in range(count):
        with factory() as session:
            append_event(
                session, _record(name), at=datetime.now(UTC), status=200, request_id=f"{name}-{i}"
            )
            session.commit()
    finished.put(time.monotonic())
    engine.dispose()


_APPENDERS: dict[str, GroupAppender] = {}
_APPENDERS_LOCK = threading.Lock()


def _append_group(url: str, name: str, count: int, start: Any, finished: Any) -> None:
    """One writer thread; the threads of a process share its appender, as requests do."""
    with _APPENDERS_LOCK:
        if url not in _APPENDERS:
            _APPENDERS[url] = GroupAppender(make_engine(url, pool_size=THREADS))
        appender = _APPENDERS[url]
    record = _record(name)
    sealer = _sealer()
    start.wait()
    for i in range(count):
        moment = format_time(datetime.now(UTC))
        row = queued_row(new_event_id(), moment, record, 200, f"{name}-{i}", None, sealer=sealer)
        appender.append(row)
    finished.put(time.monotonic())


def _append_chain(url: str, name: str, count: int, start: Any, finished: Any) -> None:
    """The replaced recorder: lock the head, hash onto the previous event, insert, update."""
    engine = make_engine(url, pool_size=1)
    with engine.connect():
        pass
    start.wait()
    for i in range(count):
        with engine.begin() as conn:
            seq, previous = conn.execute(
                text("SELECT seq, hash FROM bench_chain_head WHERE id = 1 FOR UPDATE")
            ).one()
            row = [
                seq + 1,
                f"aud_{name}_{i}",
                format_time(datetime.now(UTC)),
                name,
                "service",
                "customers:customer:read",
                encode_list(["cus_tok_x"]),
                "allowed",
                200,
                f"{name}-{i}",
                previous,
            ]
            digest = hashlib.sha256(json.dumps(row, separators=(",", ":")).encode()).hexdigest()
            conn.execute(
                text(
                    "INSERT INTO bench_chain_events VALUES (:s, :i, :a, :ac, :r, :act, :t, :o,"
                    " :st, :rq, :p, :h)"
                ),
                dict(
                    zip(
                        ["s", "i", "a", "ac", "r", "act", "t", "o", "st", "rq", "p"],
                        row,
                        strict=True,
                    ),
                    h=digest,
                ),
            )
            conn.execute(
                text("UPDATE bench_chain_head SET seq = :s, hash = :h WHERE id = 1"),
                {"s": seq + 1, "h": digest},
            )
    finished.put(time.monotonic())
    engine.dispose()


_BARE_INSERT = (
    "INSERT INTO audit_events (id, at, actor, role, action, targets, purpose, fields, outcome,"
    " status, request_id, source_ip) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _append_bare(url: str, name: str, count: int, start: Any, finished: Any) -> None:
    """What the machine allows: the same row, one INSERT per transaction, bare psycopg."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.autocommit = True
        start.wait()
        for i in range(count):
            conn.execute(
                _BARE_INSERT,
                (
                    "aud_" + secrets.token_hex(12),
                    format_time(datetime.now(UTC)),
                    name,
                    "service",
                    "customers:customer:read",
                    encode_list(["cus_tok_x"]),
                    None,
                    None,
                    "allowed",
                    200,
                    f"{name}-{i}",
                    None,
                ),
            )
        finished.put(time.monotonic())


def _writer_threads(
    target: Any, threads: int, url: str, name: str, count: int, start: Any, finished: Any
) -> None:
    """One writer process running ``threads`` writers of ``target``."""
    running = [
        threading.Thread(target=target, args=(url, f"{name}.{k}", count, start, finished))
        for k in range(threads)
    ]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def _run_writers(target: Any, url: str, per_writer: int, threads: int = 1) -> float:
    """Events per second of WRITERS writers (WRITERS // threads processes of ``threads``
    threads) from the moment every writer is ready (a barrier: a fixed sleep let the writers'
    imports on a loaded machine count as append time) to the last writer's last commit
    (monotonic clocks are system-wide)."""
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(WRITERS + 1)
    finished = spawn.Queue()
    processes = [
        spawn.Process(
            target=_writer_threads,
            args=(target, threads, url, f"w{n}", per_writer, start, finished),
        )
        for n in range(WRITERS // threads)
    ]
    for process in processes:
        process.start()
    start.wait(timeout=300)
    began = time.monotonic()
    ends = [finished.get(timeout=600) for _ in range(WRITERS)]
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return WRITERS * per_writer / (max(ends) - began)


def bench_appends(url: str, per_writer: int) -> list[Figure]:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_events, audit_nodes, audit_tree_heads")
        for statement in CHAIN_TABLES.strip().split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()
    chain = _run_writers(_append_chain, url, per_writer)
    ours = _run_writers(_append_v2, url, per_writer)
    bare = _run_writers(_append_bare, url, per_writer)
    chain_threads = _run_writers(_append_chain, url, per_writer, THREADS)
    grouped = _run_writers(_append_group, url, per_writer, THREADS)
    bare_threads = _run_writers(_append_bare, url, per_writer, THREADS)
    label = f"appends/s, {WRITERS} processes, one event per transaction, PostgreSQL"
    shaped = f"appends/s, {WRITERS // THREADS} processes x {THREADS} threads, group commit"
    return [
        Figure(label, ours, "/s", "hash chain (head-row lock)", chain),
        Figure(label, ours, "/s", "bare psycopg INSERT per transaction", bare),
        Figure(shaped, grouped, "/s", "hash chain, same shape", chain_threads),
        Figure(shaped, grouped, "/s", "bare psycopg INSERT per event, same shape", bare_threads),
    ]


def seed_queued(url: str, count: int) -> None:
    """``count`` queued events, sealed as the service seals them."""
    sealer = _sealer()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_events")
        conn.exec_driver_sql("DELETE FROM audit_nodes")
        conn.exec_driver_sql("DELETE FROM audit_tree_heads")
        for first in range(0, count, 50_000):
            conn.execute(
                insert(AuditEvent),
                [
                    _sealed(
                        sealer,
                        {
                            "id": f"aud_{n:024x}",
                            "at": format_time(T0 + timedelta(milliseconds=n)),
                            "actor": f"svc-{n % 7}",
                            "role": "service",
                            "action": "customers:customer:read",
                            "targets": encode_list([f"cus_tok_{n % 5000:012d}"]),
                            "purpose": "support" if n % 10 == 0 else None,
                            "fields": encode_list(["email"]) if n % 10 == 0 else None,
                            "outcome": "allowed",
                            "status": 200,
                            "request_id": f"req-{n}",
                            "source_ip": "10.0.0.1",
                        },
                    )
                    for n in range(first, min(first + 50_000, count))
                ],
            )
    engine.dispose()


def _sealed(sealer: EventSealer, row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "seal": sealer.seal_row(row)}


def _naive_hash_rate(url: str) -> float:
    engine = make_engine(url)
    began = time.perf_counter()
    with engine.connect() as conn:
        cursor = conn.exec_driver_sql("SELECT * FROM audit_events ORDER BY pk")
        count = 0
        while rows := cursor.fetchmany(20_000):
            for row in rows:
                hashlib.sha256(json.dumps(list(row), separators=(",", ":")).encode()).digest()
            count += len(rows)
    engine.dispose()
    return count / (time.perf_counter() - began)


def bench_sequencing(url: str, count: int, keys: TransitKeyService, label: str) -> list[Figure]:
    figures = []
    for batch in (1000, 10_000):
        seed_queued(url, count)
        keys.anchor_path = f"strongroom/audit/bench-{label.lower()}-{batch}"
        engine = make_engine(url)
        factory = make_session_factory(engine, _sealer())
        sequencer = Sequencer(factory, keys, anchors=keys, batch_size=batch)
        began = time.perf_counter()
        done = sequencer.run()
        rate = done / (time.perf_counter() - began)
        engine.dispose()
        figures.append(
            Figure(
                f"sequenced events/s, batches of {batch:,}, anchored ({label})",
                rate,
                "/s",
                "hashing the same rows, nothing written",
                _naive_hash_rate(url),
            )
        )
    return figures


def bench_verify_and_proofs(
    url: str, count: int, keys: TransitKeyService, label: str
) -> list[Figure]:
    engine = make_engine(url)
    with engine.connect() as conn:
        began = time.perf_counter()
        cursor = conn.exec_driver_sql("SELECT * FROM audit_events ORDER BY seq")
        while cursor.fetchmany(20_000):
            pass
        read_only = time.perf_counter() - began
    began = time.perf_counter()
    with snapshot(engine) as conn:
        result = verify_with(conn, keys)
    seconds = time.perf_counter() - began
    assert result.ok and result.checked == count, result
    figures = [
        Figure(
            f"verify {count:,} events with anchors, seconds ({label})",
            seconds,
            "s",
            "reading the rows alone",
            read_only,
        )
    ]
    rng = random.Random(7)
    factory = make_session_factory(engine)
    proof_ms, read_ms = [], []
    with factory() as session:
        size = count
        for _ in range(500):
            seq = rng.randint(1, size)
            began = time.perf_counter()
            session.scalar(select(AuditEvent).where(AuditEvent.seq == seq))
            read_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            StoredTree(session).inclusion_path(seq - 1, size)
            proof_ms.append((time.perf_counter() - began) * 1000)
            session.expunge_all()
    engine.dispose()
    p99 = statistics.quantiles(proof_ms, n=100)[98]
    figures.append(
        Figure(
            f"inclusion proof p99 at {count:,} events, ms ({label})",
            p99,
            "ms",
            "reading the event row, p99",
            statistics.quantiles(read_ms, n=100)[98],
        )
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--appends-only", action="store_true", help="only the append figures")
    args = parser.parse_args()
    count = 100_000 if args.quick else 1_000_000
    per_writer = 100 if args.quick else 1000
    with OpenBaoDevServer() as bao:
        keys = TransitKeyService(build_vault_client(bao.addr, token=bao.token))
        keys.ensure_keys()
        os.environ[_VAULT_ADDR], os.environ[_VAULT_TOKEN] = bao.addr, bao.token
        figures: list[Figure] = []
        with postgres_database() as pg:
            if pg is None:
                print("  PostgreSQL not reachable: PostgreSQL figures skipped")
            else:
                upgrade(make_engine(pg))
                figures += bench_appends(pg, per_writer)
                if not args.appends_only:
                    figures += bench_sequencing(pg, count, keys, "PostgreSQL")
                    figures += bench_verify_and_proofs(pg, count, keys, "PostgreSQL")
        if args.appends_only:
            print_figures("Audit", figures)
            return
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/audit.db"
            upgrade(make_engine(url))
            figures += bench_sequencing(url, count, keys, "SQLite")
            figures += bench_verify_and_proofs(url, count, keys, "SQLite")
    print_figures("Audit", figures)


if __name__ == "__main__":
    main()
