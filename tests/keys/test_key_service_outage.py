"""Fail closed: a sealed, stopped or frozen key service raises KeyServiceUnavailable, fast."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.devstack import free_port
from service.devstack.openbao import PersistentOpenBao
from service.keys.errors import KeyServiceUnavailable
from service.keys.transit import TransitKeyService, build_vault_client
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
        "retire_data_key_versions_below": lambda: service.retire_data_key_versions_below(1),
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
        _wait_until_stopped(pid)  # delivery is asynchronous: a CI run once got its answer
        started = time.monotonic()
        with pytest.raises(KeyServiceUnavailable, match="in time"):
            service.unwrap_data_key(wrapped)
        assert time.monotonic() - started < 3.0  # the client timeout is 1 s
    finally:
        os.kill(pid, signal.SIGCONT)
    assert service.unwrap_data_key(wrapped) == plaintext


def _wait_until_stopped(pid: int) -> None:
    """Every thread of the process in the stopped state (``T`` in /proc), within 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        states = [
            (Path(task) / "stat").read_text().rsplit(")", 1)[1].split()[0]
            for task in Path(f"/proc/{pid}/task").iterdir()
        ]
        if all(state in ("T", "t") for state in states):
            return
        time.sleep(0.01)
    raise AssertionError(f"OpenBao (pid {pid}) did not stop: {states}")


class _GatewayAnswering(BaseHTTPRequestHandler):
    """What sits in front of a dead Vault cluster: a load balancer answering on its behalf."""

    status = 502
    body = b"<html>Bad Gateway</html>"

    def _answer(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b"oops"), (502, b"bad gateway"), (504, b"gateway timeout"), (200, b"<html>hi</html>")],
    ids=["500", "502", "504", "200-not-json"],
)
def test_a_gateway_answering_for_a_dead_cluster_means_unavailable(status: int, body: bytes) -> None:
    handler = type("Handler", (_GatewayAnswering,), {"status": status, "body": body})
    gateway = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    try:
        addr = f"http://127.0.0.1:{gateway.server_address[1]}"
        service = key_service_for(addr, "any-token", timeout=1.0)
        assert_every_operation_unavailable(
            service, "vault:v1:AAAA", "vault:v1:AAAA", within_seconds=1.5
        )
    finally:
        gateway.shutdown()
        gateway.server_close()


def test_approle_login_against_an_unreachable_key_service_is_unavailable() -> None:
    started = time.monotonic()
    with pytest.raises(KeyServiceUnavailable):
        build_vault_client(
            f"http://127.0.0.1:{free_port()}", role_id="role", secret_id="secret", timeout=1.0
        )
    assert time.monotonic() - started < 1.5
