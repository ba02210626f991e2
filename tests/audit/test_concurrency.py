"""Two processes appending to one PostgreSQL at full speed keep a single valid chain."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from service.audit.recorder import AuditRecord, CheckpointPolicy, append_event
from service.audit.verify import verify_chain
from service.core.db import make_engine, make_session_factory
from tests.fixtures.openbao import key_service_for

APPENDS_PER_PROCESS = 1500


def _writer(url: str, addr: str, token: str, name: str, count: int) -> None:
    signer = key_service_for(addr, token)
    engine = make_engine(url, pool_size=1)
    factory = make_session_factory(engine)
    for i in range(count):
        with factory() as session:
            append_event(
                session,
                AuditRecord(action="audit:event:list", actor=name, role="admin", targets=[]),
                at=datetime.now(UTC),
                status=200,
                request_id=f"{name}-{i}",
                signer=signer,
                checkpoints=CheckpointPolicy(every=250, seconds=3600),
            )
            session.commit()
    engine.dispose()


def test_two_processes_produce_no_gap_no_fork_no_duplicate(
    pg_url: str, openbao: Any, key_service: Any
) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(
            target=_writer, args=(pg_url, openbao.addr, openbao.token, f"w{n}", APPENDS_PER_PROCESS)
        )
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        seqs = [row[0] for row in conn.execute(text("SELECT seq FROM audit_events ORDER BY seq"))]
        by_actor = dict(
            conn.execute(text("SELECT actor, count(*) FROM audit_events GROUP BY actor")).all()
        )
        result = verify_chain(conn, key_service)
    engine.dispose()
    assert seqs == list(range(1, 2 * APPENDS_PER_PROCESS + 1))
    assert by_actor == {"w0": APPENDS_PER_PROCESS, "w1": APPENDS_PER_PROCESS}
    assert result.ok, result
    assert result.checkpoints_verified == result.checkpoints_count >= 12
