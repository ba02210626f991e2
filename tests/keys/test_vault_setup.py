"""`strongroom vault setup`'s work (service.keys.vault_setup) on the real OpenBao, in a
Transit mount and AppRole mount of the test's own: the first run sets everything up, the
second changes nothing, the role's tokens carry the serving policy only, and a token that may
not set up is refused with a clear error. (tests/deploy/test_production_path.py runs the
command itself against a persistent, TLS-speaking server.)"""

from __future__ import annotations

import uuid

import hvac
import pytest

from service.devstack.openbao import OpenBaoDevServer
from service.keys.errors import KeyServiceUnavailable
from service.keys.openbao_policies import KeyNames, serving_policy
from service.keys.transit import TransitKeyService, build_vault_client
from service.keys.vault_setup import set_up


@pytest.fixture
def names(audit_anchor_namespace: str) -> KeyNames:
    return KeyNames(
        mount_point=f"transit-{uuid.uuid4().hex[:8]}", anchor_path=audit_anchor_namespace
    )


def test_setup_twice_then_the_approle_serves_with_the_serving_policy_only(
    openbao: OpenBaoDevServer, names: KeyNames
) -> None:
    root = hvac.Client(url=openbao.addr, token=openbao.token, timeout=5)
    mount, role = f"approle-{uuid.uuid4().hex[:8]}", "strongroom-test"

    first = set_up(root, names, approle_mount=mount, role_name=role)
    second = set_up(root, names, approle_mount=mount, role_name=role)

    assert dict(first.steps)[f"transit engine at {names.mount_point}/"] == "mounted"
    assert dict(first.steps)[f"AppRole {role} (policy strongroom-serving)"] == "created"
    assert first.secret_id is not None
    assert second.steps and not second.changed, second.steps
    assert second.secret_id is None and second.role_id == first.role_id
    assert root.sys.read_policy("strongroom-serving")["data"]["rules"] == serving_policy(names)

    client = build_vault_client(
        openbao.addr, role_id=first.role_id, secret_id=first.secret_id, approle_mount=mount
    )
    login = client.auth.approle.login(first.role_id, first.secret_id, mount_point=mount)
    assert login["auth"]["policies"] == ["strongroom-serving"]  # not even "default"
    serving = TransitKeyService(
        client, mount_point=names.mount_point, anchor_path=names.anchor_path
    )
    data_key = serving.generate_data_key()
    assert serving.unwrap_data_key(data_key.wrapped) == data_key.plaintext
    with pytest.raises(KeyServiceUnavailable, match="refused"):
        serving.rotate_data_key()

    third = set_up(root, names, approle_mount=mount, role_name=role, issue_secret_id=True)
    assert third.secret_id not in (None, first.secret_id)


def test_a_token_that_may_not_set_up_is_refused_clearly(
    openbao: OpenBaoDevServer, names: KeyNames
) -> None:
    root = hvac.Client(url=openbao.addr, token=openbao.token, timeout=5)
    root.sys.create_or_update_policy("test-serving-only", serving_policy(names))
    token = root.auth.token.create(policies=["test-serving-only"], ttl="5m")["auth"]["client_token"]

    with pytest.raises(KeyServiceUnavailable, match="refused Strongroom's credentials"):
        set_up(build_vault_client(openbao.addr, token=token), names)
