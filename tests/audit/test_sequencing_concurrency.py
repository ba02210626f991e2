"""PostgreSQL under load: 16 writer processes append while two sequencers race for the tree,
and a sequencer SIGKILLed in the middle of a batch loses nothing and duplicates nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import Any

from sqlalchemy import text

from service.audit.sequencer import ADVISORY_LOCK
from service.core.db import make_engine
from tests.audit.trail import append, sequence, verify
from tests.fixtures.openbao import key_service_for

WRITERS = 16
EVENTS_PER_WRITER = 1000


def _writer(url: str, addr: str, token: str, number: int) -> None:
    keys = key_service_for(addr, token)
    append(url, keys, EVENTS_PER_WRITER, start=number * EVENTS_PER_WRITER)


def _sequencer(url: str, addr: str, token: str, anchor_path: str, writers_done: Any) -> None:
    """Sequence until the writers are done and nothing is left (a fixed run time let a loaded
    machine's writers outlast the sequencers)."""
    keys = key_service_for(addr, token, anchor_path=anchor_path)
    while True:
        finished = writers_done.is_set()
        if not sequence(url, keys, batch_size=500) and finished:
            return
        time.sleep(0.01)


def _rows(url: str, query: str) -> list[Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(text(query)))
    engine.dispose()
    return rows


def test_16_writers_and_two_racing_sequencers_make_one_gapless_tree(
    pg_url: str, openbao: Any, key_service: Any, audit_anchor_namespace: str
) -> None:
    spawn = multiprocessing.get_context("spawn")
    writers_done = spawn.Event()
    args = (pg_url, openbao.addr, openbao.token, audit_anchor_namespace, writers_done)
    sequencers = [spawn.Process(target=_sequencer, args=args) for _ in range(2)]
    writers = [
        spawn.Process(target=_writer, args=(pg_url, openbao.addr, openbao.token, n))
        for n in range(WRITERS)
    ]
    for process in [*sequencers, *writers]:
        process.start()
    for process in writers:
        process.join(timeout=300)
        assert process.exitcode == 0
    writers_done.set()
    for process in sequencers:
        process.join(timeout=300)
        assert process.exitcode == 0
    assert sequence(pg_url, key_service) == 0  # the racing sequencers left nothing queued

    total = WRITERS * EVENTS_PER_WRITER
    seqs = [row[0] for row in _rows(pg_url, "SELECT seq FROM audit_events ORDER BY seq")]
    assert seqs == list(range(1, total + 1))
    ids = {row[0] for row in _rows(pg_url, "SELECT request_id FROM audit_events")}
    assert len(ids) == total  # every appended event exactly once
    heads = _rows(pg_url, "SELECT tree_size FROM audit_tree_heads ORDER BY tree_size")
    assert len(heads) >= total // 500 and heads[-1][0] == total
    result = verify(pg_url, key_service)
    assert result["ok"], result
    assert result["sths"]["verified"] == result["sths"]["count"] == len(heads)


def _one_big_batch(url: str, addr: str, token: str, anchor_path: str) -> None:
    sequence(url, key_service_for(addr, token, anchor_path=anchor_path), batch_size=60_000)


def test_a_sequencer_killed_mid_batch_leaves_the_events_queued_and_the_next_run_completes(
    pg_url: str, openbao: Any, key_service: Any, audit_anchor_namespace: str
) -> None:
    append(pg_url, key_service, 200)
    sequence(pg_url, key_service)  # a tree exists already: 200 leaves
    append(pg_url, key_service, 50_000, start=200, per_commit=5000)

    spawn = multiprocessing.get_context("spawn")
    victim = spawn.Process(
        target=_one_big_batch, args=(pg_url, openbao.addr, openbao.token, audit_anchor_namespace)
    )
    victim.start()
    engine = make_engine(pg_url)
    held = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND ((classid::bigint << 32) | objid::bigint) = :k"
    )
    mid_batch = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.is_alive():
        with engine.connect() as conn:
            if conn.execute(held, {"k": ADVISORY_LOCK}).scalar():
                mid_batch = True
                break
        time.sleep(0.005)
    assert mid_batch, "the sequencer never held its lock: the kill would not land mid-batch"
    time.sleep(0.3)  # inside the batch: hashing 50,000 leaves takes longer than this
    assert victim.pid is not None
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=30)
    assert victim.exitcode == -signal.SIGKILL

    with engine.connect() as conn:
        assert conn.execute(text("SELECT max(seq) FROM audit_events")).scalar() == 200
        assert conn.execute(text("SELECT max(tree_size) FROM audit_tree_heads")).scalar() == 200
        assert (
            conn.execute(text("SELECT count(*) FROM audit_events WHERE seq IS NULL")).scalar()
            == 50_000
        )
    engine.dispose()

    assert sequence(pg_url, key_service, batch_size=10_000) == 50_000
    seqs = [row[0] for row in _rows(pg_url, "SELECT seq FROM audit_events ORDER BY seq")]
    assert seqs == list(range(1, 50_201))
    result = verify(pg_url, key_service)
    assert result["ok"], result
