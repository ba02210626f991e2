"""Group commit of the events of requests that changed nothing (PostgreSQL).

The database itself is made slow or made to refuse with triggers on ``audit_events`` — real
PostgreSQL failing at the exact row the test names, no fake."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from service.audit.chain import format_time
from service.audit.group_commit import GroupAppender
from service.audit.recorder import AuditRecord, new_event_id, queued_row
from service.audit.seal import EventSealer
from service.core.db import make_engine
from tests.fixtures.app import Api

TRIGGERS = """
CREATE OR REPLACE FUNCTION strongroom_test_audit_gate() RETURNS trigger AS $$
BEGIN
  IF NEW.request_id LIKE 'slow%%' THEN PERFORM pg_advisory_xact_lock_shared(7357); END IF;
  IF NEW.request_id LIKE 'later%%' THEN PERFORM pg_advisory_xact_lock_shared(7358); END IF;
  IF NEW.request_id LIKE 'refuse%%' OR NEW.action = current_setting('strongroom.refuse', true)
  THEN RAISE EXCEPTION 'audit event refused by the test';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS strongroom_test_audit_gate ON audit_events;
CREATE TRIGGER strongroom_test_audit_gate BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION strongroom_test_audit_gate();
"""


@pytest.fixture
def gated_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(TRIGGERS)
    yield engine
    # A test that failed while it held the gate returned that connection to the pool with its
    # session lock still held, and an INSERT may still wait on it: closing the pooled
    # connections releases it, so that dropping the trigger cannot wait forever.
    engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql("SET lock_timeout = '30s'")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS strongroom_test_audit_gate ON audit_events")
    engine.dispose()


@pytest.fixture(autouse=True)
def _sealed_rows(audit_sealer: EventSealer) -> None:
    _SEALER.append(audit_sealer)


_SEALER: list[EventSealer] = []


def _row(request_id: str) -> dict[str, Any]:
    record = AuditRecord("customers:customer:read", "svc", "service", targets=["cus_tok_x"])
    moment = format_time(datetime.now(UTC))
    return queued_row(new_event_id(), moment, record, 200, request_id, None, sealer=_SEALER[-1])


def _inserts(engine: Engine) -> tuple[list[int], Callable[[], None]]:
    """Counts the INSERT statements into audit_events the driver sends (rows per statement)."""
    sent: list[int] = []

    def count(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("INSERT INTO audit_events"):
            ids = parameters.get("id") if isinstance(parameters, dict) else None
            sent.append(len(ids) if isinstance(ids, list) else 1)

    event.listen(engine, "before_cursor_execute", count)
    return sent, lambda: event.remove(engine, "before_cursor_execute", count)


def _stored(engine: Engine, request_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM audit_events WHERE request_id = :r"), {"r": request_id}
            ).scalar_one()
        )


def _append_all(
    appender: GroupAppender, engine: Engine, request_ids: list[str]
) -> dict[str, str | int]:
    """Each id appended from a thread of its own. The first goes alone and first: it leads, and
    its INSERT waits in the database on a lock this test holds until every other caller has
    queued behind it. Each caller checks, from another connection, that its row is stored the
    moment append returns."""
    outcome: dict[str, str | int] = {}

    def one(request_id: str) -> None:
        try:
            appender.append(_row(request_id))
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcome[request_id] = type(error).__name__
            return
        outcome[request_id] = _stored(engine, request_id)

    threads = [threading.Thread(target=one, args=(rid,)) for rid in request_ids]
    with _gate(engine) as gate:
        gate.execute(text("SELECT pg_advisory_lock(7357)"))
        threads[0].start()
        _until(lambda: _lock_waiters(engine) == 1)
        for thread in threads[1:]:
            thread.start()
        _until(lambda: appender.queue_length == len(threads) - 1)
        gate.execute(text("SELECT pg_advisory_unlock(7357)"))
    for thread in threads:
        thread.join(timeout=60)
    return outcome


@contextlib.contextmanager
def _gate(engine: Engine) -> Iterator[Any]:
    """A connection to hold the test's locks on; whatever happens, they are let go when it is
    given back (a failed assertion must not leave an INSERT waiting on them for ever)."""
    with engine.connect() as gate:
        try:
            yield gate
        finally:
            gate.execute(text("SELECT pg_advisory_unlock_all()"))


def _lock_waiters(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar_one()
        )


def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the callers never lined up")


def test_events_arriving_together_share_one_insert_and_each_returns_durable(
    gated_engine: Engine,
) -> None:
    appender = GroupAppender(gated_engine)
    sent, stop = _inserts(gated_engine)
    ids = ["slow-lead", *(f"r{n}" for n in range(15))]
    try:
        outcome = _append_all(appender, gated_engine, ids)
    finally:
        stop()
    assert outcome == dict.fromkeys(ids, 1)  # each stored exactly once when append returned
    assert sent == [1, 15]  # the leader's row alone, then everyone who queued behind it


def test_a_refused_event_fails_only_its_own_caller(gated_engine: Engine) -> None:
    appender = GroupAppender(gated_engine)
    sent, stop = _inserts(gated_engine)
    ids = ["slow-lead", "a", "refuse-me", "b", "c"]
    try:
        outcome = _append_all(appender, gated_engine, ids)
    finally:
        stop()
    assert outcome == {"slow-lead": 1, "a": 1, "refuse-me": "ProgrammingError", "b": 1, "c": 1}
    assert sent[:2] == [1, 4] and sorted(sent[2:]) == [1, 1, 1, 1]  # the group, then alone
    assert _stored(gated_engine, "refuse-me") == 0


def test_an_unreachable_database_fails_the_caller() -> None:
    unreachable = make_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/test", connect_args={"connect_timeout": 2}
    )
    appender = GroupAppender(unreachable)
    with pytest.raises(Exception, match=r"connect|refused"):
        appender.append(_row("lost"))
    assert appender.groups_written == 0
    unreachable.dispose()


DROP_ONCE = """
CREATE SEQUENCE IF NOT EXISTS strongroom_test_drop_once;
CREATE OR REPLACE FUNCTION strongroom_test_drop_connection() RETURNS trigger AS $$
BEGIN
  -- a sequence is not rolled back with the transaction: only the first INSERT is cut off
  IF NEW.request_id LIKE 'drop%%' AND nextval('strongroom_test_drop_once') = 1 THEN
    PERFORM pg_terminate_backend(pg_backend_pid());
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS strongroom_test_drop_connection ON audit_events;
CREATE TRIGGER strongroom_test_drop_connection BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION strongroom_test_drop_connection();
"""


def test_a_group_whose_answer_was_lost_after_commit_is_stored_once_and_succeeds(
    pg_url: str,
) -> None:
    """The server commits the group's INSERT and the connection drops before the answer: a
    TCP proxy between psycopg and PostgreSQL loses exactly that answer. Retried naively the
    events would be stored twice; failed, their requests would answer 5xx and write an error
    event beside the stored one."""
    from sqlalchemy.engine import make_url

    from tests.processors.lossy_proxy import ResponseLosingProxy

    direct = make_engine(pg_url)
    url = make_url(pg_url)
    with ResponseLosingProxy(url.port or 5432, b"INSERT INTO audit_events", anywhere=True) as proxy:
        proxied = make_engine(
            url.set(port=proxy.port, query={**url.query, "sslmode": "disable"}).render_as_string(
                hide_password=False
            )
        )
        appender = GroupAppender(proxied)
        appender.append(_row("answer-lost"))  # returns: the event is durable
        proxied.dispose()
    assert proxy.responses_lost == 1  # the crash landed: the INSERT's answer never arrived
    assert _stored(direct, "answer-lost") == 1
    direct.dispose()


def test_a_group_cut_off_before_commit_is_written_on_a_fresh_connection(pg_url: str) -> None:
    """The backend serving the INSERT is terminated mid-statement (a trigger kills its own
    backend once): nothing committed, the connection is gone; the group is written once more."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(DROP_ONCE)
    try:
        sent, stop = _inserts(engine)
        appender = GroupAppender(engine)
        try:
            appender.append(_row("drop-me"))
        finally:
            stop()
        assert sent == [1, 1]  # cut off, then written again
        assert _stored(engine, "drop-me") == 1
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "DROP TRIGGER IF EXISTS strongroom_test_drop_connection ON audit_events;"
                "DROP SEQUENCE IF EXISTS strongroom_test_drop_once"
            )
        engine.dispose()


