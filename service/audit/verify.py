"""Verifying the whole trail: every leaf, every tree head, and the anchors outside the database.

Reads in one read-only snapshot (PostgreSQL: REPEATABLE READ READ ONLY; SQLite: a WAL read
transaction), so it never blocks writers. What it catches, with only database write access on
the attacker's side: a changed, inserted, deleted or reordered event (leaf or root mismatch at
the next tree head), a forged or altered tree head (signature), a removed or replaced head (the
``previous`` link), a cut or rewritten tail and a reset to an empty trail (the anchored heads).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, select

from service.audit.anchors import AnchorStore, read_file_anchors
from service.audit.checker import sth_digest, sth_signature_valid
from service.audit.compact_range import CompactRange
from service.audit.leaf_reader import (
    LEAF_HASH,
    SEQ,
    SEQUENCED,
    SNAPSHOT_AND_TABLE,
    intact,
    range_leaves,
    reader_leaves,
    start_reader,
)
from service.audit.leaves import readable_leaves
from service.audit.models import AuditTreeHead
from service.audit.ports import TrailKeys
from service.audit.queued_rows import read_queued
from service.audit.read_ahead import read_ahead
from service.audit.seal import EventSealer, judge_queued, migrated_through
from service.audit.tree_heads import sth_view
from service.core.errors import ServiceError

RECENT_ANCHORS = 50
# From this many events on (PostgreSQL), a second process reads and hashes half of the trail:
# below it, starting the process costs more than it saves.
TWO_PROCESSES_FROM = 200_000
# The second reader is given this long once this process has read its half; past it, verify
# reads the rest itself.
READER_TIMEOUT = 600.0
ANCHOR_READERS = 8


@dataclass
class VerifyResult:
    ok: bool = True
    checked: int = 0
    tree_size: int = 0
    root_hash: str | None = None
    queued: int = 0
    sths_count: int = 0
    sths_verified: int = 0
    anchors: dict[str, Any] = field(default_factory=dict)
    first_bad_seq: int | None = None
    reason: str | None = None

    def fail(self, reason: str, seq: int | None = None) -> None:
        if self.ok:
            self.ok, self.reason = False, reason
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "queued": self.queued,
            "sths": {"count": self.sths_count, "verified": self.sths_verified},
            "anchors": self.anchors,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        }


def public_keys(raw: Mapping[int, bytes]) -> dict[int, Ed25519PublicKey]:
    return {version: Ed25519PublicKey.from_public_bytes(key) for version, key in raw.items()}


def verify_trail(
    conn: Connection,
    keys: Mapping[int, Ed25519PublicKey],
    *,
    anchors: AnchorStore | None = None,
    anchor_file: Path | None = None,
    sealer: EventSealer,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 20_000,
) -> VerifyResult:
    """Verify the trail ``conn`` reads. ``conn`` must not have read in its transaction yet:
    its snapshot has to begin after the anchors are read (see :func:`_read_anchors`).
    ``sealer`` checks the seals of the events still queued."""
    result = VerifyResult()
    seen = _read_anchors(anchors, anchor_file, result)
    heads = [sth_view(h) for h in _all_heads(conn)]
    result.sths_count = len(heads)
    _check_heads(heads, keys, result)
    _check_leaves(conn, heads, result, progress, batch_size)
    _check_queued(conn, sealer, bool(heads), result)
    if anchors is not None or anchor_file is not None:
        result.anchors = _hold_against_anchors(heads, seen, result)
    else:
        result.anchors = seen.summary(missing=0)
    return result


def _check_queued(
    conn: Connection, sealer: EventSealer, has_heads: bool, result: VerifyResult
) -> None:
    """Queued events are in no tree yet: each must carry the service's seal (or, before the
    first tree head, be one the hash chain's migration kept), and none may have been refused."""
    migrated = migrated_through(conn, has_tree_head=has_heads)
    unsealed: list[int] = []
    marked: list[int] = []
    for rows in _queued_rows(conn):
        result.queued += len(rows)
        for row, (_, reason) in zip(rows, judge_queued(sealer, rows, migrated), strict=True):
            if reason is not None:
                unsealed.append(row.pk)
            elif row.refused is not None:
                marked.append(row.pk)
    if unsealed or marked:
        result.fail(
            f"{len(unsealed) + len(marked)} queued event(s) are not in the tree and never will"
            f" be (first pk {min(unsealed + marked)}): {len(unsealed)} not written by the"
            f" service (no seal of its, or a row no event can be), {len(marked)} sealed by it"
            " but marked refused in the database"
        )


def _queued_rows(conn: Connection, batch_size: int = 20_000) -> Iterator[Sequence[Any]]:
    after: int | None = None  # the first page from the lowest pk: someone may have written 0
    while True:
        if after is None:
            rows = read_queued(conn, "1 = 1", {}, batch_size)
        else:
            rows = read_queued(conn, "pk > :after", {"after": after}, batch_size)
        if not rows:
            return
        yield list(rows)
        after = rows[-1].pk


