"""The trail's tables: events (queued until sequenced), the tree's stored nodes, and the signed
tree heads.

``at``, ``targets`` and ``fields`` are stored as the exact text the API returns (lists as JSON),
so a leaf hashes identically on SQLite and PostgreSQL without re-parsing anything.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import Base

ROW_ID = BigInteger().with_variant(Integer, "sqlite")


class AuditEvent(Base):
    """One event. ``pk`` is the insertion order; ``seq`` (the 1-based leaf position) and
    ``leaf_hash`` stay null while the event is queued, until the sequencer integrates it."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index(
            "ix_audit_events_queued",
            "pk",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
        Index(
            "ix_audit_events_to_sequence",
            "pk",
            postgresql_where=text("seq IS NULL AND refused IS NULL"),
            sqlite_where=text("seq IS NULL AND refused IS NULL"),
        ),
    )

    pk: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    at: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(80), index=True)
    targets: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text, nullable=True)
    fields: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    source_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    leaf_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The writer's seal (service.audit.seal), checked before the event becomes a leaf; not
    # part of the event. ``refused``: why the sequencer would not integrate it (it stays queued).
    seal: Mapped[str | None] = mapped_column(String(80), nullable=True)
    refused: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AuditNode(Base):
    """Hashes of complete, aligned subtrees of 2**height leaves, for heights ≥
    ``STORED_HEIGHT``: a proof reads at most one span of leaf hashes plus a few of these."""

    __tablename__ = "audit_nodes"

    height: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))


class AuditTreeHead(Base):
    """A signed tree head, plus what the sequencer needs to continue from it (``frontier``:
    the compact range of the tree, JSON ``[[height, hex], …]``) and whether it is anchored."""

    __tablename__ = "audit_tree_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    previous: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key_version: Mapped[int] = mapped_column(Integer)
    signature: Mapped[str] = mapped_column(Text)
    frontier: Mapped[str] = mapped_column(Text)
    anchored: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # On the first head only, when the trail was migrated from the hash chain: how the old
    # chain verified at migration (not signed: the key service was not there to sign it).
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditChainMigration(Base):
    """The old hash chain's last check, made by the migration to the tree."""

    __tablename__ = "audit_chain_migration"

    up_to_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_bad_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    checked_at: Mapped[str] = mapped_column(String(32))

    def describe(self) -> str:
        if self.first_bad_seq is None:
            return f"hash chain seq 1-{self.up_to_seq} verified at migration ({self.checked_at})"
        return (
            f"hash chain seq 1-{self.up_to_seq} did NOT verify at migration "
            f"({self.checked_at}): first bad seq {self.first_bad_seq}"
        )