def _customer(api: Api) -> str:
    made = api.call(
        "POST", "/v1/customers", who="service", json={"name": "Group Reader", "email": "g@x.io"}
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _events(api: Api, action: str) -> list[Any]:
    with api.ctx.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT request_id, status, outcome FROM audit_events WHERE action = :a"),
                {"a": action},
            )
        )


def test_a_read_writes_its_event_through_the_group_and_a_write_in_its_transaction(
    make_api: Callable[..., Api], pg_url: str
) -> None:
    api = make_api(pg_url, settings_overrides={"audit_sequence_delay_ms": 1000})
    appender = api.ctx.audit_appender
    assert appender is not None
    customer = _customer(api)
    assert appender.groups_written == 0  # the create changed something: its own transaction
    read = api.call("GET", f"/v1/customers/{customer}", who="service")
    assert read.status_code == 200
    assert appender.groups_written == 1
    [(request_id, status, outcome)] = _events(api, "customers:customer:read")
    assert (request_id, status, outcome) == (read.headers["x-request-id"], 200, "allowed")
    denied = api.call("GET", f"/v1/customers/{customer}", who=None)
    assert denied.status_code == 401 and appender.groups_written == 2


def test_a_read_whose_event_cannot_be_written_answers_5xx_and_discloses_nothing(
    make_api: Callable[..., Api], gated_engine: Engine, pg_url: str
) -> None:
    api = make_api(pg_url, settings_overrides={"audit_sequence_delay_ms": 1000})
    customer = _customer(api)
    with gated_engine.begin() as conn:
        conn.exec_driver_sql(
            "ALTER DATABASE " + gated_engine.url.database + " SET strongroom.refuse"
            " = 'customers:customer:read'"
        )
    try:
        api.ctx.engine.dispose()  # new connections read the database's new setting
        read = api.call("GET", f"/v1/customers/{customer}", who="service")
    finally:
        with gated_engine.begin() as conn:
            conn.exec_driver_sql(
                "ALTER DATABASE " + gated_engine.url.database + " RESET strongroom.refuse"
            )
    assert read.status_code >= 500
    assert "Group Reader" not in read.text and "g@x.io" not in read.text
    assert customer not in read.text
    assert _events(api, "customers:customer:read") == []


