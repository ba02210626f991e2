"""Fixtures of the hardening tests: one seeded app per module and storage engine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import pytest

from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.processors.stripe_adapter import StripeProcessor
from tests.conftest import migrated_postgres_database
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


def own_postgres_database() -> AbstractContextManager[str]:
    return migrated_postgres_database("strongroom_hardening")


@pytest.fixture(scope="module")
def book(shared_api: Api) -> Book:
    return seed_book(shared_api)


from tests.fixtures.live_server import live_server, make_live_server  # noqa: E402,F401
from tests.fixtures.private_postgres import private_postgres  # noqa: E402,F401
