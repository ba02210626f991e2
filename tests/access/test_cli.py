"""`strongroom principals`: create prints the key once, list never shows secrets, revoke takes
effect on the very next request of a running service."""

from __future__ import annotations

import json
import os
import pwd
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_app import assert_problem

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _vault_env(openbao: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key service the command line seals its audit events with, as an operator sets it."""
    monkeypatch.setenv("STRONGROOM_VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("STRONGROOM_VAULT_TOKEN", openbao.token)


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STRONGROOM_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "principals", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_list_revoke_against_a_running_service(make_api, db_url) -> None:
    api = make_api(db_url)
    created = cli(db_url, "create", "billing-bot", "--role", "service")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("srk_")
    headers = {"Authorization": f"Bearer {key}"}
    assert api.call("GET", "/v1/events", who=None, headers=headers).status_code == 200

    listed = cli(db_url, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["billing-bot"]["role"] == "service" and rows["billing-bot"]["state"] == "active"
    assert key.split("_", 2)[2] not in listed.stdout

    revoked = cli(db_url, "revoke", "billing-bot")
    assert revoked.returncode == 0, revoked.stderr
    assert_problem(api.call("GET", "/v1/events", who=None, headers=headers), 401, "unauthenticated")
    events = api.call("GET", "/v1/audit/events?target=principal:billing-bot").json()["data"]
    assert [e["action"] for e in events] == ["access:principal:create", "access:principal:revoke"]
    # who did it: the operating-system user and host, not an anonymous "system"
    me = f"cli:{pwd.getpwuid(os.geteuid()).pw_name}@{socket.gethostname()}"
    assert [(e["actor"], e["role"]) for e in events] == [(me, "system"), (me, "system")]
    # the command line sealed its events with the key service: sequenced, none refused
    api.ctx.sequencer.run()
    assert api.call("GET", "/v1/audit/verify").json()["ok"] is True


def test_bad_input_is_a_clear_error_and_changes_nothing(sqlite_url) -> None:
    bad_role = cli(sqlite_url, "create", "x", "--role", "root")
    assert bad_role.returncode != 0 and "role" in bad_role.stderr
    bad_name = cli(sqlite_url, "create", "white space", "--role", "admin")
    assert bad_name.returncode != 0 and "name" in bad_name.stderr
    assert cli(sqlite_url, "create", "dup", "--role", "admin").returncode == 0
    duplicate = cli(sqlite_url, "create", "dup", "--role", "admin")
    assert duplicate.returncode != 0 and "exists" in duplicate.stderr
    missing = cli(sqlite_url, "revoke", "nobody")
    assert missing.returncode != 0 and "No principal" in missing.stderr
    names = [row["name"] for row in json.loads(cli(sqlite_url, "list", "--json").stdout)]
    assert names.count("dup") == 1 and "x" not in names


def test_without_a_key_service_create_refuses_and_list_still_works(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creating a principal writes an audit event, which must carry the service's seal: with
    no key service configured the command fails clearly and creates nothing; a listing writes
    no event and needs none."""
    monkeypatch.delenv("STRONGROOM_VAULT_ADDR")
    monkeypatch.delenv("STRONGROOM_VAULT_TOKEN")
    refused = cli(sqlite_url, "create", "lonely", "--role", "service")
    assert refused.returncode != 0 and "STRONGROOM_VAULT_ADDR" in refused.stderr, refused.stderr
    listed = cli(sqlite_url, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "lonely" not in listed.stdout
