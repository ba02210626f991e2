"""Fixtures of the hardening tests: one seeded app per module and storage engine."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest

from service.core.db import make_engine
from service.core.migrate import upgrade
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.processors.stripe_adapter import StripeProcessor
from tests.conftest import PG_ADMIN_DSN, postgres_available
from tests.fixtures.app import Api, build_api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.fixtures.openbao import key_service_for
from tests.hardening.support import Book, seed_book


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared_api(
    request: pytest.FixtureRequest,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Api]:
    """One app for a whole module (fuzzing builds no app per example), on SQLite and on a
    PostgreSQL database of its own on the shared server (NUL bytes, huge values and
    overflowing numbers meet each engine's own limits). Modules that are not about storage
    pin it to SQLite with ``indirect`` parametrisation."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            path = tmp_path_factory.mktemp("shared") / "strongroom.db"
            shutil.copyfile(sqlite_template, path)
            url = f"sqlite:///{path}"
        else:
            url = stack.enter_context(own_postgres_database())
        api = build_api(
            url,
            key_service_for(openbao.addr, openbao.token),
            StripeProcessor(LOCALSTRIPE_API_KEY, api_base=localstripe.url, timeout=5.0),
        )
        yield api
        leaked = api.leaked_canaries()
        api.client.close()
        api.ctx.engine.dispose()
        assert not leaked, f"canary personal data in the audit trail or events: {leaked}"


@contextmanager
def own_postgres_database() -> Iterator[str]:
    if not postgres_available():
        if os.environ.get("STRONGROOM_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (STRONGROOM_REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"strongroom_hardening_{uuid.uuid4().hex[:10]}"
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


@pytest.fixture(scope="module")
def book(shared_api: Api) -> Book:
    return seed_book(shared_api)


from tests.fixtures.live_server import live_server, make_live_server  # noqa: E402,F401
from tests.fixtures.private_postgres import private_postgres  # noqa: E402,F401
