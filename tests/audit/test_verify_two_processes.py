"""Verify of a large PostgreSQL trail reads and hashes its two halves in two processes, in one
snapshot. It must say exactly what the one-process reading says — above all when the tampering
sits in the half the second process reads, or outside the range either half reads (seq 0,
a duplicated seq, an event whose seq was cleared)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.audit import verify as verify_module
from service.core.db import make_engine, snapshot
from tests.audit.trail import append, sequence, tamper, verify

EVENTS = 40
BATCH = 8
COPIED = "id, at, actor, role, action, targets, outcome"


@pytest.fixture
def trail(pg_url: str, key_service: Any, tmp_path: Path) -> str:
    append(pg_url, key_service, EVENTS)
    assert sequence(pg_url, key_service, batch_size=BATCH, anchor_file=tmp_path / "anchors") == 40
    return pg_url


def _both_ways(
    url: str, key_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setattr(verify_module, "TWO_PROCESSES_FROM", 10**12)
    one = verify(url, key_service, tmp_path / "anchors")
    monkeypatch.setattr(verify_module, "TWO_PROCESSES_FROM", 1)
    two = verify(url, key_service, tmp_path / "anchors")
    assert two == one
    return two


def test_an_intact_trail_is_verified_by_the_two_processes(
    trail: str, key_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify_module, "TWO_PROCESSES_FROM", 1)
    engine = make_engine(trail)
    result = verify_module.VerifyResult()
    with snapshot(engine) as conn:
        heads = [verify_module.sth_view(h) for h in verify_module._all_heads(conn)]
        roots = {sth["tree_size"]: sth["root_hash"] for sth in heads}
        assert verify_module._all_intact_in_two_processes(conn, roots, sorted(roots), result, 7)
    engine.dispose()
    assert result.checked == EVENTS and result.ok
    assert _both_ways(trail, key_service, tmp_path, monkeypatch)["ok"]


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE audit_events SET actor = 'mallory' WHERE seq = 33"],
        ["DELETE FROM audit_events WHERE seq = 25"],
        [
            "UPDATE audit_events SET seq = -seq WHERE seq IN (35, 36)",
            "UPDATE audit_events SET seq = 71 - seq WHERE seq IN (-35, -36)",
        ],
        ["UPDATE audit_events SET seq = NULL WHERE seq = 38"],
        [
            f"INSERT INTO audit_events ({COPIED}, seq, leaf_hash)"
            " SELECT 'aud_forged', at, 'mallory', role, action, targets, outcome, 0, leaf_hash"
            " FROM audit_events WHERE seq = 1"
        ],
        ["UPDATE audit_events SET leaf_hash = NULL WHERE seq = 31"],
    ],
    ids=["changed", "deleted", "swapped", "unsequenced", "seq-0", "null-leaf"],
)
def test_tampering_reads_the_same_either_way(
    trail: str,
    key_service: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
) -> None:
    tamper(trail, *statements)
    result = _both_ways(trail, key_service, tmp_path, monkeypatch)
    assert result["ok"] is False and result["reason"]


def test_a_duplicated_seq_reads_the_same_either_way(
    trail: str, key_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacker drops the unique constraint on seq and adds a twin of event 30."""
    tamper(
        trail,
        "ALTER TABLE audit_events DROP CONSTRAINT uq_audit_events_v2_seq",
        f"INSERT INTO audit_events ({COPIED}, seq, leaf_hash)"
        " SELECT 'aud_twin', at, actor, role, action, targets, outcome, seq, leaf_hash"
        " FROM audit_events WHERE seq = 30",
    )
    try:
        result = _both_ways(trail, key_service, tmp_path, monkeypatch)
        assert result["ok"] is False and result["reason"]
    finally:
        tamper(
            trail,
            "DELETE FROM audit_events WHERE id = 'aud_twin'",
            "ALTER TABLE audit_events ADD CONSTRAINT uq_audit_events_v2_seq UNIQUE (seq)",
        )


@pytest.mark.parametrize("seq", [2, 39])  # in this process's half, then in the reader's
def test_a_row_no_event_can_be_reads_the_same_either_way(
    trail: str, key_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seq: int
) -> None:
    """Review finding: with NOT NULL dropped (DDL), a NULL actor made this process's half
    raise instead of answering ok: false."""
    tamper(
        trail,
        "ALTER TABLE audit_events ALTER COLUMN actor DROP NOT NULL",
        "UPDATE audit_events SET actor = NULL WHERE seq = :seq",
        seq=seq,
    )
    try:
        result = _both_ways(trail, key_service, tmp_path, monkeypatch)
        assert result["ok"] is False and result["first_bad_seq"] == seq, result
    finally:
        tamper(
            trail,
            "UPDATE audit_events SET actor = 'restored' WHERE actor IS NULL",
            "ALTER TABLE audit_events ALTER COLUMN actor SET NOT NULL",
        )


def test_a_reader_sent_to_another_table_is_not_believed(
    trail: str, key_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacker copies the trail into a schema of their own, points the role's search_path
    at it (new sessions only: the service's open connection keeps reading the real table), then
    changes the real table in the half the second process reads."""
    monkeypatch.setattr(verify_module, "TWO_PROCESSES_FROM", 1)
    engine = make_engine(trail)
    try:
        with snapshot(engine) as conn:  # the service's connection, opened before the attack
            tamper(
                trail,
                "CREATE SCHEMA evil",
                "CREATE TABLE evil.audit_events AS TABLE public.audit_events",
                "ALTER ROLE CURRENT_USER SET search_path = evil, public",
                "UPDATE public.audit_events SET actor = 'mallory' WHERE seq = 33",
            )
            result = verify_module.verify_with(
                conn, key_service, anchor_file=tmp_path / "anchors"
            ).as_dict()
    finally:
        engine.dispose()
        tamper(trail, "ALTER ROLE CURRENT_USER RESET search_path", "DROP SCHEMA evil CASCADE")
    assert result["ok"] is False
    assert result["first_bad_seq"] == 33
