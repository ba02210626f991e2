"""charges

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 13:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.core.db

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charges",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("customer", sa.String(length=40), nullable=False),
        sa.Column("subscription", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("processor", sa.String(length=16), nullable=False),
        sa.Column("processor_key", sa.String(length=120), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("period_index", sa.Integer(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("due_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("credit_applied", sa.BigInteger(), nullable=False),
        sa.Column("next_retry_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("settled_at", service.core.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("processor_key", name=op.f("uq_charges_processor_key")),
        sa.UniqueConstraint("request_key", name="uq_charges_request_key"),
        sa.UniqueConstraint(
            "subscription", "period_index", "attempt", name="uq_charges_subscription_period"
        ),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index("ix_charges_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_charges_customer"), ["customer"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_charges_next_retry_at"), ["next_retry_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_charges_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_charges_subscription"), ["subscription"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charges_subscription"))
        batch_op.drop_index(batch_op.f("ix_charges_status"))
        batch_op.drop_index(batch_op.f("ix_charges_next_retry_at"))
        batch_op.drop_index(batch_op.f("ix_charges_customer"))
        batch_op.drop_index("ix_charges_created_at_id")
    op.drop_table("charges")
