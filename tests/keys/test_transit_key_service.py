"""TransitKeyService against a real OpenBao (the session dev server)."""

from __future__ import annotations

import base64
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

import hvac
import pytest

from service.devstack.openbao import OpenBaoDevServer
from service.keys.envelope import decrypt_field, encrypt_field
from service.keys.errors import KeyServiceError, KeyServiceUnavailable, WrappedKeyRejected
from service.keys.openbao_policies import KeyNames, serving_policy
from service.keys.port import KeyService, wrapped_key_version
from service.keys.transit import (
    DATA_KEY_NAME,
    TransitKeyService,
    build_vault_client,
    login_with_approle,
)
from tests.fixtures.openbao import key_service_for


def root_client(openbao: OpenBaoDevServer) -> hvac.Client:
    return hvac.Client(url=openbao.addr, token=openbao.token, timeout=5)


def test_transit_key_service_satisfies_the_key_service_port(
    key_service: TransitKeyService,
) -> None:
    assert isinstance(key_service, KeyService)
    key_service.check()


def test_generated_data_key_is_256_bits_and_unwraps_to_the_same_plaintext(
    key_service: TransitKeyService,
) -> None:
    data_key = key_service.generate_data_key()
    assert len(data_key.plaintext) == 32
    assert data_key.wrapped.startswith(f"vault:v{data_key.version}:")
    assert base64.b64encode(data_key.plaintext).decode() not in data_key.wrapped
    assert key_service.unwrap_data_key(data_key.wrapped) == data_key.plaintext


def test_each_generated_data_key_is_different(key_service: TransitKeyService) -> None:
    keys = {key_service.generate_data_key().plaintext for _ in range(20)}
    assert len(keys) == 20


def test_data_key_repr_never_shows_the_plaintext(key_service: TransitKeyService) -> None:
    data_key = key_service.generate_data_key()
    shown = repr(data_key)
    assert data_key.wrapped in shown
    assert repr(data_key.plaintext) not in shown
    assert data_key.plaintext.hex() not in shown


def test_batch_unwrap_returns_every_plaintext_in_input_order(openbao: OpenBaoDevServer) -> None:
    service = key_service_for(openbao.addr, openbao.token, batch_size=3)
    keys = [service.generate_data_key() for _ in range(8)]
    assert service.unwrap_data_keys([key.wrapped for key in keys]) == [
        key.plaintext for key in keys
    ]
    assert service.unwrap_data_keys([]) == []


def test_batch_unwrap_splits_lists_larger_than_one_openbao_request_accepts(
    key_service: TransitKeyService,
) -> None:
    # OpenBao refuses a request with over 1,000 JSON strings (about 490 batch items).
    keys = [key_service.generate_data_key() for _ in range(7)]
    wrapped = [keys[i % 7].wrapped for i in range(1200)]
    plaintexts = key_service.unwrap_data_keys(wrapped)
    assert plaintexts == [keys[i % 7].plaintext for i in range(1200)]


def test_batch_unwrap_names_exactly_the_keys_that_do_not_unwrap(
    key_service: TransitKeyService, fresh_key_service: TransitKeyService
) -> None:
    good = key_service.generate_data_key()
    foreign = fresh_key_service.generate_data_key().wrapped
    with pytest.raises(WrappedKeyRejected) as rejected:
        key_service.unwrap_data_keys([good.wrapped, foreign, good.wrapped, foreign])
    assert rejected.value.failed_indices == [1, 3]
    assert rejected.value.status == 500
    # OpenBao's answer holds the plaintext of the keys that did unwrap: it must not travel on.
    everything_shown = "".join(traceback.format_exception(rejected.value)) + repr(rejected.value)
    everything_shown += rejected.value.reason + rejected.value.detail
    assert base64.b64encode(good.plaintext).decode() not in everything_shown


def test_rewrap_after_rotation_moves_keys_to_the_new_version_with_the_same_plaintext(
    fresh_key_service: TransitKeyService,
) -> None:
    service = fresh_key_service
    keys = [service.generate_data_key() for _ in range(5)]
    assert {key.version for key in keys} == {1}

    new_version = service.rotate_data_key()

    assert new_version == 2
    rewrapped = service.rewrap_data_keys([key.wrapped for key in keys])
    assert [version for _, version in rewrapped] == [2] * 5
    assert all(wrapped_key_version(wrapped) == 2 for wrapped, _ in rewrapped)
    assert [wrapped for wrapped, _ in rewrapped] != [key.wrapped for key in keys]
    assert service.unwrap_data_keys([wrapped for wrapped, _ in rewrapped]) == [
        key.plaintext for key in keys
    ]
    assert service.generate_data_key().version == 2


