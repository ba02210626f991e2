"""The sequencer: queued events become the next leaves of the tree, then a signed tree head.

One sequencer works at a time — a PostgreSQL advisory lock held for the batch's transaction
(SQLite: the database write lock every transaction takes) — so any replica may run it and the
others go on appending. Each batch, in one transaction: read the last tree head (which carries
the tree's compact range), take up to ``batch_size`` queued events in insertion order, give them
``seq`` and ``leaf_hash``, store the complete subtrees of ``2**STORED_HEIGHT`` leaves or more
they close, and store the new signed tree head. A crash anywhere before the commit leaves the
events queued for the next run: no gap, no duplicate.

Storage choice: leaf hashes live on the events; interior nodes are stored only from height 8 up
(one row per 256 leaves, ≈0.4 % of the events), so sequencing writes little, and a proof reads
at most two spans of ≤256 leaf hashes plus ≤ log2(n)-8 stored nodes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from service.audit.anchors import AnchorStore, anchor_pending
from service.audit.checker import frontier_root, push_leaf
from service.audit.models import AuditChainMigration, AuditEvent, AuditNode, AuditTreeHead
from service.audit.queued_rows import read_queued
from service.audit.seal import UNREADABLE, factory_sealer, judge_queued, migrated_through
from service.audit.tree_heads import (
    TreeHeadSigner,
    encode_frontier,
    frontier_of,
    latest_head,
    signed_head,
    sth_view,
)
from service.core.errors import ServiceError

log = logging.getLogger(__name__)

STORED_HEIGHT = 8
REPLAYED = "a copy of an event already in the tree"
ADVISORY_LOCK = 0x5352_4155  # "SRAU": one sequencer at a time across replicas
KEY_VERSION_TTL = 60.0


@dataclass
class Sequencer:
    factory: sessionmaker[Session]
    signer: TreeHeadSigner
    anchors: AnchorStore | None = None
    anchor_file: Path | None = None
    batch_size: int = 1000
    clock: Any = time.time
    _key_version: tuple[int, float] | None = field(default=None, repr=False)

    def run(self, max_batches: int = 1_000_000) -> int:
        """Sequence everything queued (up to ``max_batches`` batches), then anchor. Returns the
        number of events sequenced."""
        total = 0
        for _ in range(max_batches):
            taken, sequenced = self._batch()
            total += sequenced
            if taken < self.batch_size:
                break
        self.anchor()
        return total

    def anchor(self) -> int:
        if self.anchors is None and self.anchor_file is None:
            return 0
        store = self.anchors if self.anchors is not None else _NoStore()
        return anchor_pending(self.factory, store, self.anchor_file)

    def sequence_batch(self) -> int:
        """One batch; returns the number of events that became leaves."""
        return self._batch()[1]

    def _batch(self) -> tuple[int, int]:
        """(queued events taken, events that became leaves): the others were refused."""
        with self.factory() as session:
            if not _take_lock(session):
                return 0, 0
            last = latest_head(session)
            legacy_through = migrated_through(session.connection(), has_tree_head=last is not None)
            rows = read_queued(
                session.connection(),
                "refused IS NULL",
                {},
                max(self.batch_size, legacy_through),
            )
            if not rows:
                session.rollback()
                return 0, 0
            accepted = self._screen(session, rows, legacy_through)
            if not accepted:
                session.commit()
                return len(rows), 0
            frontier = frontier_of(last)
            size = last.tree_size if last is not None else 0
            updates: list[dict[str, Any]] = []
            nodes: list[dict[str, Any]] = []
            for pk, leaf in accepted:
                size += 1
                updates.append({"pk": pk, "seq": size, "leaf_hash": leaf.hex()})
                for height, value in push_leaf(frontier, leaf):
                    if height >= STORED_HEIGHT:
                        nodes.append(
                            {
                                "height": height,
                                "position": size // (1 << height) - 1,
                                "hash": value.hex(),
                            }
                        )
            _store_leaves(session, updates)
            if nodes:
                session.execute(insert(AuditNode), nodes)
            sth = signed_head(
                self.signer,
                key_version=self._signing_version(),
                tree_size=size,
                root_hash=frontier_root(frontier).hex(),
                timestamp=int(self.clock() * 1000),
                previous=sth_view(last) if last is not None else None,
            )
            session.add(
                AuditTreeHead(
                    **sth,
                    frontier=encode_frontier(frontier),
                    anchored=False,
                    note=_migration_note(session) if last is None else None,
                )
            )
            session.commit()
        return len(rows), len(accepted)

    def _screen(
        self, session: Session, rows: Sequence[Any], legacy_through: int
    ) -> list[tuple[int, bytes]]:
        """The (pk, leaf hash) of the events the service sealed, in order; the others are
        marked refused and stay out of the tree for good."""
        judged = judge_queued(factory_sealer(self.factory), rows, legacy_through)
        accepted: list[tuple[int, bytes]] = []
        refused: list[dict[str, Any]] = []
        seen = _ids_already_in_the_tree(session, [row.id for row in rows])
        for row, (leaf, reason) in zip(rows, judged, strict=True):
            if reason is None and row.id in seen:
                reason = REPLAYED
            if reason is not None or leaf is None:
                refused.append({"pk": row.pk, "refused": reason or UNREADABLE})
            else:
                accepted.append((row.pk, leaf))
                seen.add(row.id)
        if refused:
            session.execute(
                text("UPDATE audit_events SET refused = :refused WHERE pk = :pk"), refused
            )
            log.warning(
                "audit: refused %d queued event(s) the service did not seal (first pk %d);"
                " they stay out of the tree and verify reports them",
                len(refused),
                refused[0]["pk"],
            )
        return accepted

    def after_append(self, _count: int = 0) -> None:
        """Inline sequencing: run right after events were appended; a failure only postpones."""
        try:
            self.run()
        except Exception:
            log.warning("inline audit sequencing postponed", exc_info=True)

    def _signing_version(self) -> int:
        now = time.monotonic()
        if self._key_version is None or now - self._key_version[1] > KEY_VERSION_TTL:
            self._key_version = (self.signer.audit_key_version(), now)
        return self._key_version[0]


def _ids_already_in_the_tree(session: Session, ids: list[str]) -> set[str]:
    """Event ids of ``ids`` that are leaves already: a copy of a sealed event (its seal
    included) is a replay, whichever constraint the database still has."""
    if session.get_bind().dialect.name == "postgresql":  # one array, not one parameter per id
        return set(
            session.scalars(
                text("SELECT id FROM audit_events WHERE id = ANY(:ids) AND seq IS NOT NULL"),
                {"ids": [i for i in ids if isinstance(i, str)]},
            )
        )
    found: set[str] = set()
    for start in range(0, len(ids), 5000):
        found.update(
            session.scalars(
                select(AuditEvent.id).where(
                    AuditEvent.id.in_(ids[start : start + 5000]), AuditEvent.seq.is_not(None)
                )
            )
        )
    return found


def _migration_note(session: Session) -> str | None:
    migrated = session.scalars(select(AuditChainMigration)).first()
    return migrated.describe() if migrated is not None else None


class _NoStore:
    """Only the anchor file is configured."""

    def put_anchor(self, tree_size: int, sth: dict[str, Any]) -> bool:
        return True

    def read_anchor(self, tree_size: int) -> dict[str, Any] | None:
        return None

    def anchored_sizes(self) -> list[int]:
        return []


def _take_lock(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: this transaction already holds the database write lock
    return bool(
        session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK}).scalar()
    )


def _store_leaves(session: Session, updates: list[dict[str, Any]]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "UPDATE audit_events AS e SET seq = v.seq, leaf_hash = v.leaf_hash"
                " FROM unnest(CAST(:pks AS bigint[]), CAST(:seqs AS bigint[]),"
                " CAST(:hashes AS text[])) AS v(pk, seq, leaf_hash) WHERE e.pk = v.pk"
            ),
            {
                "pks": [u["pk"] for u in updates],
                "seqs": [u["seq"] for u in updates],
                "hashes": [u["leaf_hash"] for u in updates],
            },
        )
        return
    session.execute(
        text("UPDATE audit_events SET seq = :seq, leaf_hash = :leaf_hash WHERE pk = :pk"), updates
    )


class SequencerThread:
    """Runs the sequencer every ``interval`` seconds in the background of a serving process."""

    def __init__(self, sequencer: Sequencer, interval: float) -> None:
        self.sequencer = sequencer
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="audit-sequencer", daemon=True)

    def start(self) -> SequencerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sequencer.run()
            except ServiceError as error:
                log.warning("audit sequencing postponed: %s", error)
            except Exception:
                log.exception("audit sequencer failed; retrying")


def install_inline_sequencing(factory: sessionmaker[Session], sequencer: Sequencer) -> None:
    """Sequence (and anchor) right after every commit of ``factory``'s sessions that queued
    events — ``STRONGROOM_AUDIT_SEQUENCE_DELAY_MS=0``: for tests and demos, where reading the
    trail right after a request must find its event sequenced."""
    from sqlalchemy import event

    from service.audit.recorder import QUEUED_KEY

    @event.listens_for(factory, "after_commit")
    def _sequence(session: Session) -> None:
        if session.info.pop(QUEUED_KEY, 0):
            sequencer.after_append()

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(QUEUED_KEY, None)