def _all_heads(conn: Connection) -> list[AuditTreeHead]:
    rows = conn.execute(select(AuditTreeHead).order_by(AuditTreeHead.tree_size)).all()
    return [AuditTreeHead(**{k: getattr(r, k) for k in r._fields}) for r in rows]


def _check_heads(
    heads: list[dict[str, Any]], keys: Mapping[int, Ed25519PublicKey], result: VerifyResult
) -> None:
    previous: dict[str, Any] | None = None
    for sth in heads:
        genuine = sth_signature_valid(sth, keys)
        linked = sth["previous"] == (sth_digest(previous) if previous is not None else None)
        if genuine and linked:
            result.sths_verified += 1
        else:
            first = (previous["tree_size"] if previous else 0) + 1
            what = "signature is not valid" if not genuine else "does not link to the one before"
            result.fail(f"tree head of size {sth['tree_size']}: {what}", first)
        previous = sth


def _check_leaves(
    conn: Connection,
    heads: list[dict[str, Any]],
    result: VerifyResult,
    progress: Callable[[int], None] | None,
    batch_size: int,
) -> None:
    roots = {sth["tree_size"]: sth["root_hash"] for sth in heads}
    sizes = sorted(roots)
    if _all_intact_in_two_processes(conn, roots, sizes, result, batch_size):
        if progress is not None:
            progress(result.checked)
        _check_size(heads, result)
        return
    tree = CompactRange()
    expected = 1
    batch_start = 1
    bad_leaf_in_batch = False
    for rows in read_ahead(_sequenced_rows(conn, batch_size)):
        leaves = _leaves_reporting_unreadable(rows, result)
        if tree.size == expected - 1 and intact(rows, leaves, expected):
            # The common case, in bulk: every seq in place, every stored leaf hash right.
            expected += len(rows)
            for size, root in tree.extend(leaves, sizes).items():
                if root.hex() != roots[size] and not bad_leaf_in_batch:
                    result.fail(
                        f"the tree of size {size} does not match its signed root", batch_start
                    )
                batch_start, bad_leaf_in_batch = size + 1, False
        else:
            for row, leaf in zip(rows, leaves, strict=True):
                seq = row[SEQ]
                if seq != expected:
                    result.fail(f"leaf {expected} is missing", expected)
                    bad_leaf_in_batch = True
                    expected = seq
                if row[LEAF_HASH] != leaf.hex():
                    result.fail(f"event {seq} does not hash to its stored leaf hash", seq)
                    bad_leaf_in_batch = True
                tree.push(leaf)
                if expected in roots:
                    # A leaf found bad above pinpoints the change; otherwise (the leaf hash was
                    # rewritten too) the first event this head covers is where trust ends.
                    if tree.root().hex() != roots[expected] and not bad_leaf_in_batch:
                        result.fail(
                            f"the tree of size {expected} does not match its signed root",
                            batch_start,
                        )
                    batch_start, bad_leaf_in_batch = expected + 1, False
                expected += 1
        if progress is not None:
            progress(len(rows))
    result.checked = expected - 1
    result.tree_size = expected - 1
    result.root_hash = tree.root().hex() if tree.size else None
    _check_size(heads, result)


def _leaves_reporting_unreadable(rows: list[Any], result: VerifyResult) -> list[bytes]:
    """The rows' leaf hashes; a row no event could have stored (a column of the wrong type)
    is reported and given a leaf that matches nothing, rather than stopping verify."""
    leaves = readable_leaves(rows)
    for row, leaf in zip(rows, leaves, strict=True):
        if leaf is None:
            result.fail(f"event {row[SEQ]} holds a value no event can have", row[SEQ])
    return [leaf if leaf is not None else _UNREADABLE_LEAF for leaf in leaves]


_UNREADABLE_LEAF = b"\xff" * 32


def _check_size(heads: list[dict[str, Any]], result: VerifyResult) -> None:
    latest = heads[-1]["tree_size"] if heads else 0
    if result.tree_size < latest:
        result.fail(
            f"the tree has {result.tree_size} leaves, its last head says {latest}",
            result.tree_size + 1,
        )
    elif result.tree_size > latest:
        result.fail(f"leaves after {latest} are covered by no signed tree head", latest + 1)


