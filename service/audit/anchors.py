"""Keeping tree heads outside the database: OpenBao KV v2 (write-once paths) and, optionally, an
append-only file.

A tree head is anchored after the transaction that stored it commits. A failure here never fails
a request or the sequencer: the head stays marked unanchored and the next run retries it;
``verify`` reports the gap meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from service.audit.models import AuditTreeHead
from service.audit.tree_heads import sth_view
from service.core.errors import ServiceError

log = logging.getLogger(__name__)


class AnchorStore(Protocol):
    def put_anchor(self, tree_size: int, sth: dict[str, Any]) -> bool: ...

    def read_anchor(self, tree_size: int) -> dict[str, Any] | None: ...

    def anchored_sizes(self) -> list[int]: ...


class AnchorConflict(ServiceError):
    """The anchor store holds a different tree head for this size: the trail was forked."""


def append_to_file(path: Path, sth: dict[str, Any]) -> None:
    line = json.dumps(sth, sort_keys=True, separators=(",", ":")) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


def read_file_anchors(path: Path) -> dict[int, dict[str, Any]]:
    anchors: dict[int, dict[str, Any]] = {}
    if not path.exists():
        return anchors
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                sth = json.loads(line)
                anchors[int(sth["tree_size"])] = sth
    return anchors


def anchor_pending(
    factory: sessionmaker[Session],
    store: AnchorStore,
    anchor_file: Path | None = None,
    limit: int = 500,
) -> int:
    """Anchor the stored tree heads not anchored yet, oldest first. Returns how many."""
    with factory() as session:
        pending = [
            sth_view(head)
            for head in session.scalars(
                select(AuditTreeHead)
                .where(AuditTreeHead.anchored.is_(False))
                .order_by(AuditTreeHead.tree_size)
                .limit(limit)
            )
        ]
    done: list[int] = []
    try:
        for sth in pending:
            _anchor_one(store, sth)
            if anchor_file is not None:
                append_to_file(anchor_file, sth)
            done.append(sth["tree_size"])
    except AnchorConflict:
        raise
    except (ServiceError, OSError) as error:
        log.warning("audit anchoring postponed: %s", error)
    finally:
        if done:
            with factory.begin() as session:
                session.execute(
                    update(AuditTreeHead)
                    .where(AuditTreeHead.tree_size.in_(done))
                    .values(anchored=True)
                )
    return len(done)


def _anchor_one(store: AnchorStore, sth: dict[str, Any]) -> None:
    if store.put_anchor(sth["tree_size"], sth):
        return
    existing = store.read_anchor(sth["tree_size"])
    if existing == sth:
        return  # anchored by an earlier run that crashed before marking it
    if existing is None:
        raise ServiceError(f"the anchor store refused tree head {sth['tree_size']}")
    log.error("audit anchor conflict at tree size %s", sth["tree_size"])
    raise AnchorConflict(f"a different tree head is anchored at size {sth['tree_size']}")
