"""The OpenBao policies shipped in policies/openbao/, loaded into the real server: the serving
token does its job and nothing more; the operator token rotates, retires and trims, and
cannot read a customer's data key; a trimmed version cannot be brought back by anyone."""

from __future__ import annotations

import re
import uuid

import hvac
import hvac.exceptions
import pytest

from service.devstack.openbao import OpenBaoDevServer
from service.keys.errors import KeyServiceUnavailable
from service.keys.openbao_policies import (
    KeyNames,
    operator_policy,
    policy_file_text,
    serving_policy,
)
from service.keys.transit import TransitKeyService, build_vault_client

GRANT = re.compile(r'path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}')


def grants(policy: str) -> dict[str, set[str]]:
    return {
        path: {c.strip().strip('"') for c in capabilities.split(",")}
        for path, capabilities in GRANT.findall(policy)
    }


@pytest.fixture
def names(fresh_key_service: TransitKeyService, audit_anchor_namespace: str) -> KeyNames:
    return KeyNames(
        data_key=fresh_key_service.data_key,
        audit_key=fresh_key_service.audit_key,
        index_key=fresh_key_service.index_key,
        anchor_path=audit_anchor_namespace,
    )


def token_with(openbao: OpenBaoDevServer, policy: str) -> hvac.Client:
    root = hvac.Client(url=openbao.addr, token=openbao.token, timeout=5)
    name = f"test-{uuid.uuid4().hex[:10]}"
    root.sys.create_or_update_policy(name=name, policy=policy)
    token = root.auth.token.create(policies=[name], ttl="10m")["auth"]["client_token"]
    return build_vault_client(openbao.addr, token=token)


def test_the_serving_policy_file_keeps_the_write_once_anchor_grants_and_nothing_to_rotate() -> None:
    shipped = grants(policy_file_text("strongroom-serving"))

    assert shipped["secret/data/strongroom/audit/sth/*"] == {"create", "read"}
    assert shipped["secret/metadata/strongroom/audit/sth/*"] == {"read", "list"}
    assert shipped["secret/metadata/strongroom/audit/sth"] == {"list"}
    assert not [p for p in shipped if p.endswith(("/rotate", "/config", "/trim"))]
    assert not [p for p in shipped if "/rewrap/" in p or "/export/" in p]
    assert grants(serving_policy()) == shipped  # default names: the file as it is


def test_rendering_for_other_names_changes_the_names_only(names: KeyNames) -> None:
    rendered = grants(serving_policy(names))
    shipped = grants(serving_policy())

    assert sorted(rendered.values(), key=sorted) == sorted(shipped.values(), key=sorted)
    assert f"transit/decrypt/{names.data_key}" in rendered
    assert f"secret/data/{names.anchor_path}/*" in rendered
    assert not set(rendered) & set(shipped)


def test_the_serving_token_serves_but_cannot_rotate_reconfigure_trim_or_delete(
    openbao: OpenBaoDevServer, fresh_key_service: TransitKeyService, names: KeyNames
) -> None:
    client = token_with(openbao, serving_policy(names))
    serving = TransitKeyService(
        client,
        data_key=names.data_key,
        audit_key=names.audit_key,
        index_key=names.index_key,
        anchor_path=names.anchor_path,
    )
    data_key = serving.generate_data_key()
    assert serving.unwrap_data_keys([data_key.wrapped]) == [data_key.plaintext]
    assert serving.verify(b"head", serving.sign(b"head"))
    assert serving.blind_index(b"ada@example.com") == fresh_key_service.blind_index(
        b"ada@example.com"
    )
    digests, _ = serving.keyed_digests([b"email:ada@example.com", b"email:bob@example.com"])
    assert (
        digests
        == fresh_key_service.keyed_digests([b"email:ada@example.com", b"email:bob@example.com"])[0]
    )
    assert serving.put_anchor(1, {"tree_size": 1}) is True
    serving.check()

    transit = client.secrets.transit
    attacks = {
        "rotate": lambda: transit.rotate_key(names.data_key),
        "lower the minimum": lambda: transit.update_key_configuration(
            names.data_key, min_decryption_version=1
        ),
        "allow deletion": lambda: transit.update_key_configuration(
            names.data_key, deletion_allowed=True
        ),
        "trim": lambda: transit.trim_key(names.data_key, min_version=1),
        "delete": lambda: transit.delete_key(names.data_key),
        "export": lambda: transit.export_key(names.data_key, key_type="encryption-key"),
        "backup": lambda: transit.backup_key(names.data_key),
        "rewrap": lambda: transit.rewrap_data(names.data_key, ciphertext=data_key.wrapped),
        "rotate the signing key": lambda: transit.rotate_key(names.audit_key),
        "new key": lambda: transit.create_key(f"{names.data_key}-mine"),
        "change the policy": lambda: client.sys.create_or_update_policy("x", 'path "*" {}'),
        "overwrite an anchor": lambda: client.secrets.kv.v2.create_or_update_secret(
            path=f"{names.anchor_path}/1", secret={"forged": 1}, mount_point="secret"
        ),
    }
    for what, attack in attacks.items():
        with pytest.raises(hvac.exceptions.Forbidden):
            attack()
            pytest.fail(f"the serving token could {what}")
    status = fresh_key_service.key_status()
    assert (status.latest_version, status.min_decryption_version) == (1, 1)


def test_the_operator_rotates_and_trims_but_never_unwraps_and_trimmed_versions_stay_gone(
    openbao: OpenBaoDevServer, fresh_key_service: TransitKeyService, names: KeyNames
) -> None:
    old = fresh_key_service.generate_data_key()
    client = token_with(openbao, operator_policy(names))
    operator = TransitKeyService(client, data_key=names.data_key)

    assert operator.rotate_data_key() == 2
    [(rewrapped, version)] = operator.rewrap_data_keys([old.wrapped])
    assert version == 2
    operator.retire_data_key_versions_below(2)
    assert operator.key_status().versions == (2,)
    assert operator.key_status().min_available_version == 2

    with pytest.raises(KeyServiceUnavailable, match="refused"):  # 403: no unwrap for operators
        operator.unwrap_data_key(rewrapped)
    with pytest.raises(hvac.exceptions.Forbidden):
        client.secrets.transit.generate_data_key(names.data_key, key_type="plaintext")

    # An old backup's wrapped key is dead for good: not even root can lower the minimum again.
    root = hvac.Client(url=openbao.addr, token=openbao.token, timeout=5).secrets.transit
    with pytest.raises(hvac.exceptions.InvalidRequest, match="min available"):
        root.update_key_configuration(names.data_key, min_decryption_version=1)
    with pytest.raises(hvac.exceptions.InvalidRequest):
        root.decrypt_data(names.data_key, ciphertext=old.wrapped)
    assert fresh_key_service.unwrap_data_key(rewrapped) == old.plaintext
    # Serving goes on under the new version.
    assert fresh_key_service.generate_data_key().version == 2
