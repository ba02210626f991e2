"""charges count the sends started, so a charge's first send can skip the processor look-up

Revision ID: r15_0009
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r15_0009"
down_revision = "0001"
branch_labels = None
depends_on = ("0004",)


def upgrade() -> None:
    with op.batch_alter_table("charges") as batch:
        batch.add_column(
            sa.Column("send_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("charges") as batch:
        batch.drop_column("send_attempts")
