"""Recomputing the chain and checking its signed checkpoints.

Detects a changed field (hash mismatch), a deleted or inserted row (sequence gap or broken
``prev_hash``), swapped rows, a truncated tail (a checkpoint or the head naming an event that is
gone) and a forged or replayed checkpoint (its signature covers its own seq and hash).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from service.audit.chain import EVENT_COLUMNS, checkpoint_message, event_hash
from service.audit.models import GENESIS_HASH, AuditCheckpoint, AuditHead
from service.audit.recorder import CheckpointSigner

COLUMNS = ", ".join(EVENT_COLUMNS)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    checkpoints_count: int
    checkpoints_verified: int
    first_bad_seq: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "checkpoints": {
                "count": self.checkpoints_count,
                "verified": self.checkpoints_verified,
            },
            "first_bad_seq": self.first_bad_seq,
        }


def verify_chain(
    conn: Connection,
    signer: CheckpointSigner,
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 20_000,
) -> VerifyResult:
    checkpoints = {cp.seq: cp for cp in conn.execute(select(AuditCheckpoint)).all()}
    head = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    first_bad: int | None = None
    expected_seq = 1
    prev_hash = GENESIS_HASH
    hashes_at_checkpoints: dict[int, str] = {}

    cursor = conn.exec_driver_sql(f"SELECT {COLUMNS} FROM audit_events ORDER BY seq")  # noqa: S608
    checked = 0
    while rows := cursor.fetchmany(batch_size):
        for row in rows:
            checked += 1
            seq = row[0]
            if first_bad is None and (
                seq != expected_seq or row[13] != prev_hash or event_hash(row[:14]) != row[14]
            ):
                first_bad = min(seq, expected_seq)
            if seq in checkpoints:
                hashes_at_checkpoints[seq] = row[14]
            prev_hash = row[14]
            expected_seq = seq + 1
        if progress is not None:
            progress(len(rows))
    last_seq = expected_seq - 1

    verified = 0
    for seq in sorted(checkpoints):
        cp = checkpoints[seq]
        genuine = hashes_at_checkpoints.get(seq) == cp.hash and signer.verify(
            checkpoint_message(seq, cp.hash), cp.signature
        )
        if genuine:
            verified += 1
        elif first_bad is None or seq < first_bad:
            first_bad = min(seq, last_seq + 1)
    if (head.seq, head.hash) != (last_seq, prev_hash if last_seq else GENESIS_HASH):
        candidate = min(head.seq, last_seq) + 1 if head.seq != last_seq else last_seq
        first_bad = candidate if first_bad is None else min(first_bad, candidate)

    return VerifyResult(
        ok=first_bad is None,
        checked=checked,
        head_seq=last_seq,
        head_hash=prev_hash,
        checkpoints_count=len(checkpoints),
        checkpoints_verified=verified,
        first_bad_seq=first_bad,
    )
