"""``strongroom keys status`` and ``strongroom keys rotate --retire`` against a real OpenBao."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.cli_support import cli_engine, cli_settings
from service.devstack.openbao import PersistentOpenBao
from tests.customers.support import create, reveal
from tests.fixtures.app import Api
from tests.fixtures.openbao import key_service_for


@pytest.fixture
def cli_environment(
    restartable_openbao: PersistentOpenBao, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("STRONGROOM_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("STRONGROOM_VAULT_ADDR", restartable_openbao.addr)
    monkeypatch.setenv("STRONGROOM_VAULT_TOKEN", restartable_openbao.token)
    monkeypatch.setenv("STRONGROOM_VAULT_OPERATOR_TOKEN", restartable_openbao.token)
    cli_settings.cache_clear()
    cli_engine.cache_clear()
    yield
    cli_engine().dispose()
    cli_settings.cache_clear()
    cli_engine.cache_clear()


def test_rotate_rewraps_every_data_key_and_status_counts_them_per_version(
    cli_environment: None,
    restartable_openbao: PersistentOpenBao,
    make_api: Callable[..., Api],
    sqlite_url: str,
) -> None:
    key_service = key_service_for(restartable_openbao.addr, restartable_openbao.token)
    key_service.ensure_keys()
    api = make_api(sqlite_url, key_service=key_service)
    tokens = [create(api, payment_method=None)["id"] for _ in range(5)]
    runner = CliRunner()

    before = runner.invoke(app, ["keys", "status"])
    rotated = runner.invoke(app, ["keys", "rotate", "--chunk-size", "2", "--retire"])
    after = runner.invoke(app, ["keys", "status"])

    assert before.exit_code == 0, before.output
    assert "latest version 1, minimum decryption version 1" in before.output
    assert rotated.exit_code == 0, rotated.output
    assert "5 rewrapped" in rotated.output
    assert "versions below 2 retired and trimmed" in rotated.output
    assert after.exit_code == 0, after.output
    assert "latest version 2, minimum decryption version 2" in after.output
    assert "trimmed" in after.output
    assert key_service.key_status().versions == (2,)  # version 1 is gone from the key ring
    version_two = next(
        line for line in after.output.splitlines() if "latest" in line and "│" in line
    )
    assert "5" in version_two
    api.ctx.data_keys.clear()
    for token in tokens:
        assert reveal(api, token, "name").status_code == 200


def test_rotate_reports_an_unreachable_key_service_as_an_error(
    cli_environment: None, restartable_openbao: PersistentOpenBao
) -> None:
    restartable_openbao.stop()

    result = CliRunner().invoke(app, ["keys", "rotate"])

    assert result.exit_code == 1
    assert "key service" in result.output.lower()


def test_rotate_needs_the_operator_token_not_the_serving_one(
    cli_environment: None, restartable_openbao: PersistentOpenBao, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRONGROOM_VAULT_OPERATOR_TOKEN")
    cli_settings.cache_clear()

    result = CliRunner().invoke(app, ["keys", "rotate"])

    assert result.exit_code == 1
    assert "STRONGROOM_VAULT_OPERATOR_TOKEN" in result.output
