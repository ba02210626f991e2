"""Engine, sessions and the column types every table shares."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from service.core.slots import Slot

# Execution option for sessions that only read (exports, reports): on SQLite they must not take
# the write lock for as long as they stream.
READ_ONLY = "strongroom_read_only"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# The modules declaring tables, installed by service/app/wiring.py once it has imported them.
every_model: Slot[tuple[Any, ...]] = Slot("every domain's ORM models")


def all_tables() -> dict[str, Table]:
    """Every table of every domain (the wiring must have imported them all)."""
    every_model.get()
    return dict(Base.metadata.tables)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, refuses naive input: one time zone, everywhere."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's implicit transactions would let two writers read the audit head and then
    # collide; every transaction takes the write lock up front instead (BEGIN IMMEDIATE).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        _track_writes(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    _track_writes(engine)
    return engine


# Set on a connection's info from the moment its transaction sends anything but a SELECT (and
# by :func:`mark_written` for what bypasses the cursor events): a transaction without it
# changed nothing (see :func:`wrote_anything`).
_WROTE = "strongroom_wrote"


# Statements that change no data: reads and SQLite's own transaction control (on PostgreSQL
# the driver sends BEGIN/COMMIT itself). Anything else counts as a write, the safe side.
_NOT_WRITES = frozenset({"SELECT", "BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"})


def _track_writes(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _began(conn: Connection) -> None:
        conn.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _executing(
        conn: Connection, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if (statement[:24].split(None, 1) or [""])[0].upper() not in _NOT_WRITES:
            if conn.get_execution_options().get(READ_ONLY):
                # On SQLite a read transaction holds no write lock: a write could only fail
                # later, at random, when another commit came first. Refused at once instead.
                raise WriteInReadOnlyTransaction(statement.lstrip()[:40])
            conn.info[_WROTE] = True


class WriteInReadOnlyTransaction(RuntimeError):
    """A session made by :func:`make_read_session_factory` was asked to write."""


def mark_written(connection: Connection) -> None:
    """For a write sent past SQLAlchemy's cursor events (COPY through the driver's cursor)."""
    connection.info[_WROTE] = True


def wrote_anything(session: Session) -> bool:
    """Whether ``session``'s open transaction may have changed anything (any statement but a
    SELECT counts; PostgreSQL engines made by :func:`make_engine`). False when no transaction
    is open: a rolled-back effect left nothing behind."""
    if session.new or session.dirty or session.deleted:
        return True  # the commit would flush them
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_WROTE, True))


# A connection back in the pool for longer than this is pinged before reuse. Under load every
# connection is reused within milliseconds, so the ping (a round trip on every checkout with
# ``pool_pre_ping``) is skipped where it would cost the most and earn nothing; after any pause
# longer than a database restart takes — when the server may have closed them — they are
# checked.
IDLE_PING_SECONDS = 0.25


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            if not getattr(dbapi_connection, "autocommit", False):
                dbapi_connection.rollback()
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError() from error


# Where a session factory carries the audit sealer of its sessions (``Session.info``).
AUDIT_SEALER = "audit_sealer"


def make_session_factory(engine: Engine, sealer: object | None = None) -> sessionmaker[Session]:
    """``sealer``: the :class:`~service.audit.seal.EventSealer` that seals the audit events
    written in these sessions (a session without one cannot write events)."""
    info = {AUDIT_SEALER: sealer} if sealer is not None else {}
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True, info=info)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: on SQLite a plain BEGIN (a snapshot, no write lock); a write
    through one raises :class:`WriteInReadOnlyTransaction`."""
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def make_request_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that cannot change anything (GET, HEAD). On PostgreSQL each
    statement commits on its own: a request that only reads sends no BEGIN and no COMMIT,
    two round trips fewer, and sees what it would have seen in a transaction (READ COMMITTED
    takes a snapshot per statement either way)."""
    if engine.dialect.name != "postgresql":
        return make_read_session_factory(engine)
    return make_read_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))


def is_read_only(session: Session) -> bool:
    """Whether ``session`` was made by :func:`make_read_session_factory`."""
    bind = session.get_bind()
    return bool(bind.get_execution_options().get(READ_ONLY))


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent, read-only view of the database that never blocks writers (PostgreSQL:
    REPEATABLE READ READ ONLY; SQLite: a plain BEGIN, which in WAL mode reads a snapshot)."""
    if engine.dialect.name == "postgresql":
        options: dict[str, Any] = {
            "isolation_level": "REPEATABLE READ",
            "postgresql_readonly": True,
        }
    else:
        options = {READ_ONLY: True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work outside a request (CLI, jobs): commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