def test_a_pool_timeout_fails_the_group_at_once_not_row_by_row(pg_url: str) -> None:
    """Review finding: a pool timeout is no one row's fault; retried row by row it held every
    caller of the worker for as many timeouts as there were rows."""
    engine = make_engine(pg_url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    appender = GroupAppender(engine)
    attempts: list[int] = []
    insert = appender._insert  # a spy: the real INSERT, counted

    def counted(rows: Any) -> None:
        attempts.append(len(rows))
        insert(rows)

    appender._insert = counted  # type: ignore[method-assign]
    outcome: dict[int, str] = {}

    def one(number: int) -> None:
        try:
            appender.append(_row(f"t{number}"))
            outcome[number] = "written"
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcome[number] = type(error).__name__

    with engine.connect() as held:  # the pool's only connection
        held.execute(text("SELECT 1"))
        threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
        threads[0].start()
        _until(lambda: len(attempts) == 1)
        for thread in threads[1:]:
            thread.start()
        _until(lambda: appender.queue_length == 5)
        for thread in threads:
            thread.join(timeout=60)
    assert outcome == dict.fromkeys(range(6), "TimeoutError")
    assert attempts == [1, 5]  # the leader alone, then the group once: no row-by-row retry
    engine.dispose()


def test_rows_copied_through_the_driver_count_as_a_write(pg_url: str) -> None:
    """Review finding: COPY goes past the cursor events; a transaction that only copied rows
    looked unchanged and its event would have left it."""
    from service.core.db import make_session_factory, wrote_anything
    from service.core.rows import COPY_FROM, insert_rows
    from service.events.models import Event

    engine = make_engine(pg_url)
    with make_session_factory(engine)() as session:
        session.execute(text("SELECT 1"))
        assert not wrote_anything(session)
        rows = [(f"evt_copy_{n}", "test.copied", datetime.now(UTC), "{}") for n in range(COPY_FROM)]
        insert_rows(session, Event.__table__, ["id", "type", "created_at", "data"], rows)
        assert wrote_anything(session)
        session.rollback()
    engine.dispose()


# -- callers on the event loop (reads end there: service/app/request_audit.py) ----------------


class _LoopCallers:
    """Appends from tasks on an event loop of its own thread; each outcome as in _append_all."""

    def __init__(self, appender: GroupAppender, engine: Engine) -> None:
        self.appender, self.engine = appender, engine
        self.outcome: dict[str, str | int] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever)
        self.thread.start()
        self.tasks: dict[str, asyncio.Future[None]] = {}

    async def _one(self, request_id: str) -> None:
        try:
            await self.appender.append_async(_row(request_id))
        except asyncio.CancelledError:
            self.outcome[request_id] = "cancelled"
            raise
        except Exception as error:  # noqa: BLE001 - the outcome under test
            self.outcome[request_id] = type(error).__name__
            return
        self.outcome[request_id] = _stored(self.engine, request_id)  # blocks the loop: fine here

    def start(self, request_id: str) -> None:
        self.tasks[request_id] = asyncio.run_coroutine_threadsafe(self._one(request_id), self.loop)

    def cancel(self, request_id: str) -> None:
        self.loop.call_soon_threadsafe(self.tasks[request_id].cancel)

    def close(self) -> None:
        for task in self.tasks.values():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                task.result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _slow_leader(appender: GroupAppender, engine: Engine, gate: Any) -> threading.Thread:
    """A thread whose event leads and waits in the database on the gate this test holds."""
    gate.execute(text("SELECT pg_advisory_lock(7357)"))
    leader = threading.Thread(target=appender.append, args=(_row("slow-lead"),))
    leader.start()
    _until(lambda: _lock_waiters(engine) == 1)
    return leader


