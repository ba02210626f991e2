"""audit trail v2: queued events, a Merkle tree and signed tree heads

The old hash chain is verified one last time (every link and hash; its checkpoint signatures
need the key service and were checked by the old ``audit verify``), the result is kept in
``audit_chain_migration`` and copied by the sequencer into the first tree head's row. The old
events are kept, in their order, as queued events: the sequencer makes them the first leaves of
the tree (same ``seq``), so nothing recorded before is lost. The chain head and the unchained
checkpoints go.

Revision ID: 0006
Revises: 0001
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KEPT = (
    "id, at, actor, role, action, targets, purpose, fields, outcome, status, request_id, source_ip"
)


OLD_COLUMNS = (
    "seq, id, at, actor, role, action, targets, purpose, fields, outcome, status, request_id,"
    " source_ip, prev_hash, hash"
)


def _verify_old_chain(bind: sa.Connection) -> tuple[int, int | None]:
    """The last seq of the old chain and its first bad seq (None when every link holds)."""
    expected, previous, first_bad = 1, "0" * 64, None
    rows = bind.exec_driver_sql(f"SELECT {OLD_COLUMNS} FROM audit_events ORDER BY seq")  # noqa: S608
    for row in rows:
        values = list(row)
        canonical = json.dumps(values[:14], separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        if first_bad is None and (
            values[0] != expected or values[13] != previous or values[14] != digest
        ):
            first_bad = min(values[0], expected)
        previous, expected = values[14], values[0] + 1
    return expected - 1, first_bad


def upgrade() -> None:
    bind = op.get_bind()
    last_seq, first_bad = _verify_old_chain(bind)
    op.create_table(
        "audit_chain_migration",
        sa.Column("up_to_seq", sa.BigInteger(), nullable=False),
        sa.Column("first_bad_seq", sa.BigInteger(), nullable=True),
        sa.Column("checked_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("up_to_seq", name="pk_audit_chain_migration"),
    )
    if last_seq:
        op.execute(
            sa.text(
                "INSERT INTO audit_chain_migration (up_to_seq, first_bad_seq, checked_at)"
                " VALUES (:s, :b, :t)"
            ).bindparams(
                s=last_seq,
                b=first_bad,
                t=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            )
        )
    op.create_table(
        "audit_events_v2",
        sa.Column("pk", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("leaf_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_audit_events_v2"),
        sa.UniqueConstraint("id", name="uq_audit_events_v2_id"),
        sa.UniqueConstraint("seq", name="uq_audit_events_v2_seq"),
    )
    op.execute(
        f"INSERT INTO audit_events_v2 (pk, {KEPT}) "  # noqa: S608 - constant column list
        f"SELECT seq, {KEPT} FROM audit_events ORDER BY seq"
    )
    op.drop_table("audit_events")
    op.drop_table("audit_head")
    op.drop_table("audit_checkpoints")
    op.rename_table("audit_events_v2", "audit_events")
    if bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE audit_events RENAME CONSTRAINT pk_audit_events_v2 TO pk_audit_events"
        )
        op.execute("ALTER SEQUENCE audit_events_v2_pk_seq RENAME TO audit_events_pk_seq")
        op.execute(
            "SELECT setval('audit_events_pk_seq', COALESCE((SELECT max(pk) FROM audit_events), 0)"
            " + 1, false)"
        )
    for column in ("action", "actor", "at", "request_id"):
        op.create_index(f"ix_audit_events_{column}", "audit_events", [column])
    op.create_index(
        "ix_audit_events_queued",
        "audit_events",
        ["pk"],
        postgresql_where=sa.text("seq IS NULL"),
        sqlite_where=sa.text("seq IS NULL"),
    )

    op.create_table(
        "audit_nodes",
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("height", "position", name="pk_audit_nodes"),
    )
    op.create_table(
        "audit_tree_heads",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("previous", sa.String(length=64), nullable=True),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("anchored", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("tree_size", name="pk_audit_tree_heads"),
    )
    op.create_index("ix_audit_tree_heads_anchored", "audit_tree_heads", ["anchored"])


def downgrade() -> None:
    # Deliberately one-way: the old chain's heads and checkpoints were unsigned and are gone;
    # rebuilding them would forge exactly what this migration stopped anyone from forging.
    raise RuntimeError(
        "0006 is irreversible: the Merkle trail cannot be turned back into the old hash chain "
        "(restore the pre-upgrade backup instead)"
    )
