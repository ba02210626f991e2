"""Transit calls on the lean path (service/keys/vault_transport.py), against a real OpenBao on
disk: kept-alive connections, a restart under them, a server that stops answering, and the
calls it hands to requests."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from service.devstack.openbao import PersistentOpenBao
from service.keys.errors import KeyServiceUnavailable
from service.keys.transit import TransitKeyService
from service.keys.vault_transport import VaultSession
from tests.fixtures.openbao import key_service_for


def _session(service: TransitKeyService) -> VaultSession:
    session = service._client.adapter.session
    assert isinstance(session, VaultSession)
    return session


def _pools_used_by_requests(session: VaultSession) -> int:
    return sum(len(adapter.poolmanager.pools) for adapter in session.adapters.values())


@pytest.fixture
def keys(restartable_openbao: PersistentOpenBao) -> Iterator[TransitKeyService]:
    service = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=2.0)
    service.ensure_keys()
    yield service
    _session(service).close()


def test_calls_keep_one_connection_per_thread_and_bypass_requests(
    keys: TransitKeyService,
) -> None:
    session = _session(keys)
    for _ in range(5):
        keys.generate_data_key()
    assert len(session._open) == 1  # five calls, one kept-alive connection

    def other_thread() -> None:
        keys.generate_data_key()

    seen: list[int] = []
    worker = threading.Thread(target=lambda: (other_thread(), seen.append(len(session._open))))
    worker.start()
    worker.join()
    assert seen == [2]  # a connection is never shared between threads
    assert _pools_used_by_requests(session) == 0
    gc.collect()
    assert len(session._open) == 1  # the finished thread's connection went with it

    session.close()
    assert not session._open


def test_a_restart_under_a_kept_alive_connection_is_not_an_outage(
    restartable_openbao: PersistentOpenBao, keys: TransitKeyService
) -> None:
    wrapped = keys.generate_data_key().wrapped
    connection = next(iter(_session(keys)._open))

    restartable_openbao.stop()
    restartable_openbao.start()  # same port, same storage, unsealed again

    assert keys.unwrap_data_key(wrapped)  # the closed connection is noticed and replaced
    assert connection not in _session(keys)._open


def test_a_stopped_key_service_is_an_outage_and_its_return_is_noticed(
    restartable_openbao: PersistentOpenBao, keys: TransitKeyService
) -> None:
    keys.generate_data_key()
    restartable_openbao.stop()
    with pytest.raises(KeyServiceUnavailable, match="could not be reached"):
        keys.generate_data_key()
    restartable_openbao.start()
    assert keys.generate_data_key().plaintext


def test_a_key_service_that_stops_answering_is_a_timeout_not_a_hang(
    restartable_openbao: PersistentOpenBao, keys: TransitKeyService
) -> None:
    keys.generate_data_key()
    pid = restartable_openbao.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # the process holds its sockets but answers nothing
    try:
        started = time.monotonic()
        with pytest.raises(KeyServiceUnavailable, match="in time"):
            keys.generate_data_key()
        assert time.monotonic() - started < 10
    finally:
        os.kill(pid, signal.SIGCONT)
    assert keys.generate_data_key().plaintext  # the timed-out connection was not reused


def test_a_call_through_a_proxy_goes_to_requests(
    restartable_openbao: PersistentOpenBao, keys: TransitKeyService
) -> None:
    session = _session(keys)
    session.proxies = {"http": "http://127.0.0.1:9"}  # nothing listens on the discard port
    # OpenBao is up: only a call sent through the (dead) proxy can fail.
    with pytest.raises(KeyServiceUnavailable, match="could not be reached"):
        keys.generate_data_key()
    session.proxies = {}
    assert keys.generate_data_key().plaintext


def test_answers_are_requests_responses(
    restartable_openbao: PersistentOpenBao, keys: TransitKeyService
) -> None:
    """hvac and vault_calls tell Vault's JSON from anything else by a real requests answer."""
    session = _session(keys)
    answer = session.request("GET", f"{restartable_openbao.addr}/v1/sys/health", timeout=2.0)
    assert isinstance(answer, requests.Response)
    assert answer.status_code == 200 and answer.json()["sealed"] is False
    assert answer.headers["content-type"].startswith("application/json")
    assert _pools_used_by_requests(session) == 0
