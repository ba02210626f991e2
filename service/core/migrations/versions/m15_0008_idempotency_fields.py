"""stored idempotent responses keep the fields they returned (a replay is audited as the read
it is)

Revision ID: m15_0008
Revises: m15_0007
Create Date: 2026-12-04 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "m15_0008"
down_revision = "m15_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("fields", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("fields")