def _all_intact_in_two_processes(
    conn: Connection,
    roots: Mapping[int, str],
    sizes: list[int],
    result: VerifyResult,
    batch_size: int,
) -> bool:
    """The common case of a large PostgreSQL trail, on both cores: this process reads the first
    half of the ``seq`` range, a second one the rest, in this transaction's snapshot. True when
    events 1 … N are all there once, every stored leaf hash is right and every head's root
    matches: the trail's leaves are verified. False on anything else, having recorded nothing:
    the caller then reads the trail again row by row and names what is wrong."""
    if conn.dialect.name != "postgresql":
        return False
    low, high, count = conn.exec_driver_sql(
        "SELECT pg_catalog.min(seq), pg_catalog.max(seq), pg_catalog.count(seq) FROM audit_events"
    ).one()
    if high is None or high < TWO_PROCESSES_FROM or low != 1 or count != high:
        return False
    snapshot_id = conn.exec_driver_sql("SELECT pg_catalog.pg_export_snapshot()").scalar_one()
    mine = tuple(conn.exec_driver_sql(SNAPSHOT_AND_TABLE).one())
    url = conn.engine.url.set(drivername="postgresql")
    if "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": "5"})
    split = high // 2
    reader = start_reader(
        url.render_as_string(hide_password=False), snapshot_id, split, high, batch_size
    )
    try:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        with dbapi.cursor(name="strongroom_audit_verify") as cursor:
            first_half = range_leaves(cursor, 0, split, batch_size)
    except BaseException:
        reader.kill()
        reader.wait()
        raise
    reading = reader_leaves(reader, timeout=READER_TIMEOUT)
    if first_half is None or reading is None or (reading.snapshot, reading.table) != mine:
        return False
    rest = reading.leaves
    joined = first_half + rest
    leaves = [joined[start : start + 32] for start in range(0, len(joined), 32)]
    tree = CompactRange()
    reached = tree.extend(leaves, sizes)
    if any(root.hex() != roots[size] for size, root in reached.items()):
        return False
    result.checked = result.tree_size = high
    result.root_hash = tree.root().hex()
    return True


def _sequenced_rows(conn: Connection, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The sequenced events in ``seq`` order as plain driver tuples, ``batch_size`` at a time, in
    ``conn``'s transaction (so in its snapshot). PostgreSQL: a server-side cursor, so memory
    stays at one batch; no SQLAlchemy row objects, which cost as much as the hashing."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    named = conn.dialect.name == "postgresql"
    cursor = dbapi.cursor(name="strongroom_audit_verify") if named else dbapi.cursor()
    try:
        cursor.execute(SEQUENCED)
        while rows := cursor.fetchmany(batch_size):
            yield rows
    finally:
        cursor.close()


@dataclass
class _AnchorsSeen:
    """The anchored tree heads as read before the database snapshot."""

    sizes: list[int] = field(default_factory=list)
    heads: dict[int, dict[str, Any] | None] = field(default_factory=dict)  # None: unreadable
    consistent: bool = True

    @property
    def latest(self) -> int:
        return max(self.sizes, default=0)

    def summary(self, missing: int) -> dict[str, Any]:
        return {
            "latest_tree_size": self.latest,
            "checked": len(self.heads),
            "missing": missing,
            "consistent": self.consistent,
        }


def _read_anchors(
    store: AnchorStore | None, anchor_file: Path | None, result: VerifyResult
) -> _AnchorsSeen:
    """Read the recent anchors BEFORE the database: a head is anchored only after it commits,
    so every head anchored by now is in a snapshot that begins later. Read the other way
    round, a head sequenced and anchored while verify runs would look like a head the
    database lost."""
    seen = _AnchorsSeen()
    if store is not None:
        try:
            seen.sizes = store.anchored_sizes()
            recent = seen.sizes[-RECENT_ANCHORS:]
            # One request per anchor, eight at a time: on the busy 2-core machine 50 reads took
            # 0.65-0.69 s one after the other, 0.24-0.28 s this way.
            with ThreadPoolExecutor(max_workers=ANCHOR_READERS) as pool:
                seen.heads.update(zip(recent, pool.map(store.read_anchor, recent), strict=True))
        except ServiceError as error:
            result.fail(f"the anchor store could not be read: {error}")
            seen.consistent = False
    if anchor_file is not None:
        for size, sth in read_file_anchors(anchor_file).items():
            seen.heads[size] = sth
            seen.sizes.append(size)
    return seen


def _hold_against_anchors(
    heads: list[dict[str, Any]], seen: _AnchorsSeen, result: VerifyResult
) -> dict[str, Any]:
    by_size = {sth["tree_size"]: sth for sth in heads}
    for size in sorted(seen.heads):
        sth = seen.heads[size]
        if sth is None or by_size.get(size) != _normalised(sth):
            seen.consistent = False
            result.fail(
                f"the database does not hold the anchored tree head of size {size}",
                min(size, result.tree_size + 1),
            )
    return seen.summary(missing=len(set(by_size) - set(seen.sizes)))


def _normalised(sth: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(sth)
    for key in ("tree_size", "timestamp", "key_version"):
        if key in values and values[key] is not None:
            values[key] = int(values[key])
    if isinstance(values.get("signature"), bytes):
        values["signature"] = base64.b64encode(values["signature"]).decode()
    return values


def verify_with(
    conn: Connection,
    key_service: TrailKeys,
    *,
    anchor_file: Path | None = None,
    progress: Callable[[int], None] | None = None,
    sealer: EventSealer | None = None,
) -> VerifyResult:
    """Verify against the key service's public keys, its anchor store and its seal key
    (``sealer``: the process's own, to spare deriving the seal key once more)."""
    return verify_trail(
        conn,
        public_keys(key_service.audit_public_keys()),
        anchors=key_service,
        anchor_file=anchor_file,
        sealer=sealer if sealer is not None else EventSealer(key_service),
        progress=progress,
    )
