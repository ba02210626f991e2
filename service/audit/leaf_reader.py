"""Reading stored events as leaf hashes, checked against what the database stores.

Verify reads a large PostgreSQL trail in two processes, one per half of the ``seq`` range,
both in the same snapshot (``pg_export_snapshot`` / ``SET TRANSACTION SNAPSHOT``): reading
rows and hashing them is Python work that one process does on one core. The second process is
``python -m service.audit.leaf_reader`` (:func:`main`), which imports only this module,
:mod:`service.audit.leaves` and psycopg, and writes the leaf hashes to its standard output;
a subprocess rather than ``multiprocessing``, which would re-import the caller's main module.

A range is *intact* when every ``seq`` in it is there once, in order, and each stored leaf
hash is the one computed; anything else returns None and verify reads the whole trail again
the careful way, which names what is wrong.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.audit.leaves import QUEUED_COLUMNS, columns_leaves

SEQ, LEAF_HASH = 13, 14
SEQUENCED = (
    f"SELECT {QUEUED_COLUMNS}, seq, leaf_hash FROM audit_events"  # noqa: S608
    " WHERE seq IS NOT NULL ORDER BY seq"
)
_RANGE = (
    f"SELECT {QUEUED_COLUMNS}, seq, leaf_hash FROM audit_events"  # noqa: S608
    " WHERE seq > %s AND seq <= %s ORDER BY seq"
)
log = logging.getLogger(__name__)
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(?:-[0-9]+)?")
_DSN_VARIABLE = "STRONGROOM_LEAF_READER_DSN"  # not on the command line, where `ps` shows it
NOT_INTACT = 3


def intact(rows: Sequence[Sequence[Any]], leaves: list[bytes], first: int) -> bool:
    """Whether the rows are leaves ``first``, ``first + 1``, … in order and each stored leaf
    hash is the one computed (compared all at once: with a separator every 64 characters on
    one side, the joined strings are equal only if every stored hash is)."""
    if [row[SEQ] for row in rows] != list(range(first, first + len(rows))):
        return False
    try:
        stored = ",".join([row[LEAF_HASH] for row in rows])
    except TypeError:  # a null leaf hash
        return False
    return stored == b"".join(leaves).hex(",", 32)


def range_leaves(cursor: Any, after: int, last: int, batch_size: int) -> bytes | None:
    """The leaf hashes of events ``after + 1`` … ``last``, joined, if the range is intact."""
    cursor.execute(_RANGE, (after, last))
    expected = after + 1
    parts = []
    while rows := cursor.fetchmany(batch_size):
        try:
            leaves = columns_leaves(rows)
        except Exception:  # noqa: BLE001 - a planted value: the careful pass names the event
            return None
        if not intact(rows, leaves, expected):
            return None
        parts.append(b"".join(leaves))
        expected += len(rows)
    return b"".join(parts) if expected == last + 1 else None


def start_reader(
    dsn: str, snapshot_id: str, after: int, last: int, batch_size: int
) -> subprocess.Popen[bytes]:
    """Start reading events ``after + 1`` … ``last`` in the exported snapshot ``snapshot_id``
    (valid while the exporting transaction is open); see :func:`reader_leaves`."""
    if not _SNAPSHOT_ID.fullmatch(snapshot_id):
        raise ValueError(f"not a PostgreSQL snapshot id: {snapshot_id!r}")
    # -P: the working directory is not put on sys.path (a `psycopg.py` there would run here).
    command = [
        sys.executable, "-P", "-m", __name__, snapshot_id, str(after), str(last), str(batch_size)
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, checked arguments
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, _DSN_VARIABLE: dsn},
    )


def reader_leaves(reader: subprocess.Popen[bytes], timeout: float) -> Reading | None:
    """What the reader read, or None when its range is not intact or it failed or hung (the
    caller then reads everything itself, row by row)."""
    try:
        out, err = reader.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        reader.kill()
        reader.communicate()
        log.warning("the audit leaf reader took too long; verifying in one process")
        return None
    if reader.returncode != 0:
        if reader.returncode != NOT_INTACT:
            log.warning(
                "the audit leaf reader failed; verifying in one process",
                extra={"detail": err.decode(errors="replace")[-300:]},
            )
        return None
    seen, _, leaves = out.partition(b"\n")
    snapshot, _, table = seen.decode().partition(" ")
    return Reading(snapshot, table, leaves)


@dataclass(frozen=True)
class Reading:
    """The reader's leaves, with the snapshot it read in and the table it read (its OID):
    verify holds both to its own, so a reader sent to another snapshot or another table by a
    changed function or ``search_path`` is not believed."""

    snapshot: str
    table: str
    leaves: bytes


# Both readers name what they read exactly, whatever the session's search_path.
SNAPSHOT_AND_TABLE = (
    "SELECT pg_catalog.pg_current_snapshot()::text,"
    " pg_catalog.to_regclass('audit_events')::oid::text"
)


def main(argv: Sequence[str]) -> int:
    import psycopg

    snapshot_id, after, last, batch_size = argv
    if not _SNAPSHOT_ID.fullmatch(snapshot_id):
        raise ValueError(f"not a PostgreSQL snapshot id: {snapshot_id!r}")
    with psycopg.connect(os.environ[_DSN_VARIABLE]) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
        snapshot, table = conn.execute(SNAPSHOT_AND_TABLE).fetchone() or ("", "")
        with conn.cursor(name="strongroom_audit_verify_half") as cursor:
            leaves = range_leaves(cursor, int(after), int(last), int(batch_size))
    if leaves is None:
        return NOT_INTACT
    sys.stdout.buffer.write(f"{snapshot} {table}\n".encode() + leaves)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