def test_raising_the_minimum_decryption_version_retires_keys_wrapped_before_it(
    fresh_key_service: TransitKeyService,
) -> None:
    service = fresh_key_service
    old = service.generate_data_key()
    service.rotate_data_key()
    [(rewrapped, _)] = service.rewrap_data_keys([old.wrapped])

    service.set_min_decryption_version(2)

    status = service.key_status()
    assert (status.latest_version, status.min_decryption_version) == (2, 2)
    assert status.versions == (2,)
    with pytest.raises(KeyServiceError) as refused:
        service.unwrap_data_key(old.wrapped)
    assert not isinstance(refused.value, KeyServiceUnavailable)
    assert "too old" in refused.value.reason
    with pytest.raises(WrappedKeyRejected) as rejected:
        service.unwrap_data_keys([rewrapped, old.wrapped])
    assert rejected.value.failed_indices == [1]
    with pytest.raises(WrappedKeyRejected):
        service.rewrap_data_keys([old.wrapped])
    assert service.unwrap_data_key(rewrapped) == old.plaintext


def test_minimum_decryption_version_below_one_is_refused(
    fresh_key_service: TransitKeyService,
) -> None:
    with pytest.raises(KeyServiceError):
        fresh_key_service.set_min_decryption_version(0)
    with pytest.raises(KeyServiceError):
        fresh_key_service.set_min_decryption_version(5)  # beyond the latest version


def test_key_status_lists_every_live_version(fresh_key_service: TransitKeyService) -> None:
    fresh_key_service.rotate_data_key()
    fresh_key_service.rotate_data_key()
    status = fresh_key_service.key_status()
    assert status.name == fresh_key_service.data_key
    assert status.key_type == "aes256-gcm96"
    assert status.latest_version == 3
    assert status.min_decryption_version == 1
    assert status.versions == (1, 2, 3)


def test_a_wrapped_key_that_does_not_decrypt_is_a_key_service_error_not_an_outage(
    key_service: TransitKeyService,
) -> None:
    wrapped = key_service.generate_data_key().wrapped
    prefix, body = wrapped.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    forged = f"{prefix}:{base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(KeyServiceError) as refused:
        key_service.unwrap_data_key(forged)
    assert not isinstance(refused.value, KeyServiceUnavailable)
    assert refused.value.status == 500
    assert forged not in str(refused.value)


def test_signature_verifies_and_any_change_to_message_or_signature_fails(
    key_service: TransitKeyService,
) -> None:
    message = b"checkpoint 42: 9f86d081884c7d65"
    signature = key_service.sign(message)
    assert signature.startswith("vault:v1:")
    assert key_service.verify(message, signature) is True
    assert key_service.verify(message + b".", signature) is False

    prefix, body = signature.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[0] ^= 1
    assert key_service.verify(message, f"{prefix}:{base64.b64encode(bytes(raw)).decode()}") is False
    assert key_service.verify(message, "vault:v1:" + base64.b64encode(b"\0" * 64).decode()) is False
    assert key_service.verify(message, "vault:v1:not-base64!") is False
    assert key_service.verify(message, "") is False


def test_a_signature_by_another_key_does_not_verify(
    key_service: TransitKeyService, fresh_key_service: TransitKeyService
) -> None:
    message = b"checkpoint 7"
    assert key_service.verify(message, fresh_key_service.sign(message)) is False


def test_blind_index_is_deterministic_hex_and_depends_on_value_and_key(
    key_service: TransitKeyService, fresh_key_service: TransitKeyService
) -> None:
    first = key_service.blind_index(b"jane@example.com")
    assert first == key_service.blind_index(b"jane@example.com")
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert first != key_service.blind_index(b"jane@example.org")
    assert first != fresh_key_service.blind_index(b"jane@example.com")


def test_blind_index_survives_rotation_of_the_data_key_and_of_its_own_key(
    openbao: OpenBaoDevServer, fresh_key_service: TransitKeyService
) -> None:
    before = fresh_key_service.blind_index(b"jane@example.com")
    fresh_key_service.rotate_data_key()
    root_client(openbao).secrets.transit.rotate_key(fresh_key_service.index_key)
    assert fresh_key_service.blind_index(b"jane@example.com") == before


def test_envelope_encryption_with_a_transit_data_key_round_trips_after_unwrap(
    key_service: TransitKeyService,
) -> None:
    data_key = key_service.generate_data_key()
    place = {"table": "customers", "column": "name", "record_id": "cus_tok_9", "key_version": 1}
    blob = encrypt_field(data_key.plaintext, b"Jane Roe", **place)
    unwrapped = key_service.unwrap_data_key(data_key.wrapped)
    assert decrypt_field(unwrapped, blob, **place) == b"Jane Roe"


