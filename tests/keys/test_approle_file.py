"""The AppRole file that `strongroom vault setup --approle-file` writes and `serve` reads:
0600 from its first byte, refused when others can read it, never preferred over the
environment's credentials."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from service.core.config import PROJECT_ROOT, Settings
from service.devstack import free_port
from service.keys.approle import (
    ApproleFileError,
    approle_credentials,
    read_approle_file,
    write_approle_file,
)


def test_written_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "run" / "approle.json"
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        write_approle_file(path, "role-1", "secret-1")
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_approle_file(path) == ("role-1", "secret-1")
    write_approle_file(path, "role-1", "secret-2")  # replaced atomically
    assert read_approle_file(path) == ("role-1", "secret-2")
    assert [p.name for p in path.parent.iterdir()] == ["approle.json"]


def test_a_file_others_can_read_or_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "approle.json"
    write_approle_file(path, "role-1", "secret-1")
    path.chmod(0o644)
    with pytest.raises(ApproleFileError, match="chmod 600"):
        read_approle_file(path)
    path.chmod(0o600)
    path.write_text('{"role_id": "only-half"}')
    with pytest.raises(ApproleFileError, match="not an AppRole file"):
        read_approle_file(path)
    with pytest.raises(ApproleFileError, match="cannot read"):
        read_approle_file(tmp_path / "missing.json")


def test_the_environment_comes_first_then_the_file(tmp_path: Path) -> None:
    path = tmp_path / "approle.json"
    write_approle_file(path, "file-role", "file-secret")
    from_file = Settings(vault_approle_file=path)
    assert approle_credentials(from_file) == ("file-role", "file-secret")
    from_env = Settings(
        vault_approle_file=path, vault_role_id="env-role", vault_secret_id=SecretStr("env-secret")
    )
    assert approle_credentials(from_env) == ("env-role", "env-secret")
    with_token = Settings(vault_approle_file=path, vault_token=SecretStr("t"))
    assert approle_credentials(with_token) == (None, None)


def test_serve_refuses_an_approle_file_others_can_read_without_a_traceback(
    tmp_path: Path,
) -> None:
    path = tmp_path / "approle.json"
    write_approle_file(path, "role-1", "secret-1")
    path.chmod(0o640)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    env |= {
        "STRONGROOM_VAULT_APPROLE_FILE": str(path),
        "STRONGROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "STRONGROOM_STRIPE_API_KEY": "sk_test_unused",
        "STRONGROOM_INSECURE_VAULT_HTTP": "1",  # the address does not matter: refused before
        "STRONGROOM_PUBLIC_BASE_URL": "https://billing.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "chmod 600" in result.stderr and "Traceback" not in result.stderr
