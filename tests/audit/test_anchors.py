"""Anchors in the real OpenBao: the serving policy lets the service create a tree head's path
and read it back, and refuses every overwrite and delete — so a stolen service token cannot
rewrite what is anchored. And an anchor store that is down never fails the sequencer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hvac.exceptions
import pytest

from service.keys.openbao_policies import KeyNames, serving_policy
from service.keys.transit import TransitKeyService, build_vault_client
from tests.audit.trail import append, sequence, verify


@pytest.fixture
def service_token(openbao: Any, audit_anchor_namespace: str) -> str:
    """A token with exactly the serving policy (anchors under this test's path)."""
    root = build_vault_client(openbao.addr, token=openbao.token)
    policy = serving_policy(KeyNames(anchor_path=audit_anchor_namespace))
    name = "serving-" + audit_anchor_namespace.rsplit("/", 1)[-1]
    root.sys.create_or_update_policy(name=name, policy=policy)
    return str(root.auth.token.create(policies=[name], ttl="10m")["auth"]["client_token"])


def test_the_service_token_creates_anchors_but_cannot_overwrite_or_delete_them(
    openbao: Any, service_token: str, audit_anchor_namespace: str
) -> None:
    client = build_vault_client(openbao.addr, token=service_token)
    keys = TransitKeyService(client, anchor_path=audit_anchor_namespace)
    sth = {
        "tree_size": 5,
        "root_hash": "ab" * 32,
        "timestamp": 1,
        "previous": None,
        "key_version": 1,
        "signature": "c2ln",
    }
    assert keys.put_anchor(5, sth) is True
    assert keys.read_anchor(5) == sth
    assert keys.anchored_sizes() == [5]

    forged = {**sth, "root_hash": "cd" * 32}
    assert keys.put_anchor(5, forged) is False  # refused, whatever the reason
    kv = client.secrets.kv.v2
    path = f"{audit_anchor_namespace}/5"
    with pytest.raises(hvac.exceptions.Forbidden):  # no cas: still an update, refused
        kv.create_or_update_secret(path=path, secret=forged, mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.delete_latest_version_of_secret(path=path, mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.delete_metadata_and_all_versions(path=path, mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.destroy_secret_versions(path=path, versions=[1], mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.update_metadata(path=path, max_versions=1, mount_point="secret")
    assert keys.read_anchor(5) == sth


def test_appends_go_on_while_openbao_is_down_and_the_tree_catches_up(
    sqlite_url: str, restartable_openbao: Any, tmp_path: Path, audit_anchor_namespace: str
) -> None:
    client = build_vault_client(
        restartable_openbao.addr, token=restartable_openbao.token, timeout=2
    )
    keys = TransitKeyService(client, anchor_path=audit_anchor_namespace)
    keys.ensure_keys()
    append(sqlite_url, keys, 10)
    assert sequence(sqlite_url, keys, batch_size=5) == 10

    restartable_openbao.stop()
    append(sqlite_url, keys, 5, start=10)  # requests still append: nothing waits on the key service
    with pytest.raises(Exception):
        sequence(sqlite_url, keys)
    restartable_openbao.start()
    assert sequence(sqlite_url, keys) == 5
    result = verify(sqlite_url, keys)
    assert result["ok"], result
    assert result["anchors"]["latest_tree_size"] == 15 and result["anchors"]["missing"] == 0