def test_ensure_keys_mounts_transit_and_creates_keys_once(openbao: OpenBaoDevServer) -> None:
    mount = f"transit-{uuid.uuid4().hex[:8]}"
    service = key_service_for(openbao.addr, openbao.token, mount_point=mount)
    service.ensure_keys()
    wrapped = service.generate_data_key().wrapped
    service.ensure_keys()
    assert service.key_status().latest_version == 1
    assert service.unwrap_data_key(wrapped)
    transit = root_client(openbao).secrets.transit
    assert transit.read_key(service.audit_key, mount_point=mount)["data"]["type"] == "ed25519"


def test_ensure_keys_refuses_an_existing_key_of_the_wrong_type(openbao: OpenBaoDevServer) -> None:
    name = f"test-wrong-type-{uuid.uuid4().hex[:8]}"
    root_client(openbao).secrets.transit.create_key(name, key_type="aes256-gcm96")
    service = key_service_for(openbao.addr, openbao.token, audit_key=name)
    with pytest.raises(KeyServiceError, match="ed25519"):
        service.ensure_keys()


def test_a_refused_token_means_the_key_service_is_unavailable(openbao: OpenBaoDevServer) -> None:
    service = key_service_for(openbao.addr, "not-a-token")
    with pytest.raises(KeyServiceUnavailable):
        service.generate_data_key()


def test_approle_login_with_the_serving_policy_can_do_everything_serving_needs_and_no_more(
    openbao: OpenBaoDevServer, fresh_key_service: TransitKeyService
) -> None:
    root = root_client(openbao)
    suffix = uuid.uuid4().hex[:8]
    approle_mount = f"approle-{suffix}"
    root.sys.enable_auth_method("approle", path=approle_mount)
    policy_name = f"strongroom-{suffix}"
    root.sys.create_or_update_policy(
        policy_name,
        serving_policy(
            KeyNames(
                data_key=fresh_key_service.data_key,
                audit_key=fresh_key_service.audit_key,
                index_key=fresh_key_service.index_key,
            )
        ),
    )
    root.auth.approle.create_or_update_approle(
        "strongroom", token_policies=[policy_name], token_ttl="10m", mount_point=approle_mount
    )
    role_id = root.auth.approle.read_role_id("strongroom", mount_point=approle_mount)["data"][
        "role_id"
    ]
    secret_id = root.auth.approle.generate_secret_id("strongroom", mount_point=approle_mount)[
        "data"
    ]["secret_id"]

    client = build_vault_client(
        openbao.addr, role_id=role_id, secret_id=secret_id, approle_mount=approle_mount
    )
    service = TransitKeyService(
        client,
        data_key=fresh_key_service.data_key,
        audit_key=fresh_key_service.audit_key,
        index_key=fresh_key_service.index_key,
        reauthenticate=lambda: login_with_approle(
            client, role_id=role_id, secret_id=secret_id, mount_point=approle_mount
        ),
    )
    service.ensure_keys()
    service.check()
    data_key = service.generate_data_key()
    assert service.unwrap_data_keys([data_key.wrapped]) == [data_key.plaintext]
    assert service.verify(b"m", service.sign(b"m"))
    assert service.blind_index(b"x") == fresh_key_service.blind_index(b"x")
    # Rotation and key configuration are the operator's (policies/openbao/): refused.
    for operator_only in (
        service.rotate_data_key,
        lambda: service.rewrap_data_keys([data_key.wrapped]),
        lambda: service.set_min_decryption_version(1),
        lambda: service.retire_data_key_versions_below(1),
    ):
        with pytest.raises(KeyServiceUnavailable, match="refused"):
            operator_only()
    assert fresh_key_service.key_status().latest_version == 1

    # The token expires or is revoked: the service logs in again and carries on.
    client.auth.token.revoke_self()
    assert service.unwrap_data_key(data_key.wrapped) == data_key.plaintext

    # Outside its policy (the default key names) the role is refused: fail closed.
    outsider = TransitKeyService(client)
    with pytest.raises(KeyServiceUnavailable):
        outsider.generate_data_key()
    assert outsider.data_key == DATA_KEY_NAME


def test_a_client_needs_a_token_or_an_approle() -> None:
    with pytest.raises(ValueError, match="token"):
        build_vault_client("http://127.0.0.1:1")
    with pytest.raises(ValueError):
        build_vault_client("http://127.0.0.1:1", role_id="only-half")


def test_one_key_service_serves_many_threads_at_once(key_service: TransitKeyService) -> None:
    def round_trip(_: int) -> bool:
        data_key = key_service.generate_data_key()
        return key_service.unwrap_data_key(data_key.wrapped) == data_key.plaintext

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(round_trip, range(200)))
