"""Fail closed: a sealed, stopped or frozen key service raises KeyServiceUnavailable, fast."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from service.devstack.openbao import PersistentOpenBao
from service.keys.errors import KeyServiceUnavailable
from service.keys.transit import TransitKeyService
from tests.fixtures.openbao import key_service_for


def every_operation(
    service: TransitKeyService, wrapped: str, signature: str
) -> dict[str, Callable[[], object]]:
    return {
        "check": service.check,
        "generate_data_key": service.generate_data_key,
        "unwrap_data_key": lambda: service.unwrap_data_key(wrapped),
        "unwrap_data_keys": lambda: service.unwrap_data_keys([wrapped]),
        "rewrap_data_keys": lambda: service.rewrap_data_keys([wrapped]),
        "sign": lambda: service.sign(b"m"),
        "verify": lambda: service.verify(b"m", signature),
        "blind_index": lambda: service.blind_index(b"x"),
        "rotate_data_key": service.rotate_data_key,
        "key_status": service.key_status,
        "set_min_decryption_version": lambda: service.set_min_decryption_version(1),
        "ensure_keys": service.ensure_keys,
    }


def assert_every_operation_unavailable(
    service: TransitKeyService, wrapped: str, signature: str, *, within_seconds: float
) -> None:
    for name, operation in every_operation(service, wrapped, signature).items():
        started = time.monotonic()
        with pytest.raises(KeyServiceUnavailable) as raised:
            operation()
        elapsed = time.monotonic() - started
        assert elapsed < within_seconds, f"{name} took {elapsed:.2f} s"
        assert raised.value.status == 503
        assert raised.value.code == "key_service_unavailable"


@pytest.fixture
def provisioned(
    restartable_openbao: PersistentOpenBao,
) -> tuple[TransitKeyService, str, str, bytes]:
    service = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=1.0)
    service.ensure_keys()
    data_key = service.generate_data_key()
    return service, data_key.wrapped, service.sign(b"m"), data_key.plaintext


def test_a_sealed_key_service_is_unavailable_and_serves_again_once_unsealed(
    restartable_openbao: PersistentOpenBao,
    provisioned: tuple[TransitKeyService, str, str, bytes],
) -> None:
    service, wrapped, signature, plaintext = provisioned

    restartable_openbao.seal()

    assert_every_operation_unavailable(service, wrapped, signature, within_seconds=2.0)
    restartable_openbao.unseal()
    service.check()
    assert service.unwrap_data_key(wrapped) == plaintext
    assert service.verify(b"m", signature)


def test_a_stopped_key_service_is_unavailable_at_once(
    restartable_openbao: PersistentOpenBao,
    provisioned: tuple[TransitKeyService, str, str, bytes],
) -> None:
    service, wrapped, signature, plaintext = provisioned

    restartable_openbao.stop()

    assert_every_operation_unavailable(service, wrapped, signature, within_seconds=0.5)
    restartable_openbao.start()
    assert service.unwrap_data_key(wrapped) == plaintext


def test_a_frozen_key_service_times_out_instead_of_hanging(
    restartable_openbao: PersistentOpenBao,
    provisioned: tuple[TransitKeyService, str, str, bytes],
) -> None:
    service, wrapped, _, plaintext = provisioned
    pid = restartable_openbao.pid
    assert pid is not None

    os.kill(pid, signal.SIGSTOP)  # the process still holds its port but answers nothing
    try:
        started = time.monotonic()
        with pytest.raises(KeyServiceUnavailable, match="in time"):
            service.unwrap_data_key(wrapped)
        assert time.monotonic() - started < 3.0  # the client timeout is 1 s
    finally:
        os.kill(pid, signal.SIGCONT)
    assert service.unwrap_data_key(wrapped) == plaintext
