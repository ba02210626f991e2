"""pause links

Revision ID: p20_0007
Revises: 0001
Create Date: 2026-12-04 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.core.db

revision = "p20_0007"
down_revision = "0001"
branch_labels = None
# The links name subscriptions (no foreign key: erasure and cancellation keep links readable).
depends_on = ("0003",)


def upgrade() -> None:
    op.create_table(
        "pause_links",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("subscription", sa.String(length=40), nullable=False),
        sa.Column("lengths", sa.Text(), nullable=True),
        sa.Column("return_url", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("used_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("pause", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pause_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pause_links_token_hash")),
    )
    op.create_index(
        op.f("ix_pause_links_subscription"), "pause_links", ["subscription"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pause_links_subscription"), table_name="pause_links")
    op.drop_table("pause_links")
