"""queued audit events carry their writer's seal; the sequencer marks the ones it refuses

Events queued before this migration have no seal: drain the queue before upgrading (stop the
service, run ``strongroom audit sequence`` with the old version). Unsealed events found after it
are refused and reported by verify, as anyone's events would be.

Revision ID: s22_0010
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s22_0010"
down_revision = "0001"
branch_labels = None
depends_on = ("0006",)


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("seal", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("refused", sa.String(length=200), nullable=True))
    # The sequencer's read: queued and not refused, in pk order (without an index of its own
    # the planner, knowing nothing of `refused`, sorted the whole queue for every batch).
    op.create_index(
        "ix_audit_events_to_sequence",
        "audit_events",
        ["pk"],
        postgresql_where=sa.text("seq IS NULL AND refused IS NULL"),
        sqlite_where=sa.text("seq IS NULL AND refused IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_to_sequence", "audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("refused")
        batch.drop_column("seal")
