"""free text sealed under data keys; blind-index versions

Pause reasons and charge descriptions move to ciphertext columns sealed under the customer's
data key (a bulk operation's reason under a data key of its own); the clear columns they were
kept in (after redaction) are emptied, since nothing here can encrypt them without the key
service. Each customer's blind index records the scheme and index-key version it was computed
with: 0 for the old label-less values, which search keeps finding until ``strongroom keys
reindex`` has recomputed them.

Revision ID: a16_0007
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a16_0007"
down_revision = "0001"
branch_labels = None
depends_on = ("0002", "0003", "0004")


def upgrade() -> None:
    with op.batch_alter_table("pauses") as batch:
        batch.add_column(sa.Column("reason_ciphertext", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE pauses SET reason = NULL")
    with op.batch_alter_table("bulk_operations") as batch:
        batch.add_column(sa.Column("reason_ciphertext", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("wrapped_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("key_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("charges") as batch:
        batch.add_column(sa.Column("description_ciphertext", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE charges SET description = NULL")
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("email_index_version", sa.Integer(), nullable=True))
    op.execute("UPDATE customers SET email_index_version = 0 WHERE email_index IS NOT NULL")
    op.create_index(
        op.f("ix_customers_email_index_version"),
        "customers",
        ["email_index_version"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_customers_email_index_version"), table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("email_index_version")
    with op.batch_alter_table("charges") as batch:
        batch.drop_column("description_ciphertext")
    with op.batch_alter_table("bulk_operations") as batch:
        batch.drop_column("key_version")
        batch.drop_column("wrapped_key")
        batch.drop_column("reason_ciphertext")
    with op.batch_alter_table("pauses") as batch:
        batch.drop_column("reason_ciphertext")
