"""Events appended in a batch join the same chain, hashed exactly like single appends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from service.audit.recorder import AuditRecord, CheckpointPolicy, append_event, append_events
from service.audit.verify import verify_chain
from service.core.db import make_engine, make_session_factory

AT = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
POLICY = CheckpointPolicy(every=1000, seconds=3600)


def _record(n: int) -> AuditRecord:
    return AuditRecord(
        action="pauses:pause:create",
        actor="ops-admin",
        role="admin",
        targets=[f"sub_tok_{n:08d}", f"pau_{n:08d}", "bulk_0000000001"],
    )


def test_a_batch_between_single_appends_keeps_one_verifiable_chain(
    db_url: str, key_service: Any
) -> None:
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with factory() as session:
        append_event(session, _record(0), at=AT, status=201, signer=key_service, checkpoints=POLICY)
        appended = append_events(
            session,
            [_record(n) for n in range(1, 2501)],
            at=AT,
            status=None,
            request_id="req-bulk",
            signer=key_service,
            checkpoints=POLICY,
        )
        append_event(
            session, _record(2501), at=AT, status=201, signer=key_service, checkpoints=POLICY
        )
        session.commit()
    with engine.connect() as conn:
        seqs = [row[0] for row in conn.execute(text("SELECT seq FROM audit_events ORDER BY seq"))]
        result = verify_chain(conn, key_service)
    assert appended == 2500
    assert seqs == list(range(1, 2503))
    assert result.ok, result
    assert result.checkpoints_verified == result.checkpoints_count >= 2

    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1200"))
    with engine.connect() as conn:
        tampered = verify_chain(conn, key_service)
    engine.dispose()
    assert not tampered.ok
    assert tampered.first_bad_seq == 1200


def test_an_empty_batch_appends_nothing_and_leaves_the_head_alone(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with make_session_factory(engine)() as session:
        assert append_events(session, [], at=AT, status=None) == 0
        head = session.execute(text("SELECT seq FROM audit_head")).scalar_one()
    engine.dispose()
    assert head == 0
