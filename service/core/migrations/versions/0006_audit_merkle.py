"""audit trail v2: queued events, a Merkle tree and signed tree heads

The old hash chain's events are kept, in their order, as queued events: the sequencer makes
them the first leaves of the tree (same ``seq``), so nothing recorded before is lost. The chain
head and the unchained checkpoints go (run ``strongroom audit verify`` on the old version before
upgrading if you want the old chain checked one last time).

Revision ID: 0006
Revises: 0001
"""

from __future__ import annotations

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


def upgrade() -> None:
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
    bind = op.get_bind()
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
        sa.PrimaryKeyConstraint("tree_size", name="pk_audit_tree_heads"),
    )
    op.create_index("ix_audit_tree_heads_anchored", "audit_tree_heads", ["anchored"])


def downgrade() -> None:
    raise NotImplementedError("the Merkle trail cannot be turned back into the old hash chain")
