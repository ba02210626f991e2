"""The hash chain and its signed checkpoints: every kind of tampering is detected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from service.audit.recorder import AuditRecord, CheckpointPolicy, append_event
from service.audit.verify import verify_chain
from service.core.db import make_engine, make_session_factory

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def write_events(url: str, signer: Any, count: int, every: int = 5) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        for i in range(count):
            record = AuditRecord(
                action="customers:customer:read",
                actor=f"svc-{i % 3}",
                role="service",
                targets=[f"cus_tok_{i:012d}"],
            )
            append_event(
                session,
                record,
                at=T0 + timedelta(seconds=i),
                status=200,
                request_id=f"r{i}",
                source_ip="127.0.0.1",
                signer=signer,
                checkpoints=CheckpointPolicy(every=every, seconds=3600),
            )
            session.commit()
    engine.dispose()


def verify(url: str, signer: Any) -> dict[str, Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        result = verify_chain(conn, signer).as_dict()
    engine.dispose()
    return result


def tamper(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pytest.fixture
def chain(db_url: str, key_service: Any) -> str:
    write_events(db_url, key_service, 23)
    return db_url


def test_an_untouched_chain_verifies_with_its_checkpoints(chain: str, key_service: Any) -> None:
    result = verify(chain, key_service)
    assert result["ok"] is True
    assert result["checked"] == 23
    assert result["head"]["seq"] == 23
    # the first event is checkpointed (no checkpoint yet), then every 5 events
    assert result["checkpoints"] == {"count": 5, "verified": 5}
    assert result["first_bad_seq"] is None


def test_a_changed_field_is_detected(chain: str, key_service: Any) -> None:
    tamper(chain, "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 7")
    result = verify(chain, key_service)
    assert result["ok"] is False and result["first_bad_seq"] == 7


def test_a_deleted_row_is_detected(chain: str, key_service: Any) -> None:
    tamper(chain, "DELETE FROM audit_events WHERE seq = 12")
    assert verify(chain, key_service)["first_bad_seq"] == 12


def test_an_inserted_row_is_detected(chain: str, key_service: Any) -> None:
    tamper(
        chain,
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 9",
        "UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1009",
        "INSERT INTO audit_events (seq, id, at, actor, role, action, targets, outcome, "
        "prev_hash, hash) SELECT 9, 'aud_forged', at, actor, role, action, targets, outcome, "
        "hash, hash FROM audit_events WHERE seq = 8",
    )
    result = verify(chain, key_service)
    assert result["ok"] is False and result["first_bad_seq"] == 9


def test_two_swapped_rows_are_detected(chain: str, key_service: Any) -> None:
    tamper(
        chain,
        "UPDATE audit_events SET seq = -1 WHERE seq = 14",
        "UPDATE audit_events SET seq = 14 WHERE seq = 15",
        "UPDATE audit_events SET seq = 15 WHERE seq = -1",
    )
    assert verify(chain, key_service)["first_bad_seq"] == 14


def test_a_tail_truncated_after_a_checkpoint_is_detected(chain: str, key_service: Any) -> None:
    # Cut the last events and repair the head, as an intruder would: the checkpoint at 21
    # still names an event that no longer exists.
    tamper(
        chain,
        "DELETE FROM audit_events WHERE seq > 18",
        "UPDATE audit_head SET seq = 18, hash = (SELECT hash FROM audit_events WHERE seq = 18)",
    )
    result = verify(chain, key_service)
    assert result["ok"] is False and result["first_bad_seq"] == 19


def test_a_forged_checkpoint_is_detected(chain: str, key_service: Any) -> None:
    tamper(chain, "UPDATE audit_checkpoints SET signature = 'vault:v1:Zm9yZ2Vk' WHERE seq = 11")
    result = verify(chain, key_service)
    assert result["ok"] is False and result["checkpoints"]["verified"] == 4
    assert result["first_bad_seq"] == 11


def test_a_replayed_checkpoint_signature_is_detected(chain: str, key_service: Any) -> None:
    tamper(
        chain,
        "UPDATE audit_checkpoints SET signature = (SELECT signature FROM audit_checkpoints "
        "WHERE seq = 6) WHERE seq = 16",
    )
    assert verify(chain, key_service)["first_bad_seq"] == 16


def test_a_chain_rewritten_consistently_is_caught_by_its_checkpoints(
    chain: str, key_service: Any
) -> None:
    """Rewriting an event and recomputing every later hash keeps the chain consistent; only
    the signed checkpoints (which the intruder cannot re-sign) reveal it."""
    from service.audit.chain import event_hash

    engine = make_engine(chain)
    with engine.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, id, at, actor, role, action, targets, purpose, fields, outcome, "
                "status, request_id, source_ip, prev_hash, hash FROM audit_events ORDER BY seq"
            )
        ).all()
        prev = rows[2][14]
        for row in rows[3:]:
            values = list(row[:14])
            if values[0] == 4:
                values[3] = "rewritten"
            values[13] = prev
            new_hash = event_hash(values)
            conn.execute(
                text(
                    "UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": values[3], "p": prev, "h": new_hash, "s": values[0]},
            )
            prev = new_hash
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    engine.dispose()
    result = verify(chain, key_service)
    assert result["ok"] is False
    assert result["checkpoints"]["verified"] == 1
    assert result["first_bad_seq"] == 6
