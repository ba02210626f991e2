"""Our localstripe runner: loopback only, its own state file, clear errors, restartable."""

from __future__ import annotations

import pickle
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.devstack import PortInUse, free_port, wait_until
from service.devstack.localstripe import FLUSH_INTERVAL_SECONDS, LocalStripeServer
from tests.fixtures.localstripe import stripe_client_for

LOCALSTRIPE_DEFAULT_PICKLE = Path("/tmp/localstripe.pickle")


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on ``port``, read from /proc/net."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A is TCP_LISTEN
                found.add(address)
    return found


def test_runner_listens_on_the_loopback_address_only(localstripe: LocalStripeServer) -> None:
    # 127.0.0.1 in /proc/net/tcp's little-endian hex; nothing on IPv6, nothing on 0.0.0.0.
    assert listening_addresses(localstripe.port) == {"0100007F"}
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", localstripe.port), timeout=2).close()
    socket.create_connection(("127.0.0.1", localstripe.port), timeout=2).close()


def test_a_taken_port_is_a_clear_error_naming_it(localstripe: LocalStripeServer) -> None:
    second = LocalStripeServer(port=localstripe.port)

    with pytest.raises(PortInUse, match=f"127.0.0.1:{localstripe.port}.*already in use"):
        second.start()

    assert not second.running
    assert localstripe.running


def test_state_is_flushed_to_the_state_file_while_running_never_to_tmp(tmp_path: Path) -> None:
    default_pickle_before = (
        LOCALSTRIPE_DEFAULT_PICKLE.stat().st_mtime_ns
        if LOCALSTRIPE_DEFAULT_PICKLE.exists()
        else None
    )
    state_file = tmp_path / "state" / "localstripe.pickle"

    with LocalStripeServer(port=free_port(), state_file=state_file) as server:
        customer = stripe_client_for(server).v1.customers.create(params={})
        deadline = time.monotonic() + 20 * FLUSH_INTERVAL_SECONDS
        while not state_file.exists() and time.monotonic() < deadline:
            time.sleep(FLUSH_INTERVAL_SECONDS / 2)
        with state_file.open("rb") as handle:
            stored = pickle.load(handle)

    assert f"customer:{customer.id}" in stored
    assert [p.name for p in state_file.parent.iterdir()] == ["localstripe.pickle"]  # no temps
    default_pickle_after = (
        LOCALSTRIPE_DEFAULT_PICKLE.stat().st_mtime_ns
        if LOCALSTRIPE_DEFAULT_PICKLE.exists()
        else None
    )
    assert default_pickle_after == default_pickle_before


def test_state_survives_a_restart_with_a_state_file_and_not_without(tmp_path: Path) -> None:
    port = free_port()
    persistent = LocalStripeServer(port=port, state_file=tmp_path / "state.pickle")
    with persistent:
        kept = stripe_client_for(persistent).v1.customers.create(params={})
    with persistent:
        assert stripe_client_for(persistent).v1.customers.retrieve(kept.id).id == kept.id

    in_memory = LocalStripeServer(port=port)
    with in_memory:
        lost = stripe_client_for(in_memory).v1.customers.create(params={})
    with in_memory:
        listed = stripe_client_for(in_memory).v1.customers.list(params={"limit": 100})
        assert lost.id not in [customer.id for customer in listed.data]


def test_url_names_the_host_and_port() -> None:
    assert LocalStripeServer(port=8421).url == "http://127.0.0.1:8421"
    assert LocalStripeServer(host="::1", port=8421).url == "http://[::1]:8421"


def test_runner_saves_and_stops_when_the_process_that_started_it_is_killed(
    tmp_path: Path,
) -> None:
    port, state_file = free_port(), tmp_path / "state.pickle"
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from service.devstack.localstripe import LocalStripeServer\n"
            f"LocalStripeServer(port={port}, state_file=Path({str(state_file)!r})).start()\n"
            "print('up', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert starter.stdout is not None and starter.stdout.readline().strip() == b"up"
        server = LocalStripeServer(port=port)  # a handle for its URL only
        customer = stripe_client_for(server).v1.customers.create(params={})
    finally:
        starter.kill()
        starter.wait()

    assert wait_until(lambda: not listening_addresses(port), timeout=5.0)
    with state_file.open("rb") as handle:
        assert f"customer:{customer.id}" in pickle.load(handle)
