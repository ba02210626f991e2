"""On SQLite a request that only reads takes no write lock: it reads a snapshot while another
connection holds the lock, and only its event waits for the lock (issue 15)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text

from service.core.db import WriteInReadOnlyTransaction, make_read_session_factory
from tests.fixtures.app import Api


def test_a_read_answers_from_a_snapshot_while_another_writer_holds_the_lock(
    make_api: Callable[..., Api], sqlite_url: str
) -> None:
    api = make_api(sqlite_url)
    made = api.call(
        "POST", "/v1/customers", who="service", json={"name": "Snap Reader", "email": "s@x.io"}
    )
    customer = made.json()["id"]
    api.call("GET", f"/v1/customers/{customer}", who="service")  # warm: principal cached
    read_customer = threading.Event()

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("SELECT") and "FROM customers" in statement:
            read_customer.set()

    event.listen(api.ctx.engine, "before_cursor_execute", seen)
    answer: dict[str, Any] = {}
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process's write transaction
        reader = threading.Thread(
            target=lambda: answer.update(
                response=api.call("GET", f"/v1/customers/{customer}", who="service")
            )
        )
        reader.start()
        # The read gets as far as the customer's row while the lock is held (it used to wait
        # at its own BEGIN IMMEDIATE for the whole 30 s busy timeout).
        assert read_customer.wait(timeout=20)
        assert "response" not in answer  # its event still waits for the lock
    finally:
        writer.execute("COMMIT")
        writer.close()
        event.remove(api.ctx.engine, "before_cursor_execute", seen)
    reader.join(timeout=30)
    assert answer["response"].status_code == 200
    with api.ctx.engine.connect() as conn:
        events = conn.execute(
            text("SELECT count(*) FROM audit_events WHERE request_id = :r"),
            {"r": answer["response"].headers["x-request-id"]},
        ).scalar_one()
    assert events == 1


@pytest.mark.parametrize("statement", ["UPDATE customers SET status = status", " delete from x"])
def test_a_read_only_session_refuses_to_write(sqlite_url: str, statement: str) -> None:
    """A write in a read session would hold no lock and could fail at random later; it fails at
    once, so a GET route that starts writing shows in every test that calls it."""
    from service.core.db import make_engine

    engine = make_engine(sqlite_url)
    with make_read_session_factory(engine)() as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(WriteInReadOnlyTransaction):
            session.execute(text(statement))
    engine.dispose()
