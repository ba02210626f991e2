"""subscriptions, subscription tags, pauses and bulk operations

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.core.db

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("plan", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("interval_count", sa.Integer(), nullable=False),
        sa.Column("start_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("cancel_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("canceled_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("charged_through_index", sa.Integer(), nullable=False),
        sa.Column("next_charge_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("wrapped_data_key", sa.Text(), nullable=True),
        sa.Column("key_version", sa.Integer(), nullable=True),
        sa.Column("metadata_ciphertext", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    for column in ("customer", "status", "plan", "currency", "cancel_at", "next_charge_at"):
        op.create_index(op.f(f"ix_subscriptions_{column}"), "subscriptions", [column])
    op.create_index("ix_subscriptions_created_at_id", "subscriptions", ["created_at", "id"])

    op.create_table(
        "subscription_tags",
        sa.Column("subscription", sa.String(length=40), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("subscription", "tag", name=op.f("pk_subscription_tags")),
    )
    op.create_index(op.f("ix_subscription_tags_tag"), "subscription_tags", ["tag"])

    op.create_table(
        "pauses",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscription", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("starts_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("latest_end_at", service.core.db.UTCDateTime(), nullable=True),
        sa.Column("resume_mode", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("credit_amount", sa.BigInteger(), nullable=False),
        sa.Column("bulk", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", service.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    op.create_index(op.f("ix_pauses_subscription"), "pauses", ["subscription"])
    op.create_index(op.f("ix_pauses_bulk"), "pauses", ["bulk"])
    op.create_index("ix_pauses_status_starts_at", "pauses", ["status", "starts_at"])
    op.create_index("ix_pauses_status_ends_at", "pauses", ["status", "ends_at"])

    op.create_table(
        "bulk_operations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", service.core.db.UTCDateTime(), nullable=False),
        sa.Column("selector", sa.Text(), nullable=False),
        sa.Column("resume_mode", sa.String(length=8), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Integer(), nullable=False),
        sa.Column("canceled_at", service.core.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_operations")),
    )


def downgrade() -> None:
    op.drop_table("bulk_operations")
    op.drop_index("ix_pauses_status_ends_at", table_name="pauses")
    op.drop_index("ix_pauses_status_starts_at", table_name="pauses")
    op.drop_index(op.f("ix_pauses_bulk"), table_name="pauses")
    op.drop_index(op.f("ix_pauses_subscription"), table_name="pauses")
    op.drop_table("pauses")
    op.drop_index(op.f("ix_subscription_tags_tag"), table_name="subscription_tags")
    op.drop_table("subscription_tags")
    op.drop_index("ix_subscriptions_created_at_id", table_name="subscriptions")
    for column in ("customer", "status", "plan", "currency", "cancel_at", "next_charge_at"):
        op.drop_index(op.f(f"ix_subscriptions_{column}"), table_name="subscriptions")
    op.drop_table("subscriptions")
