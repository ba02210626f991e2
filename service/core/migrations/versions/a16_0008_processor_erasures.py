"""processor erasures left to finish

Revision ID: a16_0008
Revises: a16_0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.core.db

revision = "a16_0008"
down_revision = "a16_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processor_erasures",
        sa.Column("customer", sa.String(length=40), nullable=False),
        sa.Column("wrapped_data_key", sa.Text(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("data_key_generation", sa.Integer(), nullable=False),
        sa.Column("processor_ref_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", service.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer", name=op.f("pk_processor_erasures")),
    )
    op.create_index(
        op.f("ix_processor_erasures_next_attempt_at"),
        "processor_erasures",
        ["next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processor_erasures_next_attempt_at"), table_name="processor_erasures")
    op.drop_table("processor_erasures")
