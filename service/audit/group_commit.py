"""Group commit for events no effect depends on: many requests' events in one INSERT.

A request that changed nothing (a read, a refused or failed request) has no effect its event
must commit with, so its event need not cost a transaction of its own. The requests of one
process that finish at the same moment hand their events to :class:`GroupAppender`; one of them
(the *leader*) writes everything waiting with a single autocommit ``INSERT … SELECT unnest(…)``
— one round trip and one commit for the group — and every caller returns only once its own
event is durable. Nothing is shared across processes and nobody waits for a lock: a caller
that finds no write in flight leads at once, so a lone request pays one round trip (it paid
two: INSERT, then COMMIT), and under load the group grows with the queue.

If the group's INSERT fails, each event is retried alone, so one refused row (a constraint, a
trigger) fails only its own request; the caller sees the error and answers 5xx, as a request
whose event cannot be written always did. If the connection drops instead, the server may have
committed the group before its answer was lost: the group is written once more on a fresh
connection, keeping the rows already stored (event ids are unique), so each event is stored
exactly once and its request does not fail for an answer it lost.

A caller on the event loop (a read, whose session needs no I/O to end) waits without a thread
of its own: :meth:`GroupAppender.append_async`. Having no thread to lead with, it is never
handed the lead: the appender's own writer thread writes its group, started by whoever finds
such a caller first in line (or by the caller itself when no group is in flight). Nobody's
request waits for other requests' groups.

PostgreSQL only: on SQLite every write already serialises on the database lock and the event
joins the request's transaction as before.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

# Column name → PostgreSQL array type of the unnest below; the order is the INSERT's.
_COLUMNS = {
    "id": "text[]",
    "at": "text[]",
    "actor": "text[]",
    "role": "text[]",
    "action": "text[]",
    "targets": "text[]",
    "purpose": "text[]",
    "fields": "text[]",
    "outcome": "text[]",
    "status": "integer[]",
    "request_id": "text[]",
    "source_ip": "text[]",
    "seal": "text[]",
}
_INSERT_GROUP_SQL = (
    f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) SELECT * FROM unnest("  # noqa: S608
    + ", ".join(f"CAST(:{name} AS {kind})" for name, kind in _COLUMNS.items())
    + ")"
)
_INSERT_GROUP = text(_INSERT_GROUP_SQL)
_INSERT_GROUP_KEEPING_STORED = text(_INSERT_GROUP_SQL + " ON CONFLICT (id) DO NOTHING")
# A group of one (a quiet moment) binds plain values: building and sending thirteen one-element
# arrays cost a sequential read a tenth of its CPU.
_INSERT_ONE_SQL = (
    f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) VALUES ("  # noqa: S608
    + ", ".join(f":{name}" for name in _COLUMNS)
    + ")"
)
_INSERT_ONE = text(_INSERT_ONE_SQL)
_INSERT_ONE_KEEPING_STORED = text(_INSERT_ONE_SQL + " ON CONFLICT (id) DO NOTHING")

MAX_GROUP = 500


@dataclass(eq=False)
class _Waiter:
    row: dict[str, Any]
    woken: threading.Event = field(default_factory=threading.Event)
    # Set for a caller on the event loop: how to wake it from the writing thread.
    wake_on_loop: Callable[[], None] | None = None
    finished: bool = False
    written: bool = False
    error: BaseException | None = None

    def wake(self) -> None:
        if self.wake_on_loop is None:
            self.woken.set()
            return
        try:
            self.wake_on_loop()
        except RuntimeError:  # its loop has closed (shutdown): nobody is left to wake
            log.warning("an audit event's caller left before its group was written")


class GroupAppender:
    """Writes queued event rows (:func:`service.audit.recorder.queued_row`) many at a time."""

    def __init__(
        self,
        engine: Engine,
        *,
        after_write: Callable[[int], None] | None = None,
        max_group: int = MAX_GROUP,
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("group commit needs PostgreSQL")
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._after_write = after_write
        self._max_group = max_group
        self._lock = threading.Lock()
        self._waiting: list[_Waiter] = []
        self._leading = False
        self._writer: ThreadPoolExecutor | None = None
        self.groups_written = 0  # how many INSERTs carried events (for tests and benchmarks)

    @property
    def queue_length(self) -> int:
        """Events waiting for the group in flight to finish."""
        with self._lock:
            return len(self._waiting)

    def append(self, row: dict[str, Any]) -> None:
        """Return once ``row`` is durable; raise what the database raised if it is not."""
        waiter = _Waiter(row)
        if not self._queue(waiter):
            waiter.woken.wait()
        if not waiter.finished:  # leading: first in line, so this group carries our row
            self._lead()
        _raise_unless_written(waiter)

    async def append_async(self, row: dict[str, Any]) -> None:
        """``append`` for a caller on the event loop, which waits without taking a thread.

        Should the waiting task be cancelled, its row is written all the same: the writer
        thread writes its group whether anyone still waits for it."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        waiter = _Waiter(row, wake_on_loop=lambda: loop.call_soon_threadsafe(_settle, done))
        if self._queue(waiter):
            self._lead_in_writer()
        await done
        _raise_unless_written(waiter)

    def _lead_in_writer(self) -> None:
        """Write the next group in the appender's own thread (made on first use: a worker
        process builds its appender after it started)."""
        with self._lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="audit-group")
            writer = self._writer
        writer.submit(self._lead)

    def _queue(self, waiter: _Waiter) -> bool:
        """Line up; True when no group is in flight, so this caller must lead one."""
        with self._lock:
            self._waiting.append(waiter)
            lead = not self._leading
            self._leading = True
        return lead

    def _lead(self) -> None:
        """Write the group at the head of the line; then hand the lead to the next caller in
        line, or to the writer thread when that caller waits on an event loop."""
        with self._lock:
            group = self._waiting[: self._max_group]
            del self._waiting[: len(group)]
        unwinding = True  # _write reports errors to callers; only BaseException escapes
        try:
            self._write(group)
            unwinding = False
        finally:  # whatever happened, nobody is left waiting for a leader that is gone
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                on_loop = successor is not None and successor.wake_on_loop is not None
                # Unwinding, a caller on the loop is left for the next caller to arrive.
                self._leading = successor is not None and not (unwinding and on_loop)
            for waiter in group:
                waiter.finished = True
                waiter.wake()
            if successor is not None and not on_loop:
                successor.wake()  # it leads the next group, which starts with its row
            elif on_loop and not unwinding:
                self._lead_in_writer()

    def _write(self, group: Sequence[_Waiter]) -> None:
        try:
            self._insert_group_once_more_if_its_answer_was_lost([waiter.row for waiter in group])
            for waiter in group:
                waiter.written = True
        except Exception as error:  # noqa: BLE001 - reported to the callers, one by one
            if len(group) == 1 or not _one_row_may_be_at_fault(error):
                for waiter in group:  # the database or the pool failed: alone would as well
                    waiter.error = error
                return
            log.warning("a group of %d audit events failed; writing each alone", len(group))
            for waiter in group:
                try:
                    self._insert([waiter.row])
                    waiter.written = True
                except Exception as single_error:  # noqa: BLE001 - this caller's own failure
                    waiter.error = single_error
        written = sum(waiter.written for waiter in group)
        if written and self._after_write is not None:
            try:
                self._after_write(written)
            except Exception:  # the events are durable; sequencing comes later
                log.warning("after-write hook of the audit group failed", exc_info=True)

    def _insert_group_once_more_if_its_answer_was_lost(
        self, rows: Sequence[dict[str, Any]]
    ) -> None:
        try:
            self._insert(rows)
        except DBAPIError as error:
            if not _answer_may_be_lost(error):
                raise
            log.warning("the connection dropped while writing %d audit events; again", len(rows))
            self._insert(rows, keeping_stored=True)  # an unreachable server raises again here

    def _insert(self, rows: Sequence[dict[str, Any]], *, keeping_stored: bool = False) -> None:
        if len(rows) == 1:
            statement = _INSERT_ONE_KEEPING_STORED if keeping_stored else _INSERT_ONE
            values = {name: rows[0][name] for name in _COLUMNS}
        else:
            statement = _INSERT_GROUP_KEEPING_STORED if keeping_stored else _INSERT_GROUP
            values = {name: [row[name] for row in rows] for name in _COLUMNS}
        with self._engine.connect() as connection:
            connection.execute(statement, values)
        self.groups_written += 1


def _settle(done: asyncio.Future[None]) -> None:
    if not done.done():  # a cancelled caller's future is done already
        done.set_result(None)


def _raise_unless_written(waiter: _Waiter) -> None:
    if not waiter.written:
        raise waiter.error or RuntimeError("the audit event was not written")


def _answer_may_be_lost(error: DBAPIError) -> bool:
    """Whether the connection failed under the statement, so the server may have committed it
    (an autocommit INSERT commits before its answer is sent)."""
    return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)


def _one_row_may_be_at_fault(error: Exception) -> bool:
    """Whether retrying each row alone can save the others: a constraint, a value or a
    trigger refusing one row — not an unreachable server, a dropped connection or a pool
    timeout (retried row by row they would hold every caller for as many timeouts)."""
    if not isinstance(error, DBAPIError) or error.connection_invalidated:
        return False
    return not isinstance(error, OperationalError | InterfaceError)
