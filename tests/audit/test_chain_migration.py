"""Upgrading a trail kept as the old hash chain: the chain is checked one last time, every
event keeps its ``seq`` as a leaf of the tree, and the first tree head records the check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from service.core.db import make_engine
from service.core.migrate import upgrade
from tests.audit.trail import scalar, sequence, verify

OLD = (
    "seq, id, at, actor, role, action, targets, purpose, fields, outcome, status, request_id,"
    " source_ip, prev_hash, hash"
)
PLACEHOLDERS = ", ".join(f":c{i}" for i in range(15))


def old_chain(url: str, count: int, break_at: int | None = None) -> None:
    """Events as the old recorder wrote them: each hashed onto the previous one."""
    engine = make_engine(url)
    upgrade(engine, "0001")
    previous = "0" * 64
    with engine.begin() as conn:
        for seq in range(1, count + 1):
            row = [
                seq, f"aud_{seq:024x}", f"2026-11-01T00:00:{seq:02d}.000000Z", "svc", "service",
                "customers:customer:read", json.dumps([f"cus_tok_{seq}"]), None, None,
                "allowed", 200, f"r{seq}", "127.0.0.1", previous,
            ]  # fmt: skip
            digest = hashlib.sha256(json.dumps(row, separators=(",", ":")).encode()).hexdigest()
            if seq == break_at:
                row[3] = "mallory"  # changed after hashing
            conn.execute(
                text(f"INSERT INTO audit_events ({OLD}) VALUES ({PLACEHOLDERS})"),
                {f"c{i}": v for i, v in enumerate([*row, digest])},
            )
            previous = digest
    upgrade(engine)
    engine.dispose()


@pytest.mark.parametrize("break_at", [None, 7])
def test_the_old_chain_becomes_the_first_leaves(
    sqlite_url: str, key_service: Any, tmp_path: Path, break_at: int | None
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old_chain(url, 20, break_at)
    assert scalar(url, "SELECT count(*) FROM audit_events WHERE seq IS NULL") == 20
    assert sequence(url, key_service) == 20
    assert scalar(url, "SELECT count(*) FROM audit_events WHERE seq = pk") == 20
    note = scalar(url, "SELECT note FROM audit_tree_heads ORDER BY tree_size LIMIT 1")
    if break_at is None:
        assert note.startswith("hash chain seq 1-20 verified at migration")
    else:
        assert "did NOT verify" in note and "first bad seq 7" in note
    assert verify(url, key_service)["ok"]  # the tree holds the events as they were found
