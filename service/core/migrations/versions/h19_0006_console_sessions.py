"""console sessions

Revision ID: h19_0006
Revises: 0001
Create Date: 2026-12-04 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.core.db

revision = "h19_0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", service.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["principals.key_id"],
            name=op.f("fk_console_sessions_key_id_principals"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    op.create_index(
        op.f("ix_console_sessions_key_id"), "console_sessions", ["key_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_key_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