def test_callers_on_the_loop_wait_without_threads_and_their_group_is_written_by_the_writer(
    gated_engine: Engine,
) -> None:
    """Twenty reads on the loop and two on threads queue behind a leader held in the database.
    The loop's callers take no thread while they wait; the first in line after the leader is
    on the loop, so it cannot lead: the appender's writer thread writes the next group, and the
    leader's own caller returns without waiting for it."""
    appender = GroupAppender(gated_engine)
    sent, stop = _inserts(gated_engine)
    loop_ids = [f"loop-{n}" for n in range(20)]
    callers = _LoopCallers(appender, gated_engine)
    thread_outcome: dict[str, int] = {}
    try:
        with _gate(gated_engine) as gate:
            leader = _slow_leader(appender, gated_engine, gate)
            threads_before = threading.active_count()
            for request_id in loop_ids:
                callers.start(request_id)
            _until(lambda: appender.queue_length == len(loop_ids))
            # Waiting costs no thread: twenty callers would add twenty (another part of the
            # process may start or end one of its own meanwhile).
            assert threading.active_count() <= threads_before + 2
            waiting_threads = [
                threading.Thread(
                    target=lambda rid=rid: (
                        appender.append(_row(rid)),
                        thread_outcome.__setitem__(rid, _stored(gated_engine, rid)),
                    )
                )
                for rid in ("thread-a", "thread-b")
            ]
            for thread in waiting_threads:
                thread.start()
            _until(lambda: appender.queue_length == len(loop_ids) + 2)
            gate.execute(text("SELECT pg_advisory_unlock(7357)"))
        leader.join(timeout=60)
        for thread in waiting_threads:
            thread.join(timeout=60)
    finally:
        callers.close()
        stop()
    assert callers.outcome == dict.fromkeys(loop_ids, 1)  # each durable when it returned
    assert thread_outcome == {"thread-a": 1, "thread-b": 1}
    assert sent == [1, 22]  # the leader's row, then everyone behind it in one INSERT


