"""Audit benchmarks: chain verification speed and append throughput under concurrency.

    .venv/bin/python bench/bench_audit.py [--quick]

Verification: N events (1,000,000; 100,000 with --quick) written with a valid chain and a
checkpoint every 1,000 events, then verified by ``verify_chain`` (raw cursor, canonical JSON,
SHA-256, checkpoint signatures through OpenBao) — baseline: the same check done the obvious
way, through ORM objects. Appends: events per second with 1, 2 and 8 concurrent writers on
PostgreSQL through ``append_event`` (head row lock, hash chain) — baseline: plain INSERTs of
the same rows with no chain, same writers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, postgres_database, print_figures
from service.audit.chain import (
    EVENT_COLUMNS,
    checkpoint_message,
    encode_list,
    event_hash,
    format_time,
)
from service.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent
from service.audit.recorder import AuditRecord, CheckpointPolicy, append_event
from service.audit.verify import verify_chain
from service.core.db import make_engine, make_session_factory
from service.core.migrate import upgrade
from service.devstack.openbao import OpenBaoDevServer
from service.keys.transit import TransitKeyService, build_vault_client

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def seed_chain(url: str, count: int, signer: TransitKeyService, every: int = 1000) -> None:
    engine = make_engine(url)
    prev = GENESIS_HASH
    rows: list[dict] = []
    checkpoints: list[dict] = []
    with engine.begin() as conn:
        for seq in range(1, count + 1):
            values = [
                seq,
                f"aud_{seq:024x}",
                format_time(T0 + timedelta(milliseconds=seq)),
                f"svc-{seq % 7}",
                "service",
                "customers:customer:read",
                encode_list([f"cus_tok_{seq:016x}"]),
                None,
                None,
                "allowed",
                200,
                f"req_{seq:x}",
                "127.0.0.1",
                prev,
            ]
            digest = event_hash(values)
            rows.append(dict(zip(EVENT_COLUMNS, [*values, digest], strict=True)))
            prev = digest
            if seq % every == 0:
                checkpoints.append(
                    {
                        "seq": seq,
                        "hash": digest,
                        "at": values[2],
                        "signature": signer.sign(checkpoint_message(seq, digest)),
                    }
                )
            if len(rows) == 20_000:
                conn.execute(insert(AuditEvent), rows)
                rows = []
        if rows:
            conn.execute(insert(AuditEvent), rows)
        if checkpoints:
            conn.execute(insert(AuditCheckpoint), checkpoints)
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": count, "h": prev})
    engine.dispose()


def naive_verify(url: str, signer: TransitKeyService) -> bool:
    """The obvious way: ORM objects, one at a time."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    ok = True
    prev = GENESIS_HASH
    with factory() as session:
        for event in session.scalars(
            select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=5000)
        ):
            values = [
                event.seq,
                event.id,
                event.at,
                event.actor,
                event.role,
                event.action,
                event.targets,
                event.purpose,
                event.fields,
                event.outcome,
                event.status,
                event.request_id,
                event.source_ip,
                event.prev_hash,
            ]
            canonical = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
            ok &= (
                event.prev_hash == prev
                and hashlib.sha256(canonical.encode()).hexdigest() == event.hash
            )
            prev = event.hash
        for cp in session.scalars(select(AuditCheckpoint)):
            ok &= signer.verify(checkpoint_message(cp.seq, cp.hash), cp.signature)
    engine.dispose()
    return ok


def bench_verify(url: str, count: int, signer: TransitKeyService, label: str) -> list[Figure]:
    seed_chain(url, count, signer)
    engine = make_engine(url)
    start = time.perf_counter()
    with engine.connect() as conn:
        result = verify_chain(conn, signer)
    ours = time.perf_counter() - start
    engine.dispose()
    assert result.ok and result.checked == count, result
    start = time.perf_counter()
    assert naive_verify(url, signer)
    naive = time.perf_counter() - start
    print(
        f"  {label}: verified {count:,} events in {ours:.2f} s "
        f"({result.checkpoints_verified} checkpoints); naive ORM check {naive:.2f} s"
    )
    return [
        Figure(
            f"verify events/s ({label})",
            count / ours,
            "/s",
            "naive ORM verification",
            count / naive,
        )
    ]


def bench_appends(url: str, signer: TransitKeyService, per_writer: int) -> list[Figure]:
    figures = []
    for writers in (1, 2, 8):
        for mode in ("chain", "plain"):
            engine = make_engine(url, pool_size=writers + 2)
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_events, audit_checkpoints"))
                conn.execute(
                    text(
                        "UPDATE audit_head SET seq = 0, hash = :h, checkpoint_seq = 0,"
                        " checkpoint_at = NULL"
                    ),
                    {"h": GENESIS_HASH},
                )
            factory = make_session_factory(engine)
            counter = iter(range(10**9))
            lock = threading.Lock()

            def work(name: str, factory=factory, mode=mode, lock=lock, counter=counter) -> None:
                for i in range(per_writer):
                    with factory() as session:
                        if mode == "chain":
                            append_event(
                                session,
                                AuditRecord("audit:event:list", name, "admin"),
                                at=datetime.now(UTC),
                                status=200,
                                request_id=f"{name}-{i}",
                                signer=signer,
                                checkpoints=CheckpointPolicy(1000, 60),
                            )
                        else:
                            with lock:
                                seq = next(counter) + 1
                            session.execute(
                                insert(AuditEvent).values(
                                    seq=seq,
                                    id=f"aud_{seq:024x}",
                                    at=format_time(datetime.now(UTC)),
                                    actor=name,
                                    role="admin",
                                    action="audit:event:list",
                                    targets="[]",
                                    outcome="allowed",
                                    status=200,
                                    request_id=f"{name}-{i}",
                                    prev_hash="",
                                    hash="",
                                )
                            )
                        session.commit()

            threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(writers)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
            rate = writers * per_writer / elapsed
            if mode == "chain":
                chained = rate
                with engine.connect() as conn:
                    assert verify_chain(conn, signer).ok
            else:
                figures.append(
                    Figure(
                        f"appends/s, {writers} writer(s), PostgreSQL",
                        chained,
                        "/s",
                        "plain INSERT, no chain",
                        rate,
                    )
                )
            engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    args = parser.parse_args()
    count = 100_000 if args.quick else 1_000_000
    per_writer = 200 if args.quick else 1000
    with OpenBaoDevServer() as bao:
        signer = TransitKeyService(build_vault_client(bao.addr, token=bao.token))
        signer.ensure_keys()
        figures: list[Figure] = []
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/audit.db"
            upgrade(make_engine(url))
            figures += bench_verify(url, count, signer, "SQLite")
        with postgres_database() as pg:
            if pg is None:
                print("  PostgreSQL not reachable: PostgreSQL figures skipped")
            else:
                upgrade(make_engine(pg))
                figures += bench_verify(pg, count, signer, "PostgreSQL")
                figures += bench_appends(pg, signer, per_writer)
    print_figures("Audit", figures)


if __name__ == "__main__":
    main()
