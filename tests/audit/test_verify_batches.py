"""Verify reads the trail in batches (PostgreSQL: a server-side cursor, read ahead in a thread):
the batch size changes nothing it finds, on either database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.audit.verify import public_keys, verify_trail
from service.core.db import make_engine, snapshot
from tests.audit.trail import append, sealer_for, sequence, tamper


def _verify(url: str, key_service: Any, anchor_file: Path, batch_size: int) -> dict[str, Any]:
    engine = make_engine(url)
    with snapshot(engine) as connection:
        result = verify_trail(
            connection,
            public_keys(key_service.audit_public_keys()),
            anchors=key_service,
            anchor_file=anchor_file,
            sealer=sealer_for(key_service),
            batch_size=batch_size,
        ).as_dict()
    engine.dispose()
    return result


def test_small_batches_find_exactly_what_one_batch_finds(
    db_url: str, key_service: Any, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors"
    append(db_url, key_service, 40)
    assert sequence(db_url, key_service, batch_size=8, anchor_file=anchors) == 40
    whole = _verify(db_url, key_service, anchors, 20_000)
    assert whole["ok"] and whole["checked"] == 40, whole
    assert _verify(db_url, key_service, anchors, 3) == whole

    tamper(
        db_url,
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 29",
        "DELETE FROM audit_events WHERE seq = 17",
    )
    whole = _verify(db_url, key_service, anchors, 20_000)
    assert whole["ok"] is False and whole["first_bad_seq"] == 17, whole
    assert _verify(db_url, key_service, anchors, 3) == whole
