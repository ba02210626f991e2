"""STRONGROOM_DEV_KEYS_FILE: created 0600 or refused; a planted file or symlink is never
followed or reused. Through the first-start code of `strongroom dev` on a real SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.audit.seal import EventSealer
from service.core.db import make_engine, make_session_factory
from service.core.migrate import upgrade
from service.devstack.runner import _first_start_principals


@pytest.fixture(autouse=True)
def _sealer(audit_sealer: EventSealer) -> None:
    _SEALER[:] = [audit_sealer]


_SEALER: list[EventSealer] = []


def first_start(tmp_path: Path, keys_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'dev.db'}")
    upgrade(engine)
    monkeypatch.setenv("STRONGROOM_DEV_KEYS_FILE", str(keys_file))
    try:
        _first_start_principals(make_session_factory(engine, _SEALER[0]))
    finally:
        engine.dispose()


def test_a_new_keys_file_is_readable_by_its_owner_only(tmp_path, monkeypatch, capsys) -> None:
    old_umask = os.umask(0o022)
    try:
        first_start(tmp_path, tmp_path / "keys", monkeypatch)
    finally:
        os.umask(old_umask)
    keys = tmp_path / "keys"
    assert keys.stat().st_mode & 0o777 == 0o600
    lines = keys.read_text().splitlines()
    assert sorted(line.split("=")[0] for line in lines) == ["admin", "compliance", "service"]
    shown = capsys.readouterr().out
    assert all(line.split("=")[1] in shown for line in lines)


def test_a_planted_symlink_is_not_followed(tmp_path, monkeypatch, capsys) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    planted = tmp_path / "keys"
    planted.symlink_to(victim)
    first_start(tmp_path, planted, monkeypatch)
    assert victim.read_text() == "precious\n" and victim.stat().st_mode & 0o777 == 0o644
    assert "already exists" in capsys.readouterr().err


def test_a_planted_readable_file_is_not_reused(tmp_path, monkeypatch, capsys) -> None:
    planted = tmp_path / "keys"
    planted.write_text("")
    planted.chmod(0o644)
    first_start(tmp_path, planted, monkeypatch)
    assert planted.read_text() == ""
    assert "already exists" in capsys.readouterr().err