def test_a_caller_on_the_loop_with_no_group_in_flight_starts_one(pg_url: str) -> None:
    """Nobody writing: the loop's caller has the writer thread write its group, and hears of a
    database it cannot reach."""
    engine = make_engine(pg_url)
    try:
        appender = GroupAppender(engine)
        asyncio.run(appender.append_async(_row("loop-alone")))
        assert appender.groups_written == 1
        assert _stored(engine, "loop-alone") == 1
    finally:
        engine.dispose()
    unreachable = make_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/test", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(Exception, match=r"connect|refused"):
        asyncio.run(GroupAppender(unreachable).append_async(_row("lost-on-the-loop")))
    unreachable.dispose()


def test_a_cancelled_caller_on_the_loop_is_written_and_the_line_moves_on(
    gated_engine: Engine,
) -> None:
    appender = GroupAppender(gated_engine)
    callers = _LoopCallers(appender, gated_engine)
    try:
        with _gate(gated_engine) as gate:
            leader = _slow_leader(appender, gated_engine, gate)
            callers.start("cancelled-read")
            callers.start("refuse-me-on-the-loop")
            _until(lambda: appender.queue_length == 2)
            callers.cancel("cancelled-read")
            _until(lambda: callers.outcome.get("cancelled-read") == "cancelled")
            gate.execute(text("SELECT pg_advisory_unlock(7357)"))
        leader.join(timeout=60)
        _until(lambda: "refuse-me-on-the-loop" in callers.outcome)
        later = threading.Thread(target=appender.append, args=(_row("after-the-cancel"),))
        later.start()
        later.join(timeout=30)
        assert not later.is_alive()  # nobody was left holding the lead
    finally:
        callers.close()
    assert _stored(gated_engine, "cancelled-read") == 1  # its request left; its event did not
    assert callers.outcome["refuse-me-on-the-loop"] == "ProgrammingError"
    assert _stored(gated_engine, "after-the-cancel") == 1


def test_a_leader_returns_without_waiting_for_the_group_of_callers_on_the_loop(
    gated_engine: Engine,
) -> None:
    """The group behind the leader is held in the database on a second gate: the leader's
    caller returns all the same, and that group is written once the gate opens."""
    appender = GroupAppender(gated_engine)
    callers = _LoopCallers(appender, gated_engine)
    try:
        with _gate(gated_engine) as second_gate, _gate(gated_engine) as gate:
            second_gate.execute(text("SELECT pg_advisory_lock(7358)"))
            leader = _slow_leader(appender, gated_engine, gate)
            callers.start("later-read")
            _until(lambda: appender.queue_length == 1)
            gate.execute(text("SELECT pg_advisory_unlock(7357)"))
            leader.join(timeout=30)
            assert not leader.is_alive()  # returned while the next group is still held
            assert _stored(gated_engine, "slow-lead") == 1
            assert "later-read" not in callers.outcome
            _until(lambda: _lock_waiters(gated_engine) == 1)  # the writer, at the second gate
            second_gate.execute(text("SELECT pg_advisory_unlock(7358)"))
            _until(lambda: "later-read" in callers.outcome)
    finally:
        callers.close()
    assert callers.outcome == {"later-read": 1}
