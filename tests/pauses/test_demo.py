"""``strongroom demo holiday`` on an embedded data directory with a real OpenBao."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from service import cli_support
from service.cli import app
from service.core.db import make_engine, make_session_factory
from service.subscriptions.models import BulkOperation, Pause


@pytest.fixture
def embedded(tmp_path: Path, openbao: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("STRONGROOM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("STRONGROOM_DATABASE_URL", raising=False)
    monkeypatch.setenv("STRONGROOM_VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("STRONGROOM_VAULT_TOKEN", openbao.token)
    cli_support.cli_settings.cache_clear()
    cli_support.cli_engine.cache_clear()
    yield tmp_path
    cli_support.cli_engine().dispose()
    cli_support.cli_settings.cache_clear()
    cli_support.cli_engine.cache_clear()


def test_the_holiday_demo_previews_applies_and_verifies_the_audit(embedded: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "holiday", "--customers", "40"])

    assert result.exit_code == 0, result.output
    assert "Holiday pause preview" in result.output
    # amounts as people write them (Babel), not raw minor units
    assert re.search(r"\$[0-9,]+\.[0-9]{2}", result.output), result.output
    assert "(minor)" not in result.output
    assert "Audit trail verified" in result.output
    engine = make_engine(f"sqlite:///{embedded / 'strongroom.db'}")
    with make_session_factory(engine)() as session:
        pauses = session.scalar(select(func.count()).select_from(Pause))
        operations = session.scalar(select(func.count()).select_from(BulkOperation))
    engine.dispose()
    assert pauses is not None and pauses >= 40
    assert operations is not None and operations >= 1
