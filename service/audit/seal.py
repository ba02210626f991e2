"""Seals on queued events: the service's proof that it wrote them.

A queued event is in no tree yet, so nothing signed covers it: someone who can write the
database could insert one, or edit one, and the sequencer would make it a leaf and sign it as
genuine. So every writer seals each event it queues — HMAC-SHA256 of the event's leaf hash under
a key only the service can derive (Transit's HMAC of a fixed label under the index key, which
never leaves OpenBao) — and the sequencer integrates only events whose seal holds; it refuses
the others (they stay, marked, and are never leaves) and verify reports them.

The seal key is derived once per process and index-key version, and the latest version is
looked up again every minute, so a rotation of the index key reaches the seals too. The label
is domain-separated from the blind index's (``strongroom/blind-index/v1 0x00 …``), so no blind
index stored in the database is ever a seal key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from service.audit.leaves import mapping_leaf, readable_leaves
from service.core.db import AUDIT_SEALER
from service.core.errors import KeyServiceUnavailable, ServiceError

log = logging.getLogger(__name__)

SEAL_LABEL = b"strongroom/audit-seal/v1"
LATEST_TTL = 60.0
RETRY_AFTER = 5.0


class SealKeys(Protocol):
    def keyed_digests(
        self, values: Sequence[bytes], key_version: int | None = None
    ) -> tuple[list[str], int]: ...


class EventSealer:
    """Seals queued events and checks their seals; one per process and key service."""

    def __init__(self, keys: SealKeys, clock: Callable[[], float] = time.monotonic) -> None:
        self._keys = keys
        self._clock = clock
        self._by_version: dict[int, bytes] = {}
        self._latest: int | None = None
        self._next_lookup = 0.0
        self._looking_up = False
        self._refused_versions: set[int] = set()
        self._lock = threading.Lock()

    def seal_row(self, row: Mapping[str, Any]) -> str:
        """The seal of a queued row (the columns of :func:`recorder.queued_row`)."""
        return self.seal(mapping_leaf(row))

    def seal(self, leaf: bytes) -> str:
        version = self._latest_version()
        with self._lock:
            key = self._by_version[version]
        return f"v{version}:{_mac(key, leaf)}"

    def holds(self, leaf: bytes, seal: str | None) -> bool:
        """Whether ``seal`` is the service's seal of ``leaf``. Raises KeyServiceUnavailable
        only when the key service cannot be asked (the caller tries again later)."""
        parsed = _parse(seal)
        if parsed is None:
            return False
        version, digest = parsed
        key = self._key(version)
        return key is not None and hmac.compare_digest(_mac(key, leaf), digest)

    def prime(self) -> None:
        """Derive the latest key now (at start-up), so that no request waits for it; a key
        service that cannot answer yet only postpones this to the first seal."""
        try:
            self._latest_version()
        except ServiceError as error:  # unreachable, or its keys not created yet (first start)
            log.warning("audit seal key not derived yet (%s): derived at first use", error.title)

    def catch_up(self, seals: Iterable[str | None]) -> None:
        """Before checking a batch of stored seals: when one claims a newer key version than
        this process knows, ask Transit for its latest once, now (another process may have
        sealed under an index key rotated since). Raises KeyServiceUnavailable if it cannot."""
        prefixes = {seal.partition(":")[0] for seal in seals if isinstance(seal, str)}
        claimed = max((_version(prefix) or 0 for prefix in prefixes), default=0)
        with self._lock:
            behind = self._latest is None or claimed > self._latest
        if behind:
            self._look_up_latest()

    def _latest_version(self) -> int:
        with self._lock:
            latest = self._latest
            due = self._clock() >= self._next_lookup
            if latest is not None:
                if due and not self._looking_up:
                    # Looked up again in the background: a seal on the event loop never waits.
                    self._looking_up = True
                    threading.Thread(target=self._look_up_latest, daemon=True).start()
                return latest
            if not due:
                # Never derived, and the key service was unreachable a moment ago: fail at once
                # rather than hold a request (or the event loop) for another timeout.
                raise KeyServiceUnavailable("The audit seal key could not be derived.")
        self._look_up_latest()
        if self._latest is None:
            raise KeyServiceUnavailable("The audit seal key could not be derived.")
        return self._latest

    def _look_up_latest(self) -> None:
        try:
            version = self._derive(None)
            with self._lock:
                self._latest = max(self._latest or 0, version)
                self._next_lookup = self._clock() + LATEST_TTL
        except ServiceError as error:
            retry_soon = isinstance(error, KeyServiceUnavailable) or self._latest is not None
            if retry_soon:
                with self._lock:
                    self._next_lookup = self._clock() + RETRY_AFTER
            if self._latest is None:
                raise
            log.warning("audit seal key: %s; kept v%d", error.title, self._latest)
        finally:
            with self._lock:
                self._looking_up = False

    def _key(self, version: int) -> bytes | None:
        with self._lock:
            if version in self._by_version:
                return self._by_version[version]
            if version in self._refused_versions:
                return None
        if version > self._latest_version():
            return None  # newer than Transit's latest (see catch_up): not the service's seal
        try:
            self._derive(version)
        except KeyServiceUnavailable:
            raise
        except ServiceError:  # the key service refused that version (trimmed)
            with self._lock:
                self._refused_versions.add(version)
            return None
        return self._by_version.get(version)

    def _derive(self, version: int | None) -> int:
        (digest,), derived = self._keys.keyed_digests([SEAL_LABEL], version)
        with self._lock:
            self._by_version[derived] = bytes.fromhex(digest)
        return derived


NOT_SEALED = "not sealed by the service"
SEAL_BROKEN = "its seal does not match the event (edited, or sealed by someone else)"
UNREADABLE = "a column holds what no event can (written by someone else)"


def judge_queued(
    sealer: EventSealer, rows: Sequence[Any], migrated_through: int
) -> list[tuple[bytes | None, str | None]]:
    """For each queued row (``QUEUED_COLUMNS`` then ``seal``): its leaf hash, and why it is not
    the service's event (None when it is: sealed by the service, or one the hash chain's
    migration kept, written before seals existed). The one judgement the sequencer and verify
    share. Raises KeyServiceUnavailable when the key service cannot be asked."""
    sealer.catch_up(row.seal for row in rows)
    judged: list[tuple[bytes | None, str | None]] = []
    for row, leaf in zip(rows, readable_leaves(rows), strict=True):
        if leaf is None:
            judged.append((None, UNREADABLE))
        elif row.seal is None:
            legacy = 0 < row.pk <= migrated_through  # pk 0 or below was never given out
            judged.append((leaf, None if legacy else NOT_SEALED))
        else:
            judged.append((leaf, None if sealer.holds(leaf, row.seal) else SEAL_BROKEN))
    return judged


def migrated_through(connection: Connection, *, has_tree_head: bool) -> int:
    """The last pk of the events kept from the hash chain by its migration, while the tree has
    no head yet (its first batch takes them all); 0 afterwards, and on a trail born a tree."""
    if has_tree_head:
        return 0
    up_to = connection.exec_driver_sql("SELECT max(up_to_seq) FROM audit_chain_migration").scalar()
    return int(up_to or 0)


def sealer_of(session: Session) -> EventSealer:
    """The sealer a session's factory was made with (:func:`core.db.make_session_factory`)."""
    sealer = session.info.get(AUDIT_SEALER)
    if sealer is None:
        raise RuntimeError(
            "this session cannot write audit events: its factory has no sealer "
            "(make_session_factory(engine, sealer=EventSealer(key_service)))"
        )
    return sealer  # type: ignore[no-any-return]


def factory_sealer(factory: sessionmaker[Session]) -> EventSealer:
    """The sealer of a session factory's sessions (raises like :func:`sealer_of`)."""
    with factory() as session:
        return sealer_of(session)


def _mac(key: bytes, leaf: bytes) -> str:
    return hmac.digest(key, leaf, hashlib.sha256).hex()


def _parse(seal: object) -> tuple[int, str] | None:
    """``v<version>:<64 lower-case hex digits>`` → (version, digest); None for anything else
    (a blob, other characters, a version of more than nine digits)."""
    if not isinstance(seal, str) or len(seal) > _LONGEST:  # SQLite stores blobs anywhere
        return None
    prefix, colon, digest = seal.partition(":")
    version = _version(prefix)
    if not colon or version is None or len(digest) != 64 or not _HEX.issuperset(digest):
        return None
    return version, digest


def _version(prefix: str) -> int | None:
    number = prefix[1:]
    if prefix[:1] != "v" or not 0 < len(number) <= 9 or not _DIGITS.issuperset(number):
        return None
    return int(number) if number[0] != "0" else None


_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdef")
_LONGEST = len("v123456789:") + 64
