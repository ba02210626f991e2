"""rate counters shared by every worker and replica

Revision ID: m15_0007
Revises: 0001
Create Date: 2026-12-04 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "m15_0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "minute", name=op.f("pk_rate_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_counters")
