"""Fixtures of the hardening tests: one seeded app per module for the fuzzers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from service.processors.stripe_adapter import StripeProcessor
from tests.fixtures.app import Api, build_api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY
from tests.fixtures.openbao import key_service_for
from tests.hardening.support import Book, seed_book


@pytest.fixture(scope="module")
def shared_api(
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Api]:
    """One app on SQLite for a whole module (fuzzing builds no app per example)."""
    import shutil

    path = tmp_path_factory.mktemp("shared") / "strongroom.db"
    shutil.copyfile(sqlite_template, path)
    api = build_api(
        f"sqlite:///{path}",
        key_service_for(openbao.addr, openbao.token),
        StripeProcessor(LOCALSTRIPE_API_KEY, api_base=localstripe.url, timeout=5.0),
    )
    yield api
    leaked = api.leaked_canaries()
    api.client.close()
    api.ctx.engine.dispose()
    assert not leaked, f"canary personal data in the audit trail or events: {leaked}"


@pytest.fixture(scope="module")
def book(shared_api: Api) -> Book:
    return seed_book(shared_api)


from tests.fixtures.live_server import live_server, make_live_server  # noqa: E402,F401
from tests.fixtures.private_postgres import private_postgres  # noqa: E402,F401
