"""Shared fixtures: real OpenBao, real localstripe, SQLite per test and PostgreSQL per session.

Storage-dependent tests take the ``db_url`` fixture and run once per backend. PostgreSQL tests
run whenever the server on 127.0.0.1:5432 answers; when it does not, they are skipped with a
loud reason (and ``STRONGROOM_REQUIRE_POSTGRES=1``, set by .ci/run, turns that into a failure).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from service.core.db import make_engine
from service.core.migrate import upgrade
from service.models import load_all_models

pytest_plugins = [
    "tests.fixtures.openbao",
    "tests.fixtures.localstripe",
    "tests.fixtures.app",
    "tests.fixtures.receiver",
    "tests.reports.seed",  # seeded_cli: the seeded dataset with the CLI pointed at it
]

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
# Tests read the trail right after a request: sequence right after each commit (the background
# sequencer has tests of its own that set a delay).
os.environ.setdefault("STRONGROOM_AUDIT_SEQUENCE_DELAY_MS", "0")
os.environ.setdefault("STRONGROOM_AUDIT_ANCHOR_PATH", "strongroom/audit/sth-test/session")

PG_ADMIN_DSN = os.environ.get("STRONGROOM_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test")


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session", autouse=True)
def service_logging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The service's own logging configuration (JSON lines, every record redacted) for the
    whole run, written to a file that is scanned for canary personal data at the end."""
    from service.app.logging import configure_logging

    path = tmp_path_factory.mktemp("logs") / "service.log"
    stream = path.open("a", encoding="utf-8")
    handler = configure_logging("DEBUG", stream=stream)
    LOG_CAPTURE["path"] = path
    yield path
    handler.flush()
    stream.close()


LOG_CAPTURE: dict[str, Path] = {}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.canaries import scan

    path = LOG_CAPTURE.get("path")
    if path is None or not path.exists():
        return
    leaked = scan(path.read_text(encoding="utf-8", errors="replace"))
    if leaked:
        session.exitstatus = 1
        print(f"\nLEAK SCAN FAILED: canary personal data in the service log ({path}): {leaked}")
    else:
        size = path.stat().st_size
        print(f"\nleak scan: {size:,} bytes of service log, no canary personal data")


def pytest_report_header(config: pytest.Config) -> str:
    if postgres_available():
        return (
            "PostgreSQL: reachable on 127.0.0.1:5432 — storage tests run on SQLite AND PostgreSQL"
        )
    return (
        "!!! PostgreSQL NOT reachable on 127.0.0.1:5432 — PostgreSQL variants of the storage "
        "tests will be SKIPPED !!!"
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def require_postgres() -> None:
    """Fail when CI requires PostgreSQL (STRONGROOM_REQUIRE_POSTGRES=1) and it is unreachable;
    elsewhere skip, saying why."""
    if postgres_available():
        return
    if os.environ.get("STRONGROOM_REQUIRE_POSTGRES") == "1":
        pytest.fail("PostgreSQL is required (STRONGROOM_REQUIRE_POSTGRES=1) but unreachable")
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")


@contextmanager
def migrated_postgres_database(prefix: str) -> Iterator[str]:
    """A new, migrated database on the local server, dropped afterwards (skips loudly when
    the server is unreachable; fails when STRONGROOM_REQUIRE_POSTGRES=1)."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    with migrated_postgres_database("strongroom_test") as url:
        yield url


def reset_postgres(url: str) -> None:
    load_all_models()
    from service.core.db import Base

    engine = make_engine(url, pool_size=1, max_overflow=0)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a fresh SQLite file, or the session's PostgreSQL database
    emptied before the test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "strongroom.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    reset_postgres(url)
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "strongroom.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url(postgres_database: str) -> str:
    reset_postgres(postgres_database)
    return postgres_database
